"""Watching Rasa servers pull an activated model: one that is down does not hold the swap."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.modelops import rasa_api
from bot.modelops.rasa_api import RasaServer, wait_until_serving
from bot.stack import free_port


async def test_a_server_that_is_down_is_reported_at_once_and_a_serving_one_counts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rasa_api, "PULL_CHECK_S", 0.01)

    async def status(request: web.Request) -> web.Response:
        return web.json_response({"model_file": "phananh-new.tar.gz"})

    app = web.Application()
    app.router.add_get("/status", status)
    async with TestServer(app, host="127.0.0.1") as up:
        serving = RasaServer(str(up.make_url("")).rstrip("/"), "token")
        down = RasaServer(f"http://127.0.0.1:{free_port()}", "token")
        late = await wait_until_serving([serving, down], Path("phananh-new.tar.gz"), timeout=30)
    assert late == [down.url]

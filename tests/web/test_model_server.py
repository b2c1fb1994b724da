"""`GET /internal/model`: Rasa servers pull the active model, with its ETag, and only with Rasa's token."""
from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.modelops import registry
from bot.modelops.delivery import etag
from tests.helpers.console import running_console

TOKEN = "rasa-token-for-the-model-server-test-0123456789"


async def test_the_active_model_with_its_etag_then_not_modified(tmp_path: Path) -> None:
    async with running_console(tmp_path, RASA_TOKEN=TOKEN) as console:
        async with aiohttp.ClientSession(base_url=console.url) as http:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            assert (await http.get("/internal/model", headers=auth)).status == 404  # nothing active yet
            model = tmp_path / "m.tar.gz"
            model.write_bytes(b"a model, as far as this server cares" * 1000)
            version = await registry.register(console.db, tmp_path / "models" / "history", model, registry.BUILD)
            await registry.record_activation(console.db, version.id, registry.ACTIVATE, "test")

            answer = await http.get("/internal/model", headers={**auth, "If-None-Match": "something-else"})
            assert answer.status == 200
            assert await answer.read() == model.read_bytes()
            assert answer.headers["ETag"] == etag(version.sha256)
            assert answer.headers["filename"] == version.name  # what Rasa names the file: /status shows it

            for seen in (etag(version.sha256), version.sha256):  # Rasa echoes what it got
                again = await http.get("/internal/model", headers={**auth, "If-None-Match": seen})
                assert again.status == 304 and not await again.read()


async def test_only_rasa_may_pull_the_model(tmp_path: Path) -> None:
    async with running_console(tmp_path, RASA_TOKEN=TOKEN) as console:
        async with aiohttp.ClientSession(base_url=console.url) as http:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
                assert (await http.get("/internal/model", headers=headers)).status == 401

"""Several servers of each kind behind HAProxy (`bot run --rasa-replicas 2 …`), in production
mode on PostgreSQL and Redis: a conversation stays on its Rasa replica, goes on on the other
one when its replica is killed, and a model activated in the registry reaches every replica
through the model server."""
from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from bot import haproxy
from bot.secret_files import generate
from bot.stack import Replicas, Stack, answers, kill_group
from tests.conftest import start_stack
from tests.e2e.test_production import REDIS_TEST_URL, redis_available, rows
from tests.e2e.test_supervision import wait_for
from tests.helpers.chat import Conversation
from tests.helpers.db import GAZETTEER, PG_SKIP_MESSAGE, pg_available, throwaway_pg_database
from tests.helpers.models import activate_variant

# slow: a deployment of its own with two of each server behind HAProxy, replicas killed and restarted: 4 minutes
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not pg_available() or not redis_available():
        pytest.skip(PG_SKIP_MESSAGE + " (or Redis not reachable at 127.0.0.1:6379)")
    if haproxy.binary() is None:
        pytest.fail("HAProxy is not installed: `make test` installs Debian's haproxy (make haproxy)")
    tmp = tmp_path_factory.mktemp("replicas")
    with throwaway_pg_database("phananh_replicas", template=GAZETTEER) as url:
        running = start_stack(tmp, database_url=url, replicas=Replicas(rasa=2, action=2, web=2), extra_env={
            "APP_ENV": "production", "REST_CHANNEL_TOKEN": generate(), "REDIS_URL": REDIS_TEST_URL,
            "MODELS_DIR": str(tmp / "models"), "CORS_ORIGINS": "https://phananh.example"})
        try:
            yield running
        finally:
            running.stop()


def chat(stack: Stack) -> Conversation:
    return Conversation(stack.rasa_url, token=stack.extra_env["REST_CHANNEL_TOKEN"])


def test_each_conversation_stays_on_one_replica_and_both_are_used(replicated: Stack) -> None:
    seen = set()
    for _ in range(16):  # all on one replica by chance: under 1 in 1,000 even at 60/40
        conversation = chat(replicated)
        replicas = set()
        for text in ("xin chào", "mình muốn phản ánh"):
            conversation.say(text)
            replicas.add(conversation.served_by)
        assert len(replicas) == 1, f"{conversation.sender} moved between {replicas}"
        seen |= replicas
    assert seen == {"rasa1", "rasa2"}


def test_a_conversation_goes_on_when_its_replica_is_killed(replicated: Stack) -> None:
    conversation = chat(replicated)
    conversation.say("hàng quán lấn chiếm vỉa hè trước số 12 phố Hàng Bông, phường Hoàn Kiếm, bày bàn ghế ra hết lối đi")
    holder = conversation.served_by
    service = next(s for s in replicated.services if s.name == f"rasa server {holder.removeprefix('rasa')}")
    kill_group(service.process, grace=0)  # SIGKILL: no goodbye to HAProxy
    conversation.say("/skip")
    assert conversation.served_by not in ("", holder)
    conversation.say("/stay_anonymous")
    assert "Gửi phản ánh" in conversation.buttons, conversation.last  # the draft came along
    conversation.click("Gửi phản ánh")
    code = conversation.code()
    assert rows(replicated.database_url, "SELECT ward_code FROM reports WHERE code = %s", code) == [("00070",)]
    replicated.restart_service(service.name)
    ready = next(s for s in replicated.services if s.name == "haproxy").health_url
    wait_for(lambda: answers(ready), 30)  # HAProxy has it back: the next tests start from a full house


def test_the_web_chat_over_socket_io_polling_stays_on_one_replica(replicated: Stack) -> None:
    """socket.io's long-polling makes one request per poll: without stickiness on the page's
    `sticky` parameter they would land on both replicas, and the second would not know the sid."""
    import socketio

    async def talk(sticky: str) -> list:
        said: list = []
        identity = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"{replicated.web_url}/api/chat/identity", b"", method="POST"), timeout=10).read())
        client = socketio.AsyncClient()
        client.on("bot_uttered", lambda data: said.append(data))
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        client.on("session_confirm", lambda data: confirmed.done() or confirmed.set_result(data))
        await client.connect(f"{replicated.rasa_url}?sticky={sticky}", socketio_path="/socket.io",
                             transports=["polling"])
        try:
            await client.emit("session_request", {"session_id": None, **identity})
            conversation = await asyncio.wait_for(confirmed, 20)
            for text in ("xin chào", "mình muốn phản ánh lấn chiếm vỉa hè"):
                before = len(said)
                await client.emit("user_uttered", {"message": text, "session_id": conversation})
                for _ in range(150):
                    if len(said) > before:
                        break
                    await asyncio.sleep(0.2)
                assert len(said) > before, f"no answer to {text!r} over polling"
        finally:
            await client.disconnect()
        return said

    async def both() -> None:
        for said in await asyncio.gather(*(talk(f"page-{n}") for n in range(4))):
            assert said

    asyncio.run(both())


def rasa_status(url: str, token: str) -> dict:
    with urllib.request.urlopen(f"{url}/status?token={token}", timeout=10) as answer:
        return json.loads(answer.read())


def test_a_model_activated_in_the_registry_reaches_every_replica(replicated: Stack, tmp_path: Path) -> None:
    version = activate_variant(replicated.database_url, Path(replicated.extra_env["MODELS_DIR"]) / "history", tmp_path)
    urls = [f"http://127.0.0.1:{port}" for port in replicated.replica_ports["rasa"]]
    deadline = time.monotonic() + 600
    serving: dict = {}
    while time.monotonic() < deadline:
        serving = {url: rasa_status(url, replicated.token).get("model_file") for url in urls}
        if set(serving.values()) == {version.name}:
            break
        time.sleep(3)
    assert set(serving.values()) == {version.name}, serving
    conversation = chat(replicated)
    conversation.say("xin chào")
    assert conversation.last, "the replicas answer with the new model"

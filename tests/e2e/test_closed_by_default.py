"""Closed by default, against the real servers: what an attacker on the machine or on the
network tries, and what a citizen sending odd things gets."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
import socketio

from bot.config import PROJECT_ROOT
from bot.secret_files import generate
from bot.stack import Stack, fresh_secrets
from tests.conftest import start_stack
from tests.helpers import zalo_webhook
from tests.helpers.chat import Conversation
from tests.helpers.fake_zalo_process import FakeZaloProcess
from tests.helpers.zalo_chat import post_event

pytestmark = pytest.mark.e2e


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         timeout: float = 30) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    request = urllib.request.Request(url, data, {"Content-Type": "application/json", **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def forged_tracker(sender: str) -> dict[str, Any]:
    """What an attacker posts to the action server to make it store a report as someone else."""
    slots = {"category": "sidewalk", "ward_code": "00070", "location": "00070", "description": "giả mạo",
             "confirmed": True, "draft_key": "forged-1", "photo_urls": [], "address_text": "phố Huế"}
    return {"next_action": "action_submit_report", "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": slots, "latest_message": {"text": "/affirm"},
                        "events": [], "latest_input_channel": "zalo", "active_loop": {}, "paused": False,
                        "followup_action": None, "latest_event_time": time.time(), "latest_action_name": None}}


def report_count(stack: Stack) -> int:
    import sqlite3

    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute("SELECT count(*) FROM reports").fetchone()[0]


def test_a_forged_tracker_is_refused_by_the_action_server(stack: Stack) -> None:
    before = report_count(stack)
    for headers in ({}, {"Authorization": "Bearer phananh-dev-token"}, {"Authorization": "Bearer " + generate()}):
        status, body = http("POST", f"{stack.action_url}/webhook", forged_tracker("zalo-victim"), headers)
        assert status == 401, body
    assert http("GET", f"{stack.action_url}/actions")[0] == 401
    assert http("GET", f"{stack.action_url}/health")[0] == 200
    assert report_count(stack) == before


def test_rasas_api_refuses_the_old_default_token(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("số điện thoại của tôi là 0912345678")
    url = f"{stack.rasa_url}/conversations/{chat.sender}/tracker"
    for token in ("phananh-dev-token", "", generate()):
        assert http("GET", f"{url}?token={token}")[0] == 401, token
    assert http("PUT", f"{stack.rasa_url}/model?token=phananh-dev-token", {"model_file": "x"})[0] == 401
    status, body = http("GET", f"{url}?token={stack.token}")
    assert status == 200 and chat.sender in body.decode()


def _listening(port: int) -> set[str]:
    """The local addresses a TCP port listens on, read from /proc/net/tcp{,6}."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add("127.0.0.1" if address == "0100007F" else "0.0.0.0" if set(address) == {"0"} else address)
    return found


def test_every_server_listens_on_loopback_only(stack: Stack) -> None:
    for port in (stack.rasa_port, stack.action_port, stack.web_port):
        assert _listening(port) == {"127.0.0.1"}, (port, _listening(port))


def test_rasa_allows_only_the_web_chats_origin(stack: Stack) -> None:
    def allowed(origin: str) -> str | None:
        request = urllib.request.Request(f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling",
                                         headers={"Origin": origin})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.headers.get("Access-Control-Allow-Origin")

    assert allowed("https://evil.example") is None
    assert allowed(f"http://localhost:{stack.web_port}") == f"http://localhost:{stack.web_port}"


def test_the_rest_channel_ignores_a_claimed_channel_and_checks_its_body(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    status, _ = http("POST", f"{stack.rasa_url}/webhooks/rest/webhook",
                     {"sender": chat.sender, "message": "xin chào", "input_channel": "zalo", "metadata": {"x": 1}})
    assert status == 200
    tracker = json.loads(http("GET", f"{stack.rasa_url}/conversations/{chat.sender}/tracker?token={stack.token}")[1])
    assert tracker["latest_input_channel"] == "rest"
    for body in ({"sender": "a b", "message": "x"}, {"sender": "", "message": "x"}, {"message": "x"},
                 {"sender": "x", "message": 5}, [1, 2], b"[" * 100_000, b"\xff\xfe"):
        status, answer = http("POST", f"{stack.rasa_url}/webhooks/rest/webhook", body)
        assert status == 400 and "không hợp lệ" in answer.decode(), body


def test_a_200000_character_message_is_cut_answered_and_stalls_nobody(stack: Stack) -> None:
    long_text = ("quán bày bàn ghế chiếm vỉa hè " * 7000)[:200_000]
    started = time.monotonic()
    answer = Conversation(stack.rasa_url).say(long_text, timeout=60)
    elapsed = time.monotonic() - started
    texts = " ".join(m.get("text") or "" for m in answer)
    assert "chỉ đọc được phần đầu" in texts and len(answer) >= 2, answer
    assert elapsed < 20, elapsed  # the figure itself is measured by bench/long_message_bench.py
    # a lone surrogate and control characters reach nobody's report
    assert Conversation(stack.rasa_url).say("vỉa hè \ud800 bị lấn \x00 chiếm".encode("utf-8", "surrogatepass")
                                            .decode("utf-8", "replace"))


@pytest.mark.parametrize("text", [
    "/restart", "/session_start", "/back", "/", "//", "/nlu_fallback", "/no_such_intent",
    '/inform{"latitude": "abc", "longitude": "xyz"}', '/inform{"latitude": 1e999, "longitude": 105.8}',
    '/inform{"ward_code": "' + "9" * 1000 + '"}', '/inform{"photo_url": "javascript:alert(1)"}',
    "/inform" + "[" * 5000, '/greet@2.0{"x": 1}', "", "   ", "\u200b", "🙂" * 50,
])
def test_every_message_gets_a_polite_answer(stack: Stack, text: str) -> None:
    chat = Conversation(stack.rasa_url)
    answer = chat.say(text)
    assert answer and any((m.get("text") or "").strip() for m in answer), (text, answer)
    assert "sự cố" not in chat.text, (text, answer)


def test_a_bad_location_payload_at_the_location_step_is_answered_politely(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("có người bày hàng chiếm hết vỉa hè")
    chat.say('/inform{"latitude": "abc", "longitude": "105.8"}')
    assert chat.text.strip() and "sự cố" not in chat.text, chat.last
    assert "ở đâu" in chat.text or "phường" in chat.text, chat.last


def test_a_photo_url_that_is_not_ours_is_never_kept(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("quán bia số 25 phố Hàng Bông phường Hoàn Kiếm bày bàn ghế chiếm hết vỉa hè từ chiều tới đêm")
    for url in ("javascript:alert(1)", "https://evil.example/x.png",
                f"http://localhost:{stack.web_port}/uploads/{'0' * 32}.png"):
        chat.say('/inform{"photo_url": "%s"}' % url)
        assert "chưa nhận được ảnh" in chat.text, (url, chat.last)
    chat.say("/skip")
    chat.say("/stay_anonymous")
    assert "Ảnh: không có" in chat.text, chat.last


# --- the web chat's identities over socket.io ---------------------------------------------

async def _client(stack: Stack, received: list[Any]) -> socketio.AsyncClient:
    client = socketio.AsyncClient()
    client.on("bot_uttered", lambda data: received.append(data))
    await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
    return client


async def _session(client: socketio.AsyncClient, request: dict[str, Any]) -> str:
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda data: confirmed.done() or confirmed.set_result(data))
    await client.emit("session_request", request)
    return await asyncio.wait_for(confirmed, 10)


def _identity(stack: Stack) -> dict[str, str]:
    return json.loads(http("POST", f"{stack.web_url}/api/chat/identity", b"")[1])


def test_a_browser_joins_only_its_own_conversations(stack: Stack) -> None:
    async def scenario() -> None:
        victim_said, attacker_said = [], []
        victim, attacker = await _client(stack, victim_said), await _client(stack, attacker_said)
        try:
            me = _identity(stack)
            conversation = await _session(victim, {"session_id": None, "citizen": me["citizen"], "key": me["key"]})
            assert conversation.startswith(me["citizen"] + ".")
            again = await _session(victim, {"session_id": conversation, **me})
            assert again == conversation  # a reload keeps the conversation
            # knowing the ids is not enough: without the key, the attacker gets a conversation of its own
            stolen = await _session(attacker, {"session_id": conversation, "citizen": me["citizen"], "key": "x" * 43})
            assert stolen != conversation and not stolen.startswith(me["citizen"])
            await attacker.emit("user_uttered", {"message": "phản ánh của tôi", "session_id": conversation})
            await asyncio.sleep(3)
            assert attacker_said and not victim_said  # the answer went to the attacker's own room
            await victim.emit("user_uttered", {"message": "xin chào", "session_id": "anything"})
            for _ in range(50):
                if victim_said:
                    break
                await asyncio.sleep(0.2)
            assert victim_said
        finally:
            await victim.disconnect()
            await attacker.disconnect()

    asyncio.run(scenario())


# --- Zalo -----------------------------------------------------------------------------------

def test_zalo_refuses_an_old_signed_event_and_an_oversized_body(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    from tests.helpers.fake_zalo_process import OA_SECRET_KEY

    event = zalo_webhook.text_event("zalo-replayed", "xin chào")
    event["timestamp"] = str(int((time.time() - 400 * 86400) * 1000))
    raw, headers = zalo_webhook.signed(event, fake_zalo.app_id, OA_SECRET_KEY)
    status, _ = http("POST", f"{stack.rasa_url}/webhooks/zalo/webhook", raw, headers)
    assert status == 403

    with socket.create_connection(("127.0.0.1", stack.rasa_port), timeout=10) as connection:
        started = time.monotonic()
        connection.sendall(b"POST /webhooks/zalo/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 104857600\r\n\r\n{")
        reply = connection.recv(200)
    assert reply.startswith(b"HTTP/1.1 413") and time.monotonic() - started < 5, reply


# --- production mode ------------------------------------------------------------------------

def _start_refused(argv: list[str], env: dict[str, str]) -> str:
    full = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "APP_ENV": "production", **env}
    for name in ("RASA_TOKEN", "ACTION_SERVER_TOKEN", "LINK_SECRET", "CONSOLE_SECRET_KEY"):
        if name not in env:
            full.pop(name, None)
    done = subprocess.run([sys.executable, *argv], cwd=PROJECT_ROOT, env=full, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 2, (argv, done.returncode, done.stdout[-500:], done.stderr[-500:])
    return done.stdout + done.stderr


@pytest.mark.parametrize("argv", [
    ["-m", "bot.rasa_server", "--model", "models/phananh.tar.gz"], ["-m", "bot.action_server"], ["-m", "bot.web"],
    ["-m", "bot", "run"],
])
def test_production_refuses_to_start_without_strong_secrets(argv: list[str], tmp_path: Path) -> None:
    said = _start_refused(argv, {"SECRETS_DIR": str(tmp_path)})
    assert "RASA_TOKEN is not set" in said and "LINK_SECRET is not set" in said
    weak = {**fresh_secrets(), "RASA_TOKEN": "phananh-dev-token", "CONSOLE_SECRET_KEY": "short", "SECRETS_DIR": str(tmp_path)}
    said = _start_refused(argv, weak)
    assert "RASA_TOKEN is too weak" in said and "CONSOLE_SECRET_KEY is too weak" in said
    assert not list(tmp_path.iterdir())  # nothing generated in production
    said = _start_refused(argv, {**fresh_secrets(), "SECRETS_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///x.db"})
    assert "DATABASE_URL must be a PostgreSQL database" in said


"""Production mode for real: PostgreSQL for data and conversations, Redis for locks, the REST
channel behind its token. Runs against the PostgreSQL and Redis of the development and CI
machines (skipped, loudly, where they are missing)."""
from __future__ import annotations

import json
import socket
from typing import Iterator

import psycopg2
import pytest

from bot.secret_files import generate
from bot.stack import Stack
from tests.conftest import start_stack
from tests.e2e.test_closed_by_default import http
from tests.helpers.chat import Conversation
from tests.helpers.db import GAZETTEER, PG_SKIP_MESSAGE, pg_available, throwaway_pg_database

# slow: a production deployment of its own (PostgreSQL, Redis), about 1.5 minutes
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]
REDIS_TEST_URL = "redis://127.0.0.1:6379/14"


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not pg_available() or not redis_available():
        pytest.skip(PG_SKIP_MESSAGE + " (or Redis not reachable at 127.0.0.1:6379)")
    with throwaway_pg_database("phananh_prod", template=GAZETTEER) as url:
        running = start_stack(tmp_path_factory.mktemp("production"), database_url=url, extra_env={
            "APP_ENV": "production", "REST_CHANNEL_TOKEN": generate(), "CORS_ORIGINS": "https://phananh.example",
            "REDIS_URL": REDIS_TEST_URL, "SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "5"})
        try:
            yield running
        finally:
            running.stop()


def rows(url: str, sql: str, *params: object) -> list:
    connection = psycopg2.connect(url.replace("+asyncpg", ""))
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def test_a_report_and_its_conversation_land_in_postgresql(production_stack: Stack) -> None:
    chat = Conversation(production_stack.rasa_url, token=production_stack.extra_env["REST_CHANNEL_TOKEN"])
    chat.say("quán nướng bày bàn ghế chiếm hết vỉa hè trước số 3 phố Hàng Bông, phường Hoàn Kiếm, tối nào cũng vậy")
    chat.say("/skip")
    chat.say("/stay_anonymous")
    assert "Gửi phản ánh" in chat.buttons, chat.last
    chat.click("Gửi phản ánh")
    code = chat.code()
    assert rows(production_stack.database_url, "SELECT ward_code FROM reports WHERE code = %s", code) == [("00070",)]
    [(events,)] = rows(production_stack.database_url, "SELECT count(*) FROM events WHERE sender_id = %s", chat.sender)
    assert events >= 8  # the whole conversation, in PostgreSQL, not in a SQLite file or in memory


def test_production_rest_needs_its_token(production_stack: Stack) -> None:
    token = production_stack.extra_env["REST_CHANNEL_TOKEN"]
    url = f"{production_stack.rasa_url}/webhooks/rest/webhook"
    body = {"sender": "integrator-1", "message": "xin chào"}
    assert http("POST", url, body)[0] == 401
    assert http("POST", url, body, {"Authorization": "Bearer " + generate()})[0] == 401
    status, answer = http("POST", url, body, {"Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(answer)

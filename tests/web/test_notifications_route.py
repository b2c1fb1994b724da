"""The web chat fetches the news about its citizen's reports, once each."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.config import load_settings
from bot import statuses
from bot.storage.db import Database
from bot.storage.reports import change_status
from bot.web import create_app
from bot.web.routes import notifications
from tests.helpers.db import migrated_database, sqlite_file_url
from tests.helpers.reports import stored_report


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_database(sqlite_file_url(tmp_path)) as database:
        yield database


@pytest_asyncio.fixture
async def client(tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setattr(notifications, "get_database", lambda: db)
    settings = SimpleNamespace(upload_dir=tmp_path / "uploads", public_base_url="http://localhost:8080",
                               rasa_public_url="http://localhost:5005",
                               console_secret_key="test-console-secret-key-of-32-chars-or-more",
                               modelops=load_settings({}).modelops)
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


async def test_news_waits_for_the_page_and_is_handed_out_once(client: TestClient, db: Database) -> None:
    report = await stored_report(db, channel="socketio", sender_id="browser-session-1")
    await change_status(db, report.code, statuses.IN_PROGRESS, "staff-1")
    first = await (await client.get("/api/notifications", params={"session_id": "browser-session-1"})).json()
    assert len(first["messages"]) == 1 and report.code in first["messages"][0]["text"]
    again = await (await client.get("/api/notifications", params={"session_id": "browser-session-1"})).json()
    assert again["messages"] == []
    other = await (await client.get("/api/notifications", params={"session_id": "browser-session-2"})).json()
    assert other["messages"] == []


async def test_a_malformed_session_id_is_refused(client: TestClient) -> None:
    answer = await client.get("/api/notifications", params={"session_id": "<script>"})
    assert answer.status == 400


async def test_news_of_a_handled_report_asks_for_a_rating(client: TestClient, db: Database) -> None:
    report = await stored_report(db, channel="socketio", sender_id="browser-session-3")
    await change_status(db, report.code, statuses.HANDLED, "staff-1", note="Đã dọn bàn ghế")
    [news] = (await (await client.get("/api/notifications", params={"session_id": "browser-session-3"})).json())["messages"]
    assert "Kết quả: Đã dọn bàn ghế" in news["text"]
    assert [b["title"] for b in news["buttons"]] == ["Hài lòng", "Chấp nhận", "Chưa hài lòng"]
    assert news["buttons"][2]["payload"] == '/rate_report{"report_code": "%s", "rating": "unsatisfied"}' % report.code

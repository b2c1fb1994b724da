"""The web chat fetches the news about its citizen's reports, once each, with its key."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot import statuses
from bot.identity import Citizen, new_citizen
from bot.storage.db import Database
from bot.storage.reports import change_status
from bot.web import create_app
from bot.web.keys import SETTINGS_KEY
from tests.helpers.db import migrated_database
from tests.helpers.reports import stored_report
from tests.helpers.web import web_settings


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_database(web_settings(tmp_path).database_url) as database:
        yield database


@pytest_asyncio.fixture
async def client(tmp_path: Path, db: Database) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(web_settings(tmp_path), database=db))) as test_client:
        yield test_client


def citizen_of(client: TestClient) -> Citizen:
    return new_citizen(client.app[SETTINGS_KEY].link_secret)


def headers(citizen: Citizen) -> dict[str, str]:
    return {"X-Citizen": citizen.id, "X-Citizen-Key": citizen.key}


async def test_news_waits_for_the_page_and_is_handed_out_once(client: TestClient, db: Database) -> None:
    mine, other = citizen_of(client), citizen_of(client)
    report = await stored_report(db, channel="socketio", sender_id=mine.id)
    await change_status(db, report.code, statuses.IN_PROGRESS, "staff-1")
    first = await (await client.get("/api/notifications", headers=headers(mine))).json()
    assert len(first["messages"]) == 1 and report.code in first["messages"][0]["text"]
    again = await (await client.get("/api/notifications", headers=headers(mine))).json()
    assert again["messages"] == []
    assert (await (await client.get("/api/notifications", headers=headers(other))).json())["messages"] == []


async def test_knowing_a_citizens_id_is_not_enough(client: TestClient, db: Database) -> None:
    mine = citizen_of(client)
    report = await stored_report(db, channel="socketio", sender_id=mine.id)
    await change_status(db, report.code, statuses.IN_PROGRESS, "staff-1")
    for forged in ({"X-Citizen": mine.id}, {"X-Citizen": mine.id, "X-Citizen-Key": "x" * 43}, {},
                   {"X-Citizen": "<script>", "X-Citizen-Key": mine.key}):
        answer = await client.get("/api/notifications", headers=forged, params={"session_id": mine.id})
        assert answer.status == 400
        assert "tải lại trang" in (await answer.json())["error"]
    # nothing was handed out to the forgers
    assert len((await (await client.get("/api/notifications", headers=headers(mine))).json())["messages"]) == 1


async def test_news_of_a_handled_report_asks_for_a_rating(client: TestClient, db: Database) -> None:
    mine = citizen_of(client)
    report = await stored_report(db, channel="socketio", sender_id=mine.id)
    await change_status(db, report.code, statuses.HANDLED, "staff-1", note="Đã dọn bàn ghế")
    [news] = (await (await client.get("/api/notifications", headers=headers(mine))).json())["messages"]
    assert "Kết quả: Đã dọn bàn ghế" in news["text"]
    assert [b["title"] for b in news["buttons"]] == ["Hài lòng", "Chấp nhận", "Chưa hài lòng"]
    assert news["buttons"][2]["payload"] == '/rate_report{"report_code": "%s", "rating": "unsatisfied"}' % report.code

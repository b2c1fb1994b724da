"""Open311 against the real web server on a free port, on a real database (a SQLite file, and
a throw-away PostgreSQL database through the root `new_db_url` fixture) holding all 126 wards,
with an integration account and its key, and one chat report with a phone number, handled with
a result note."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from bot.staff import users, workflow
from bot.staff.access import INTEGRATION
from bot.staff.transcript import TranscriptReader
from bot.storage.db import Database
from bot.storage.reports import ReportView
from bot.web import create_app
from tests.helpers.db import GAZETTEER, copy_template
from tests.helpers.reports import stored_report
from tests.helpers.staff import officer, use_cheap_hashing
from tests.helpers.web import web_settings

PUBLIC_BASE_URL = "http://phananh.example"  # http: the console's session cookie is not Secure
ORGANISATION = "cong.ihanoi"
# What the chat report's citizen gave: none of it may appear in an Open311 answer.
CHAT_SENDER = "web-citizen-7f3a9c2e"
CHAT_PHONE = "0912345678"
CHAT_WORDS = "quán bún đậu nhà bà Tư lấn hết vỉa hè, gọi em 0912 345 678 nhé"
RESULT_NOTE = "Đã yêu cầu chủ quán thu dọn, lập biên bản. Liên hệ cán bộ: 0987 654 321"
CHAT_WARD = "00229"  # Phường Kim Liên


@dataclass
class Open311Site:
    db: Database
    url: str  # http://127.0.0.1:<port>
    key: str
    key_id: int
    tmp: Path
    chat_report: ReportView  # handled, with a result note

    @property
    def api(self) -> str:
        return f"{self.url}/open311/v2"

    async def post(self, fmt: str = "json", data: Any = None, **fields: str) -> aiohttp.ClientResponse:
        """POST requests.{fmt}, form-encoded, with the site's key unless `api_key` is given."""
        form = {"api_key": self.key, **fields} if data is None else data
        async with aiohttp.ClientSession() as http:
            response = await http.post(f"{self.api}/requests.{fmt}", data=form)
            await response.read()
            return response

    async def get(self, path: str, **params: str) -> aiohttp.ClientResponse:
        async with aiohttp.ClientSession() as http:
            response = await http.get(f"{self.url}{path}", params=params)
            await response.read()
            return response


async def _handled_chat_report(db: Database) -> ReportView:
    report = await stored_report(db, ward_code=CHAT_WARD, channel="socketio", sender_id=CHAT_SENDER, phone=CHAT_PHONE,
                                 description=CHAT_WORDS, citizen_text=CHAT_WORDS, latitude=21.0063, longitude=105.8376)
    staff = await officer(db, "canbo.kimlien", CHAT_WARD)
    return await workflow.perform(db, staff, report.code, workflow.HANDLE, workflow.ActionInput(note=RESULT_NOTE))


@asynccontextmanager
async def open311_site(tmp: Path, url: str) -> AsyncIterator[Open311Site]:
    copy_template(url, GAZETTEER)
    db = Database(url)
    try:
        await users.add_user(db, ORGANISATION, None, INTEGRATION, full_name="Cổng iHanoi")
        new = await users.create_token(db, ORGANISATION, "thử nghiệm")
        chat = await _handled_chat_report(db)
        settings = web_settings(tmp, DATABASE_URL=url, PUBLIC_BASE_URL=PUBLIC_BASE_URL)
        app = create_app(settings, database=db, transcripts=TranscriptReader(f"sqlite:///{tmp / 'no-tracker.db'}"))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            yield Open311Site(db, str(server.make_url("")).rstrip("/"), new.token, new.id, tmp, chat)
        finally:
            await server.close()
    finally:
        await db.dispose()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_hashing(monkeypatch)


@pytest_asyncio.fixture
async def site(tmp_path: Path, new_db_url: str) -> AsyncIterator[Open311Site]:
    """On SQLite and on PostgreSQL."""
    async with open311_site(tmp_path, new_db_url) as running:
        yield running


@pytest_asyncio.fixture
async def sqlite_site(tmp_path: Path) -> AsyncIterator[Open311Site]:
    async with open311_site(tmp_path, f"sqlite:///{tmp_path / 'phananh.db'}") as running:
        yield running


async def in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    """A blocking client call (the `georeport` package uses `requests`) while the server runs
    on this event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)

"""The web server with the staff console on a free port, against a migrated SQLite file,
with staff accounts, a few reports and a tracker store holding one conversation."""
from __future__ import annotations

import re
import shutil
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from dataclasses import replace
from typing import AsyncIterator

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.config import PROJECT_ROOT, ModelOpsSettings, load_settings
from bot.stack import free_port
from bot.staff.transcript import TranscriptReader
from bot.storage.db import Database
from bot.storage.models import Report
from bot.storage.reports import ReportView
from bot.web import create_app
from tests.helpers.db import migrated_database, sqlite_file_url
from tests.helpers.reports import stored_report
from tests.helpers.tracker import rasa_events_table
from tests.helpers.web import web_settings
from tests.helpers.staff import PASSWORD, WARD_A, WARD_B, admin, officer, supervisor

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = "console-test-secret-that-is-long-enough"
CITIZEN_SAID = "quán cf số 12 phố khâm thiên bày bàn ghế hết vỉa hè"
CITIZEN_PHONE_SAID = "số của em là 0987 654 321 nhé"


@dataclass
class RunningConsole:
    db: Database
    url: str  # http://127.0.0.1:<port>
    tmp: Path
    reports_a: list[ReportView]  # ward A (Văn Miếu - Quốc Tử Giám): the first has a phone number
    report_b: ReportView  # ward B (Kim Liên)

    def client(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(base_url=self.url, cookie_jar=aiohttp.CookieJar(unsafe=True))


def write_tracker(path: Path, sender_id: str) -> None:
    """Rasa's `events` table with the citizen's side of one conversation."""
    now = time.time()
    rasa_events_table(path, [(sender_id, "user", now, {"text": CITIZEN_SAID}),
                             (sender_id, "bot", now, {"text": "Bạn cho mình biết địa chỉ cụ thể nhé"}),
                             (sender_id, "user", now, {"text": CITIZEN_PHONE_SAID})])


async def seed(db: Database) -> tuple[list[ReportView], ReportView]:
    await officer(db, "canbo.a", WARD_A)
    await officer(db, "canbo.b", WARD_B)
    await supervisor(db)
    await admin(db)
    descriptions = ["Quán cà phê bày bàn ghế kín vỉa hè", "Xây thêm tầng 4 không phép",
                    "Bán hàng rong dưới lòng đường", "Để xe máy kín vỉa hè trước chợ"]
    reports_a = [await stored_report(db, ward_code=WARD_A, description=text, phone="0912345678" if n == 0 else None,
                                     citizen_text=CITIZEN_SAID, latitude=21.02712, longitude=105.83551)
                 for n, text in enumerate(descriptions)]
    report_b = await stored_report(db, ward_code=WARD_B, description="Quây tôn lấn chiếm vỉa hè")
    return reports_a, report_b


@asynccontextmanager
async def running_console(tmp: Path, public_base_url: str = "http://127.0.0.1", **env: str) -> AsyncIterator[RunningConsole]:
    async with migrated_database(sqlite_file_url(tmp)) as db:
        reports_a, report_b = await seed(db)
        tracker = tmp / "tracker.db"
        write_tracker(tracker, (await _sender(db, reports_a[0].code)))
        settings = replace(web_settings(tmp, PUBLIC_BASE_URL=public_base_url, CONSOLE_SECRET_KEY=SECRET, **env),
                           modelops=modelops_settings(tmp))
        app = create_app(settings, database=db, transcripts=TranscriptReader(f"sqlite:///{tracker}"))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            yield RunningConsole(db, str(server.make_url("")).rstrip("/"), tmp, reports_a, report_b)
        finally:
            await server.close()


def modelops_settings(tmp: Path) -> ModelOpsSettings:
    """The retraining loop on copies of the project's domain and config, with a training data
    folder and a models folder of its own, and no Rasa server running."""
    (tmp / "data" / "nlu").mkdir(parents=True, exist_ok=True)
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp / name)
    return load_settings({"MODELS_DIR": str(tmp / "models"), "TRAINING_DATA_DIR": str(tmp / "data"),
                          "TRAINING_CONFIG": str(tmp / "config.yml"), "TRAINING_DOMAIN": str(tmp / "domain.yml"),
                          "RASA_INTERNAL_URLS": f"http://127.0.0.1:{free_port()}"}).modelops


async def _sender(db: Database, code: str) -> str:
    async with db.session() as session:
        return (await session.execute(select(Report.sender_id).where(Report.code == code))).scalar_one()


async def login(http: aiohttp.ClientSession, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    form = await http.get("/console/login")
    token = CSRF.search(await form.text()).group(1)
    response = await http.post("/console/login", allow_redirects=False, data={
        "csrf_token": token, "username": username, "password": password, "next": "/console/"})
    assert response.status == 303, await response.text()
    queue = await http.get("/console/")
    return CSRF.search(await queue.text()).group(1)

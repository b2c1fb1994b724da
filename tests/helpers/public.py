"""The web server for the public page /tra-cuu, and reports with known league-table figures in
one month (web and browser tests)."""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import AsyncIterator

from aiohttp.test_utils import TestServer

from bot.public.league import Month, default_month
from bot.sla import default_calendar
from bot.staff.localtime import local_today
from bot.staff.transcript import TranscriptReader
from bot.storage.db import Database
from bot.web import create_app
from tests.helpers.figures import report
from tests.helpers.staff import WARD_A, WARD_B
from tests.helpers.web import web_settings

SECRET = "public-page-test-secret-long-enough"


@asynccontextmanager
async def public_server(db: Database, tmp: Path, **env: str) -> AsyncIterator[str]:
    """The real web app on a free loopback port, over `db`; yields its base URL. Requests from
    127.0.0.1 are a trusted proxy's: their X-Forwarded-For names the client."""
    settings = web_settings(tmp, CONSOLE_SECRET_KEY=SECRET, TRUSTED_PROXIES="127.0.0.1/32", **env)
    app = create_app(settings, database=db, transcripts=TranscriptReader(f"sqlite:///{tmp / 'tracker.db'}"))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def in_month(month: Month, day: int, hour: int = 9) -> datetime:
    """A moment of `month` in Hanoi."""
    return datetime.combine(datetime(month.year, month.month, day).date(), time(hour), tzinfo=default_calendar().tz)


@dataclass(frozen=True)
class SeededMonth:
    month: Month  # the last full month: the page's default
    codes: list[str]


async def seed_month(db: Database) -> SeededMonth:
    """In the last full month — ward A: handled on time in 24 h (satisfied), handled late in
    192 h (acceptable); ward B: open and past its deadline, handled on time in 48 h
    (unsatisfied), handled late in 240 h. One more report of ward A in the month before, which
    must not count. City: 5 received, 4 handled, 2 on time of 5, median 120 h to handle."""
    month = default_month(local_today())
    codes = [
        await report(db, in_month(month, 3), WARD_A, "5 Tôn Đức Thắng", ack_hours=2, handled_hours=24,
                     rating="satisfied"),
        await report(db, in_month(month, 4), WARD_A, "7 Tôn Đức Thắng", handled_hours=192, rating="acceptable"),
        await report(db, in_month(month, 5), WARD_B, "3 Lương Định Của", due_days=2),
        await report(db, in_month(month, 6), WARD_B, "9 Lương Định Của", handled_hours=48, rating="unsatisfied"),
        await report(db, in_month(month, 7), WARD_B, "11 Lương Định Của", handled_hours=240),
    ]
    await report(db, in_month(month.previous, 20), WARD_A, "20 Tôn Đức Thắng", handled_hours=24)
    return SeededMonth(month, codes)

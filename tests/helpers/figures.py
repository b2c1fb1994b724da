"""Reports with known KPI figures, for the console's KPI tests (web and browser)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from bot import statuses
from bot.storage.db import Database
from bot.storage.models import Report, utcnow
from bot.storage.reports import change_status, submit_report
from tests.helpers.reports import sample_draft
from tests.helpers.staff import WARD_A, WARD_B


@dataclass
class Seeded:
    now: datetime
    old: str  # 40 days ago: outside the default 30 days


async def report(db: Database, created: datetime, ward: str, address: str, *, due_days: int = 5,
                 ack_hours: float | None = None, handled_hours: float | None = None,
                 rating: str | None = None) -> str:
    """A report created at `created`, due `due_days` later, acknowledged and handled after
    the given hours (handled straight from "new" counts as acknowledged then), rated."""
    code = (await submit_report(db, sample_draft(ward_code=ward, address_text=address), now=created)).code
    if ack_hours is not None:
        await change_status(db, code, statuses.ACKNOWLEDGED, "canbo", now=created + timedelta(hours=ack_hours))
    if handled_hours is not None:
        await change_status(db, code, statuses.HANDLED, "canbo", "Đã xử lý",
                            now=created + timedelta(hours=handled_hours))
    async with db.session() as session, session.begin():
        await session.execute(update(Report).where(Report.code == code).values(
            due_at=created + timedelta(days=due_days), satisfaction=rating))
    return code


async def seed_figures(db: Database) -> Seeded:
    """Ward A: on time (satisfied), late (acceptable). Ward B: open and 18 days overdue, on
    time (unsatisfied), late. City: 2 on time of 5 judged; 10 received with the console's 5."""
    now = utcnow()
    ten_days_ago = now - timedelta(days=10)
    await report(db, ten_days_ago, WARD_A, "5 Tôn Đức Thắng", ack_hours=2, handled_hours=24, rating="satisfied")
    await report(db, ten_days_ago, WARD_A, "7 Tôn Đức Thắng", ack_hours=6, handled_hours=192, rating="acceptable")
    await report(db, now - timedelta(days=20), WARD_B, "3 Lương Định Của", due_days=2)
    await report(db, now - timedelta(days=5), WARD_B, "9 Lương Định Của", handled_hours=48, rating="unsatisfied")
    await report(db, now - timedelta(days=12), WARD_B, "11 Lương Định Của", handled_hours=240)
    old = await report(db, now - timedelta(days=40), WARD_A, "20 Tôn Đức Thắng", handled_hours=24)
    return Seeded(now, old)

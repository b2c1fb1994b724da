"""The citizen's word after "handled": a rating, and reopening when the problem is still there.

Only the citizen who sent a report (same sender id) may rate or reopen it, and only while it
stands as handled. "Chưa hài lòng" reopens the report (handled → in_progress) with the
citizen's own words as the note, so the ward sees why.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot import statuses
from bot.storage.db import Database
from bot.storage.errors import StorageError
from bot.storage.models import Report, Ward, utcnow
from bot.storage.reports import CITIZEN_ACTOR, ReportView, change_status, report_state

RATINGS = ("satisfied", "acceptable", "unsatisfied")
REOPEN_WINDOW = timedelta(days=30)  # a reopening without a code is about a report handled this recently


class NotYourReport(StorageError):
    pass


class NotHandled(StorageError):
    pass


async def reopenable(db: Database, code: str, sender_id: str) -> str:
    """The canonical code when this sender's report stands as handled; raises otherwise."""
    state = await report_state(db, code)
    if state.sender_id != sender_id:
        raise NotYourReport(state.code)
    if state.status != statuses.HANDLED:
        raise NotHandled(state.code)
    return state.code


@dataclass(frozen=True)
class HandledReport:
    code: str
    category: str
    ward_name: str


async def recently_handled(db: Database, sender_id: str, within: timedelta = REOPEN_WINDOW,
                           now: datetime | None = None, limit: int = 5) -> list[HandledReport]:
    """The sender's reports handled within `within`, the most recent first: what "vẫn còn
    vi phạm" without a code may refer to (the citizen picks one)."""
    since = (now or utcnow()) - within
    async with db.session() as session:
        rows = await session.execute(
            select(Report.code, Report.category, Ward.name).join(Ward, Ward.code == Report.ward_code)
            .where(Report.sender_id == sender_id, Report.status == statuses.HANDLED, Report.handled_at >= since)
            .order_by(Report.handled_at.desc()).limit(limit))
        return [HandledReport(code, category, ward) for code, category, ward in rows]


async def rate_report(db: Database, code: str, sender_id: str, rating: str, now: datetime | None = None) -> str:
    """Store the rating; returns the canonical code."""
    if rating not in RATINGS:
        raise ValueError(f"unknown rating {rating!r}")
    canonical = await reopenable(db, code, sender_id)
    async with db.session() as session, session.begin():
        result = await session.execute(
            update(Report).where(Report.code == canonical, Report.status == statuses.HANDLED)
            .values(satisfaction=rating, satisfaction_at=now or utcnow())
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # reopened or moved on since it was read
            raise NotHandled(canonical)
    return canonical


async def reopen_report(db: Database, code: str, sender_id: str, words: str, now: datetime | None = None) -> ReportView:
    """One write: the status goes back to in progress (only if still handled), counted, rated."""
    canonical = await reopenable(db, code, sender_id)
    note = f"Người dân chưa hài lòng, phản ánh vẫn còn vi phạm: {words.strip()}" if words.strip() else \
        "Người dân chưa hài lòng với kết quả xử lý."
    return await change_status(db, canonical, statuses.IN_PROGRESS, CITIZEN_ACTOR, note, now=now,
                               expected_status=statuses.HANDLED,
                               also={"reopen_count": Report.reopen_count + 1, "satisfaction": "unsatisfied"})

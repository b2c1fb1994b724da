"""A citizen's rating and reopening, each one write (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import statuses
from bot.storage.db import Database
from bot.storage.feedback import NotHandled, NotYourReport, rate_report, reopen_report
from bot.storage.models import Report, StatusHistory
from bot.storage.reports import change_status
from tests.helpers.reports import stored_report

OFFICER = "staff:officer-1"


async def handled(db: Database, **changes: object) -> tuple[str, str]:
    report = await stored_report(db, **changes)
    for status in (statuses.ACKNOWLEDGED, statuses.IN_PROGRESS, statuses.HANDLED):
        await change_status(db, report.code, status, OFFICER, "xong")
    return report.code, report.sender_id


async def row(db: Database, code: str) -> Report:
    async with db.session() as session:
        return (await session.execute(select(Report).where(Report.code == code))).scalar_one()


async def test_a_reopening_changes_status_count_and_rating_together(db: Database) -> None:
    code, sender = await handled(db)
    view = await reopen_report(db, code, sender, "vẫn bày bàn ghế")
    report = await row(db, code)
    assert view.status == report.status == statuses.IN_PROGRESS
    assert (report.reopen_count, report.satisfaction) == (1, "unsatisfied")
    async with db.session() as session:
        notes = (await session.scalars(select(StatusHistory.note).where(StatusHistory.report_id == report.id))).all()
    assert any("vẫn bày bàn ghế" in (note or "") for note in notes)


async def test_a_failed_reopening_writes_nothing(db: Database) -> None:
    code, sender = await handled(db)
    await reopen_report(db, code, sender, "")
    with pytest.raises(NotHandled):  # already reopened: not handled any more
        await reopen_report(db, code, sender, "")
    with pytest.raises(NotYourReport):
        await reopen_report(db, code, "someone-else", "")
    assert (await row(db, code)).reopen_count == 1


async def test_a_rating_is_only_for_its_citizen_and_a_handled_report(db: Database) -> None:
    code, sender = await handled(db)
    with pytest.raises(NotYourReport):
        await rate_report(db, code, "someone-else", "satisfied")
    assert await rate_report(db, code, sender, "satisfied") == code
    assert (await row(db, code)).satisfaction == "satisfied"
    await reopen_report(db, code, sender, "")
    with pytest.raises(NotHandled):
        await rate_report(db, code, sender, "satisfied")

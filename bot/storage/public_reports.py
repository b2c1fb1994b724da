"""Reading reports as the public may see them (`bot.publication`): only the public columns are
ever selected, so nothing else can leak into an answer.

One query for the reports (newest first, through the created-at indexes), then one for the
latest status note of the closed ones and one for their result photos, in chunks of ids.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import select

from bot import statuses
from bot.publication import PublicReport, public_note
from bot.storage.db import Database
from bot.storage.models import Attachment, Report, StatusHistory, Ward
from bot.storage.reports import RESULT_PHOTO

MAX_REPORTS = 1000
_CHUNK = 500  # ids per IN (…): well under every driver's parameter limit

_COLUMNS = (Report.id, Report.code, Report.category, Report.status, Report.ward_code, Ward.name.label("ward_name"),
            Report.created_at, Report.updated_at, Report.due_at, Report.house_number, Report.alley, Report.street,
            Report.street_kind, Report.latitude, Report.longitude)


@dataclass(frozen=True)
class PublicQuery:
    """Which reports: by codes (then nothing else narrows), or by received time, category and
    status; newest first, at most `limit`."""
    codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # inclusive
    limit: int = MAX_REPORTS


def _statement(query: PublicQuery) -> Any:
    statement = select(*_COLUMNS).join(Ward, Ward.code == Report.ward_code)
    if query.codes:
        statement = statement.where(Report.code.in_(query.codes))
    else:
        if query.since is not None:
            statement = statement.where(Report.created_at >= query.since)
        if query.until is not None:
            statement = statement.where(Report.created_at <= query.until)
        if query.categories:
            statement = statement.where(Report.category.in_(query.categories))
        if query.statuses:
            statement = statement.where(Report.status.in_(query.statuses))
    return statement.order_by(Report.created_at.desc(), Report.id.desc()).limit(min(query.limit, MAX_REPORTS))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


async def _latest_status_entries(session: Any, ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    latest: dict[int, tuple[str, str | None]] = {}
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(StatusHistory.report_id, StatusHistory.to_status, StatusHistory.note)
            .where(StatusHistory.report_id.in_(chunk), StatusHistory.event == statuses.EVENT_STATUS)
            .order_by(StatusHistory.id))
        for report_id, to_status, note in rows:
            latest[report_id] = (to_status, note)
    return latest


async def _result_photos(session: Any, ids: Sequence[int]) -> dict[int, list[str]]:
    photos: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(Attachment.report_id, Attachment.url)
            .where(Attachment.report_id.in_(chunk), Attachment.kind == RESULT_PHOTO).order_by(Attachment.id))
        for report_id, url in rows:
            photos[report_id].append(url)
    return photos


async def public_reports(db: Database, query: PublicQuery) -> list[PublicReport]:
    async with db.session() as session:
        rows = (await session.execute(_statement(query))).all()
        closed = [row.id for row in rows if row.status in statuses.CLOSED_STATUSES]
        entries = await _latest_status_entries(session, closed)
        handled = [row.id for row in rows if row.status == statuses.HANDLED]
        photos = await _result_photos(session, handled)
    reports = []
    for row in rows:
        to_status, note = entries.get(row.id, (row.status, None))
        reports.append(PublicReport(
            row.code, row.category, row.status, row.ward_code, row.ward_name, row.created_at, row.updated_at,
            row.due_at, row.house_number, row.alley, row.street, row.street_kind, row.latitude, row.longitude,
            public_note(to_status, row.status, note), tuple(photos.get(row.id, ()))))
    return reports


async def public_report(db: Database, code: str) -> PublicReport | None:
    """One report by its canonical code (`bot.codes.normalize_code`), or None."""
    found = await public_reports(db, PublicQuery(codes=(code,), limit=1))
    return found[0] if found else None

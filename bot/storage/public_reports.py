"""Reading reports as the public may see them (`bot.publication`): only the public columns are
ever selected, so nothing else can leak into an answer.

One query (Core rows, no ORM objects: up to 1,000 of them) reads the reports newest first
through the created-at indexes, with, for a closed report, its latest status entry (to know
whether its note is public) and whether it has a result photo, as correlated subqueries on
the report's own history and attachments; the photos' addresses are read afterwards for the
few that have one.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import case, exists, select

from bot import statuses
from bot.publication import PublicReport, public_note
from bot.storage.db import Database
from bot.storage.models import Attachment, Report, StatusHistory, Ward
from bot.storage.reports import RESULT_PHOTO

MAX_REPORTS = 1000
_CLOSED = sorted(statuses.CLOSED_STATUSES)


def _latest_status(column: Any) -> Any:
    """The report's latest status change's `column`, for a closed report (else NULL)."""
    latest = (select(column).where(StatusHistory.report_id == Report.id, StatusHistory.event == statuses.EVENT_STATUS)
              .order_by(StatusHistory.id.desc()).limit(1).correlate(Report).scalar_subquery())
    return case((Report.status.in_(_CLOSED), latest), else_=None)


_COLUMNS = (Report.id, Report.code, Report.category, Report.status, Report.ward_code, Ward.name.label("ward_name"),
            Report.created_at, Report.updated_at, Report.due_at, Report.house_number, Report.alley, Report.street,
            Report.street_kind, Report.latitude, Report.longitude,
            _latest_status(StatusHistory.to_status).label("last_to_status"),
            _latest_status(StatusHistory.note).label("last_note"),
            case((Report.status == statuses.HANDLED,
                  exists().where(Attachment.report_id == Report.id, Attachment.kind == RESULT_PHOTO)),
                 else_=False).label("has_result_photo"))


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


async def _result_photos(connection: Any, ids: Sequence[int]) -> dict[int, list[str]]:
    photos: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = await connection.execute(
            select(Attachment.report_id, Attachment.url)
            .where(Attachment.report_id.in_(ids), Attachment.kind == RESULT_PHOTO).order_by(Attachment.id))
        for report_id, url in rows:
            photos[report_id].append(url)
    return photos


async def public_reports(db: Database, query: PublicQuery) -> list[PublicReport]:
    async with db.engine.connect() as connection:
        rows = (await connection.execute(_statement(query))).all()
        photos = await _result_photos(connection, [row.id for row in rows if row.has_result_photo])
    # the columns after the id are PublicReport's fields, in order (`_COLUMNS`)
    return [PublicReport(*public, public_note(last_to_status or "", public[2], last_note),
                         tuple(photos.get(row_id, ())))
            for row_id, *public, last_to_status, last_note, _photo in map(tuple, rows)]


async def public_report(db: Database, code: str) -> PublicReport | None:
    """One report by its canonical code (`bot.codes.normalize_code`), or None."""
    found = await public_reports(db, PublicQuery(codes=(code,), limit=1))
    return found[0] if found else None

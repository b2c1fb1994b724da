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
from typing import Any

from sqlalchemy import case, exists, select
from sqlalchemy.orm import aliased

from bot import statuses
from bot.codes import normalize_code
from bot.publication import PublicReport, public_note
from bot.storage.db import Database
from bot.storage.models import Attachment, Report, StatusHistory, Ward
from bot.storage.reports import CITIZEN_ACTOR, RESULT_PHOTO

MAX_REPORTS = 1000
PUBLIC_DECIMALS = 3  # of a coordinate: about 110 m of latitude
_CLOSED = sorted(statuses.CLOSED_STATUSES)
# What a string that is not a code is looked up as: 0 is never in a code.
NO_SUCH_CODE = "PA-000000"
_Original = aliased(Report)


def _latest_status(column: Any) -> Any:
    """The report's latest status change's `column`, for a closed report (else NULL)."""
    latest = (select(column).where(StatusHistory.report_id == Report.id, StatusHistory.event == statuses.EVENT_STATUS)
              .order_by(StatusHistory.id.desc()).limit(1).correlate(Report).scalar_subquery())
    return case((Report.status.in_(_CLOSED), latest), else_=None)


_COLUMNS = (Report.id, Report.code, Report.category, Report.status, Report.ward_code, Ward.name.label("ward_name"),
            Report.created_at, Report.updated_at, Report.due_at, Report.house_number, Report.alley, Report.street,
            Report.street_kind, Report.latitude, Report.longitude,
            select(_Original.code).where(_Original.id == Report.duplicate_of_id).correlate(Report)
            .scalar_subquery().label("merged_into"),
            _latest_status(StatusHistory.to_status).label("last_to_status"),
            _latest_status(StatusHistory.note).label("last_note"),
            _latest_status(StatusHistory.actor).label("last_actor"),
            _latest_status(StatusHistory.created_at).label("last_at"),
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


async def _result_photos(connection: Any, since: dict[int, Any]) -> dict[int, list[str]]:
    """Staff's photos of each handled report's latest "handled" (`since`: report → when; a
    report handled, reopened and handled again shows only the new ones)."""
    photos: dict[int, list[str]] = defaultdict(list)
    if since:
        rows = await connection.execute(
            select(Attachment.report_id, Attachment.url, Attachment.created_at)
            .where(Attachment.report_id.in_(since), Attachment.kind == RESULT_PHOTO).order_by(Attachment.id))
        for report_id, url, created_at in rows:
            if since[report_id] is None or created_at >= since[report_id]:
                photos[report_id].append(url)
    return photos


def _near(degrees: float | None) -> float | None:
    """A shared location is often where the citizen stood (their own home, reporting a
    neighbour): published to about 100 m (`bot.publication`)."""
    return None if degrees is None else round(degrees, PUBLIC_DECIMALS)


def _public(row: Any, photos: dict[int, list[str]]) -> PublicReport:
    by_staff = row.last_actor is not None and row.last_actor != CITIZEN_ACTOR
    return PublicReport(
        code=row.code, category=row.category, status=row.status, ward_code=row.ward_code, ward_name=row.ward_name,
        created_at=row.created_at, updated_at=row.updated_at, due_at=row.due_at, house_number=row.house_number,
        alley=row.alley, street=row.street, street_kind=row.street_kind, latitude=_near(row.latitude),
        longitude=_near(row.longitude), result_note=public_note(row.last_to_status or "", row.status, row.last_note, by_staff),
        result_photo_urls=tuple(photos.get(row.id, ()) if by_staff else ()),
        merged_into=row.merged_into if row.status == statuses.DUPLICATE else None)


async def public_reports(db: Database, query: PublicQuery) -> list[PublicReport]:
    async with db.engine.connect() as connection:
        rows = (await connection.execute(_statement(query))).all()
        photos = await _result_photos(connection, {row.id: row.last_at for row in rows if row.has_result_photo})
    return [_public(row, photos) for row in rows]


async def public_report(db: Database, code_text: str) -> PublicReport | None:
    """The report `code_text` names, typed however loosely (`bot.codes.normalize_code`), or None;
    text that is not a code costs the same query as a code."""
    found = await public_reports(db, PublicQuery(codes=(normalize_code(code_text or "") or NO_SUCH_CODE,), limit=1))
    return found[0] if found else None

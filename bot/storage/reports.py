"""The report repository: submit, look up, list and change the status of reports.

Every function takes a `Database` and runs its own short transactions. Views returned
to callers are plain dataclasses, detached from any session.

SQLite note: write transactions start with a write (reads are done in a separate
session before), so a concurrent writer waits on the busy timeout instead of failing
on a read-to-write lock upgrade.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from bot import messages_vi, statuses
from bot.notifications.outbox import add_notification
from bot.codes import generate_code, normalize_code
from bot.sla import due_at_for
from bot.storage.db import Database
from bot.storage.errors import (
    ConcurrentUpdate,
    InvalidReport,
    InvalidTransition,
    ReportNotFound,
    StorageError,
    UnknownWard,
)
from bot.storage.models import Attachment, Report, StatusHistory, utcnow
from bot.storage.wards import WardRow, get_ward, seed_wards

__all__ = [
    "ReportDraft", "ReportView", "WardRow", "submit_report", "find_report",
    "list_reports_for_sender", "change_status", "seed_wards", "get_ward",
]

CITIZEN_ACTOR = "citizen"
PHOTO = "photo"
_CODE_ATTEMPTS = 5


@dataclass(frozen=True, kw_only=True)
class ReportDraft:
    draft_key: str  # idempotency key: one report per key, however often submitted
    category: str
    description: str
    citizen_text: str
    address_text: str
    ward_code: str
    channel: str
    sender_id: str
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    anonymous: bool = False
    photo_urls: list[str] = field(default_factory=list)
    priority: str = statuses.NORMAL


@dataclass(frozen=True)
class ReportView:
    code: str
    category: str
    category_label: str
    priority: str
    description: str
    address_text: str
    ward_code: str
    ward_name: str
    status: str
    status_label: str  # what the citizen sees, in Vietnamese
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    latest_note: str | None  # note of the most recent history entry
    photo_urls: list[str]


def _view(report: Report) -> ReportView:
    return ReportView(
        code=report.code,
        category=report.category,
        category_label=statuses.category_label(report.category),
        priority=report.priority,
        description=report.description,
        address_text=report.address_text,
        ward_code=report.ward_code,
        ward_name=report.ward.name,
        status=report.status,
        status_label=statuses.citizen_label(report.status),
        created_at=report.created_at,
        updated_at=report.updated_at,
        due_at=report.due_at,
        latest_note=report.history[-1].note if report.history else None,
        photo_urls=[a.url for a in report.attachments if a.kind == PHOTO],
    )


def _with_details() -> Any:
    return select(Report).options(
        joinedload(Report.ward),
        selectinload(Report.history),
        selectinload(Report.attachments),
    )


async def _views(db: Database, statement: Any) -> list[ReportView]:
    async with db.session() as session:
        result = await session.execute(statement)
        return [_view(report) for report in result.scalars().unique()]


async def _one_view(db: Database, *criteria: Any) -> ReportView | None:
    views = await _views(db, _with_details().where(*criteria))
    return views[0] if views else None


def _validate(draft: ReportDraft) -> None:
    if not draft.draft_key:
        raise InvalidReport("draft_key is required")
    if draft.category not in statuses.CATEGORIES:
        raise InvalidReport(f"Unknown category {draft.category!r}")
    if draft.priority not in statuses.PRIORITIES:
        raise InvalidReport(f"Unknown priority {draft.priority!r}")


def _new_report(draft: ReportDraft, code: str, now: datetime) -> Report:
    return Report(
        code=code, draft_key=draft.draft_key, category=draft.category,
        priority=draft.priority, description=draft.description,
        citizen_text=draft.citizen_text, address_text=draft.address_text,
        ward_code=draft.ward_code, latitude=draft.latitude, longitude=draft.longitude,
        channel=draft.channel, sender_id=draft.sender_id, phone=draft.phone,
        anonymous=draft.anonymous, status=statuses.NEW,
        created_at=now, updated_at=now,
        due_at=due_at_for(draft.category, draft.priority, now),
        history=[StatusHistory(
            event=statuses.EVENT_STATUS, from_status=None, to_status=statuses.NEW,
            actor=CITIZEN_ACTOR, note=None, created_at=now,
        )],
        attachments=[Attachment(kind=PHOTO, url=url, created_at=now) for url in draft.photo_urls],
    )


async def _insert(db: Database, report: Report) -> None:
    async with db.session() as session, session.begin():
        session.add(report)


async def _code_taken(db: Database, code: str) -> bool:
    async with db.session() as session:
        found = await session.execute(select(Report.id).where(Report.code == code))
        return found.first() is not None


async def submit_report(db: Database, draft: ReportDraft, *, now: datetime | None = None) -> ReportView:
    """Store a new report, or return the one already stored under `draft.draft_key`.

    The report, its first history entry and its photos are committed together.
    """
    _validate(draft)
    existing = await _one_view(db, Report.draft_key == draft.draft_key)
    if existing:
        return existing
    if await get_ward(db, draft.ward_code) is None:
        raise UnknownWard(draft.ward_code)
    now = now or utcnow()
    for _ in range(_CODE_ATTEMPTS):
        code = generate_code()
        try:
            await _insert(db, _new_report(draft, code, now))
        except IntegrityError:
            existing = await _one_view(db, Report.draft_key == draft.draft_key)
            if existing:  # a concurrent submit of the same draft won
                return existing
            if not await _code_taken(db, code):
                raise
            continue  # code collision: draw another
        view = await _one_view(db, Report.code == code)
        assert view is not None
        return view
    raise StorageError("Could not allocate a unique report code")


async def find_report(db: Database, code_text: str) -> ReportView | None:
    """The report whose code the user typed, however messily; None if there is none."""
    code = normalize_code(code_text)
    return await _one_view(db, Report.code == code) if code else None


async def list_reports_for_sender(
    db: Database, channel: str | None, sender_id: str, limit: int = 5
) -> list[ReportView]:
    """The sender's latest reports, newest first; `channel=None` means any channel."""
    statement = _with_details().where(Report.sender_id == sender_id)
    if channel is not None:
        statement = statement.where(Report.channel == channel)
    statement = statement.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
    return await _views(db, statement)


async def _current_status(db: Database, code: str) -> tuple[int, str]:
    async with db.session() as session:
        row = (await session.execute(
            select(Report.id, Report.status).where(Report.code == code)
        )).one_or_none()
    if row is None:
        raise ReportNotFound(code)
    return row.id, row.status


async def _notify_citizen(session: Any, report_id: int, key: str, to_status: str, note: str | None) -> None:
    """Queue the citizen's notification in the transaction that changes the report."""
    report = (await session.execute(
        select(Report).options(joinedload(Report.ward)).where(Report.id == report_id)
    )).scalar_one()
    text = messages_vi.status_notification(report.code, to_status, report.ward.name, note)
    add_notification(session, key, report.channel, report.sender_id, text, report_id=report_id)


async def change_status(
    db: Database, code: str, to_status: str, actor: str, note: str | None = None,
    *, now: datetime | None = None,
) -> ReportView:
    """Move a report to `to_status`, recording who did it, when and why.

    Raises ReportNotFound, InvalidTransition, or ConcurrentUpdate when the status
    changed between reading and writing it.
    """
    canonical = normalize_code(code) or code
    report_id, from_status = await _current_status(db, canonical)
    if not statuses.can_transition(from_status, to_status):
        raise InvalidTransition(canonical, from_status, to_status)
    now = now or utcnow()
    async with db.session() as session, session.begin():
        result = await session.execute(
            update(Report)
            .where(Report.id == report_id, Report.status == from_status)
            .values(status=to_status, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"Report {canonical} changed while updating it")
        history = StatusHistory(
            report_id=report_id, event=statuses.EVENT_STATUS, from_status=from_status,
            to_status=to_status, actor=actor, note=note, created_at=now,
        )
        session.add(history)
        await session.flush()
        await _notify_citizen(session, report_id, f"status:{history.id}", to_status, note)
    view = await _one_view(db, Report.id == report_id)
    assert view is not None
    return view

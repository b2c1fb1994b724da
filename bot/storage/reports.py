"""The report repository: submit, look up, list and change the status of reports.

Every function takes a `Database` and runs its own short transactions. Views returned
to callers are plain dataclasses, detached from any session.

SQLite note: write transactions start with a write (reads are done in a separate
session before), so a concurrent writer waits on the busy timeout instead of failing
on a read-to-write lock upgrade.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from bot import messages_vi, statuses
from bot.address.parts import AddressParts, place_key
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
from bot.storage.models import Attachment, Report, StatusHistory, search_text_for, utcnow
from bot.storage.outbox import SILENT_CHANNELS, add_notification
from bot.storage.uploads import attach
from bot.storage.wards import WardRow, get_ward, seed_wards

__all__ = [
    "ReportDraft", "ReportView", "WardRow", "submit_report", "find_report",
    "list_reports_for_sender", "ReportState", "report_state", "change_status", "transfer_report",
    "confirm_ward", "add_note", "seed_wards", "get_ward",
]

CITIZEN_ACTOR = "citizen"
WARD_CODE = re.compile(r"^\d{5}$")
# History note (staff only) when an uncertain ward is confirmed as the right one.
WARD_CONFIRMED_NOTE = ("Xác nhận phản ánh thuộc {ward} ({code}); bỏ đánh dấu “phường chưa chắc chắn” "
                       "(phường ứng viên: {candidates}).")
PHOTO = "photo"  # the citizen's photos
RESULT_PHOTO = "result_photo"  # staff's photo of the result, with "handled"
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
    sender_id: str  # the citizen: on the web chat, the browser's identity (bot.identity.citizen_of)
    conversation_id: str | None = None  # Rasa's sender id, for the transcript (None: the sender's)
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    anonymous: bool = False
    # The citizen agreed to get the news by ZNS (a Zalo message to `phone`) after the reply window.
    notify_consent: bool = False
    photo_urls: list[str] = field(default_factory=list)
    priority: str = statuses.NORMAL
    address: AddressParts = field(default_factory=AddressParts)  # the parts; `address_text` is used without them
    # "Phường chưa chắc chắn": codes of the wards the place may belong to when the citizen did not
    # know which new ward their old ward became and `ward_code` is the bot's best guess. Non-empty
    # means the ward is uncertain; staff see a mark until they transfer or confirm the ward.
    ward_candidates: list[str] = field(default_factory=list)


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
    latest_note: str | None  # note of the most recent status change (never an internal note)
    photo_urls: list[str]
    address: AddressParts = field(default_factory=AddressParts)
    ward_candidates: list[str] = field(default_factory=list)  # non-empty: "phường chưa chắc chắn"
    channel: str = ""
    sender_id: str = ""  # the citizen (never shown to anyone but staff who need it)

    @property
    def ward_uncertain(self) -> bool:
        return bool(self.ward_candidates)

    def made_by(self, channel: str | None, sender_id: str) -> bool:
        """Is this the citizen who sent the report? (`channel=None`: on any channel)"""
        return self.sender_id == sender_id and (channel is None or self.channel == channel)


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
        latest_note=next((h.note for h in reversed(report.history) if h.event == statuses.EVENT_STATUS), None),
        photo_urls=[a.url for a in report.attachments if a.kind == PHOTO],
        address=parts_of(report),
        ward_candidates=list(report.ward_candidates or []),
        channel=report.channel,
        sender_id=report.sender_id,
    )


PART_COLUMNS = ("house_number", "alley", "street", "street_kind", "area", "landmark", "old_ward", "old_district")


def parts_of(report: Report) -> AddressParts:
    """A stored report's address parts (with its coordinates)."""
    return AddressParts(**{name: getattr(report, name) for name in PART_COLUMNS}, new_ward=report.named_ward,
                        latitude=report.latitude, longitude=report.longitude)


def _part_values(parts: AddressParts) -> dict[str, Any]:
    """The parts as columns, each clipped to its column (a parser reading of a long, odd
    message must not make the database refuse the whole report)."""
    values: dict[str, Any] = {name: _clipped(name, getattr(parts, name)) for name in PART_COLUMNS}
    values.update(named_ward=parts.new_ward, place_key=place_key(parts))
    return values


def _clipped(column: str, value: Any) -> Any:
    length = getattr(Report.__table__.c[column].type, "length", None)
    return value[:length] if isinstance(value, str) and length else value


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
    for code in draft.ward_candidates:
        if not (isinstance(code, str) and WARD_CODE.match(code)):
            raise InvalidReport(f"Not a ward code: {code!r}")


def candidates_of(draft: ReportDraft) -> list[str]:
    """The draft's candidate wards, each once, in order; none when the only one is the ward
    itself (then nothing is uncertain)."""
    codes = list(dict.fromkeys(draft.ward_candidates))
    return codes if any(code != draft.ward_code for code in codes) else []


def _new_report(draft: ReportDraft, code: str, now: datetime, ward_name: str) -> Report:
    address = draft.address.display(ward_name) if not draft.address.empty else draft.address_text
    return Report(
        code=code, draft_key=draft.draft_key, category=draft.category,
        priority=draft.priority, description=draft.description,
        citizen_text=draft.citizen_text, address_text=address, **_part_values(draft.address),
        ward_code=draft.ward_code, ward_candidates=candidates_of(draft) or None,
        latitude=draft.latitude, longitude=draft.longitude,
        channel=draft.channel, sender_id=draft.sender_id, conversation_id=draft.conversation_id or draft.sender_id,
        phone=draft.phone,
        notify_consent=bool(draft.phone and draft.notify_consent),
        notify_consent_at=now if draft.phone and draft.notify_consent else None,
        anonymous=draft.anonymous, status=statuses.NEW,
        search_text=search_text_for(code, draft.description, address, draft.citizen_text),
        created_at=now, updated_at=now,
        due_at=due_at_for(draft.category, draft.priority, now),
        history=[StatusHistory(
            event=statuses.EVENT_STATUS, from_status=None, to_status=statuses.NEW,
            actor=CITIZEN_ACTOR, note=None, created_at=now,
        )],
        attachments=[Attachment(kind=PHOTO, url=url, created_at=now) for url in draft.photo_urls],
    )


async def _insert(db: Database, report: Report, photo_urls: Sequence[str]) -> None:
    async with db.session() as session, session.begin():
        session.add(report)
        await session.flush()
        await attach(session, report.id, photo_urls)


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
    ward = await get_ward(db, draft.ward_code)
    if ward is None:
        raise UnknownWard(draft.ward_code)
    now = now or utcnow()
    for _ in range(_CODE_ATTEMPTS):
        code = generate_code()
        try:
            await _insert(db, _new_report(draft, code, now, ward.name), draft.photo_urls)
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


@dataclass(frozen=True)
class ReportState:
    """Where a report stands: what a change reads before writing, outside the write."""
    id: int
    code: str
    status: str
    ward_code: str
    acknowledged_at: datetime | None
    ward_candidates: list[str] = field(default_factory=list)  # non-empty: the ward is uncertain
    sender_id: str | None = None


async def report_state(db: Database, code: str) -> ReportState:
    canonical = normalize_code(code) or code
    async with db.session() as session:
        row = (await session.execute(
            select(Report.id, Report.code, Report.status, Report.ward_code, Report.acknowledged_at,
                   Report.ward_candidates, Report.sender_id)
            .where(Report.code == canonical)
        )).one_or_none()
    if row is None:
        raise ReportNotFound(canonical)
    return ReportState(row.id, row.code, row.status, row.ward_code, row.acknowledged_at,
                       list(row.ward_candidates or []), row.sender_id)


def _check_expected(current: ReportState, expected_status: str | None, expected_ward: str | None) -> None:
    """The caller's view of the report (what the officer saw) must still be true."""
    if expected_status is not None and current.status != expected_status:
        raise ConcurrentUpdate(f"Report {current.code} is {current.status}, not {expected_status}")
    if expected_ward is not None and current.ward_code != expected_ward:
        raise ConcurrentUpdate(f"Report {current.code} is now with ward {current.ward_code}")


async def _update_unchanged(session: Any, current: ReportState, values: Mapping[str, Any]) -> None:
    """Write `values` only if status and ward are still what was read (optimistic concurrency)."""
    result = await session.execute(
        update(Report)
        .where(Report.id == current.id, Report.status == current.status, Report.ward_code == current.ward_code)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConcurrentUpdate(f"Report {current.code} changed while updating it")


async def _record(session: Any, current: ReportState, event: str, to_status: str, actor: str,
                  note: str | None, now: datetime) -> StatusHistory:
    history = StatusHistory(
        report_id=current.id, event=event, from_status=current.status, to_status=to_status,
        actor=actor, note=note, created_at=now,
    )
    session.add(history)
    await session.flush()
    return history


async def _notify_citizen(session: Any, report_id: int, key: str, text_for: Callable[[Report], str],
                          *, ask_rating: bool = False) -> None:
    """Queue the citizen's notification in the transaction that changes the report; after
    "handled" it carries the rating buttons (hài lòng / chấp nhận / chưa hài lòng)."""
    report = (await session.execute(
        select(Report).options(joinedload(Report.ward)).where(Report.id == report_id)
    )).scalar_one()
    if report.channel in SILENT_CHANNELS:
        return
    text = text_for(report)
    buttons: list[tuple[str, str]] = []
    if ask_rating:
        text = f"{text}\n{messages_vi.ASK_RATING}"
        buttons = [(title, messages_vi.rating_payload(report.code, rating)) for title, rating in messages_vi.RATING_BUTTONS]
    add_notification(session, key, report.channel, report.sender_id, text, report_id=report_id, buttons=buttons)


def _milestones(current: ReportState, to_status: str, now: datetime, duplicate_of_id: int | None) -> dict[str, Any]:
    """Workflow timestamps and links that go with a status change.

    `acknowledged_at` is the first response: set once, when the report first leaves "new"
    (whatever the new status). `handled_at` is when it was marked handled, cleared if reopened.
    `duplicate_of_id` is set on "duplicate" and cleared when the report leaves it.
    """
    values: dict[str, Any] = {}
    if current.acknowledged_at is None and current.status == statuses.NEW:
        values["acknowledged_at"] = now
    if to_status == statuses.HANDLED:
        values["handled_at"] = now
    elif current.status == statuses.HANDLED:
        values["handled_at"] = None  # reopened: not handled any more (KPIs, hotspots)
    if to_status == statuses.DUPLICATE:
        values["duplicate_of_id"] = duplicate_of_id
    elif current.status == statuses.DUPLICATE:
        values["duplicate_of_id"] = None
    return values


async def _reload(db: Database, report_id: int) -> ReportView:
    view = await _one_view(db, Report.id == report_id)
    assert view is not None
    return view


async def change_status(
    db: Database, code: str, to_status: str, actor: str, note: str | None = None,
    *, now: datetime | None = None, expected_status: str | None = None, expected_ward: str | None = None,
    duplicate_of_id: int | None = None, attachments: Sequence[tuple[str, str]] = (),
    notice_photo_url: str | None = None, also: Mapping[str, Any] | None = None,
) -> ReportView:
    """Move a report to `to_status`, recording who did it, when and why, and queue the
    citizen's notification in the same transaction.

    `expected_status` / `expected_ward`: what the caller saw; `attachments`: (kind, url)
    pairs stored with the change (e.g. the result photo); `notice_photo_url`: how the citizen's
    notification links that photo (a signed link); `duplicate_of_id`: the original report when
    `to_status` is "duplicate"; `also`: more column values written in the same update (a
    reopening counts itself and records the citizen's rating).
    Raises ReportNotFound, InvalidTransition, or ConcurrentUpdate when the report is no
    longer what the caller saw, or changed between reading and writing it.
    """
    current = await report_state(db, code)
    _check_expected(current, expected_status, expected_ward)
    if not statuses.can_transition(current.status, to_status):
        raise InvalidTransition(current.code, current.status, to_status)
    now = now or utcnow()
    values = {"status": to_status, "updated_at": now, **_milestones(current, to_status, now, duplicate_of_id),
              **(also or {})}
    photo_url = notice_photo_url or next((url for kind, url in attachments if kind == RESULT_PHOTO), None)
    async with db.session() as session, session.begin():
        await _update_unchanged(session, current, values)
        history = await _record(session, current, statuses.EVENT_STATUS, to_status, actor, note, now)
        for kind, url in attachments:
            session.add(Attachment(report_id=current.id, kind=kind, url=url, created_at=now))
        await attach(session, current.id, [url for _, url in attachments])
        if actor != CITIZEN_ACTOR:  # a citizen's own change (reopening) is answered in the chat
            await _notify_citizen(session, current.id, f"status:{history.id}", lambda report: (
                messages_vi.status_notification(report.code, to_status, report.ward.name, note, photo_url)),
                ask_rating=to_status == statuses.HANDLED)
    return await _reload(db, current.id)


async def transfer_report(
    db: Database, code: str, to_ward: str, actor: str, reason: str,
    *, now: datetime | None = None, expected_status: str | None = None, expected_ward: str | None = None,
) -> ReportView:
    """Send a report to another ward: the status is kept, the history gets a "transfer"
    entry naming both wards, and the citizen is told which ward handles it now. A transfer
    settles an uncertain ward: the candidates are cleared.

    Raises ReportNotFound, UnknownWard, InvalidReport (same ward) or ConcurrentUpdate.
    """
    current = await report_state(db, code)
    _check_expected(current, expected_status, expected_ward)
    if to_ward == current.ward_code:
        raise InvalidReport(f"Report {current.code} is already with ward {to_ward}")
    target, source = await get_ward(db, to_ward), await get_ward(db, current.ward_code)
    if target is None or not target.active:
        raise UnknownWard(to_ward)
    assert source is not None
    now = now or utcnow()
    note = messages_vi.transfer_history_note(source.name, source.code, target.name, target.code, reason)
    async with db.session() as session, session.begin():
        row = (await session.execute(select(Report).where(Report.id == current.id))).scalar_one()
        parts = parts_of(row)
        moved = {"address_text": parts.display(target.name)} if not parts.empty and parts.place_line() else {}
        await _update_unchanged(session, current, {"ward_code": to_ward, "ward_candidates": None, "updated_at": now,
                                                   **moved})
        history = await _record(session, current, statuses.EVENT_TRANSFER, current.status, actor, note, now)
        await _notify_citizen(session, current.id, f"transfer:{history.id}", lambda report: (
            messages_vi.transfer_notification(report.code, target.name)))
    return await _reload(db, current.id)


async def confirm_ward(
    db: Database, code: str, actor: str, note: str | None = None, *, now: datetime | None = None,
    expected_ward: str | None = None,
) -> ReportView:
    """The report's ward is the right one after all: the candidates are cleared (the mark
    "phường chưa chắc chắn" goes) and the history gets an internal "note" entry saying who
    confirmed it. Staff's confirmation, or the citizen's (`actor="citizen"`); the citizen is
    not notified (the ward did not change) and `updated_at` is kept.

    Raises ReportNotFound or ConcurrentUpdate (the report moved meanwhile). A report whose
    ward is already certain is returned unchanged.
    """
    current = await report_state(db, code)
    _check_expected(current, None, expected_ward)
    if not current.ward_candidates:
        return await _reload(db, current.id)
    names: dict[str, str] = {}
    for ward_code in (current.ward_code, *current.ward_candidates):
        ward = await get_ward(db, ward_code)
        names[ward_code] = ward.name if ward else ward_code
    entry = WARD_CONFIRMED_NOTE.format(ward=names[current.ward_code], code=current.ward_code,
                                       candidates=", ".join(names[c] for c in current.ward_candidates))
    if note and note.strip():
        entry = f"{entry} {note.strip()}"
    async with db.session() as session, session.begin():
        await _update_unchanged(session, current, {"ward_candidates": None})
        await _record(session, current, statuses.EVENT_NOTE, current.status, actor, entry, now or utcnow())
    return await _reload(db, current.id)


async def add_note(
    db: Database, code: str, actor: str, note: str, *, now: datetime | None = None,
    expected_ward: str | None = None,
) -> ReportView:
    """Staff's internal note: a "note" history entry, never shown or sent to the citizen.

    The report itself is not touched (its `updated_at` is what the citizen sees).
    """
    current = await report_state(db, code)
    _check_expected(current, None, expected_ward)
    async with db.session() as session, session.begin():
        await _record(session, current, statuses.EVENT_NOTE, current.status, actor, note, now or utcnow())
        ward_now = (await session.execute(select(Report.ward_code).where(Report.id == current.id))).scalar_one()
        if expected_ward is not None and ward_now != expected_ward:
            raise ConcurrentUpdate(f"Report {current.code} moved to ward {ward_now}")
    return await _reload(db, current.id)

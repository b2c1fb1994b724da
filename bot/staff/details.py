"""A report as staff see it: the citizen's words, photos, location, history, linked reports
and the open reports that are likely about the same thing (`bot.staff.repeats`).

`load_detail` checks that the staff member may read the report's ward, and gives the
citizen's phone number only to staff who may act on it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from bot import statuses
from bot.collation import sort_key
from bot.codes import normalize_code
from bot.staff import access
from bot.staff.access import Staff
from bot.staff.queue import is_overdue
from bot.staff.repeats import likely_duplicates
from bot.storage.db import Database
from bot.storage.errors import ReportNotFound
from bot.storage.models import Report, Ward, utcnow
from bot.address.parts import AddressParts
from bot.storage.reports import PHOTO, RESULT_PHOTO, parts_of

PART_LABELS = (("house_number", "Số nhà"), ("alley", "Ngõ, ngách"), ("street", "Đường, phố"), ("area", "Tổ, khu"),
               ("landmark", "Gần"), ("old_ward", "Phường, xã cũ"), ("old_district", "Quận, huyện cũ"))


def labelled_parts(parts: AddressParts) -> list[tuple[str, str]]:
    return [(label, str(getattr(parts, name))) for name, label in PART_LABELS if getattr(parts, name)]

EVENT_LABELS = {
    statuses.EVENT_STATUS: "Đổi trạng thái",
    statuses.EVENT_TRANSFER: "Chuyển phường, xã",
    statuses.EVENT_NOTE: "Ghi chú nội bộ",
}


@dataclass(frozen=True)
class HistoryEntry:
    event: str
    event_label: str
    from_status: str | None
    to_status: str
    to_label: str
    actor: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class LinkedReport:
    code: str
    status: str
    status_label: str
    readable: bool  # the staff member may open it


@dataclass(frozen=True)
class PossibleDuplicate:
    """An open report of the same ward and category at the same place, sent around the same time."""

    code: str
    status: str
    status_label: str
    created_at: datetime
    address_text: str


@dataclass(frozen=True)
class CandidateWard:
    """One of the wards an uncertain report may belong to ("phường chưa chắc chắn")."""

    code: str
    name: str
    current: bool  # the ward the report is with now (the bot's best guess)
    active: bool  # a transfer can go there


@dataclass(frozen=True)
class ReportDetail:
    code: str
    category: str
    category_label: str
    priority: str
    priority_label: str
    status: str
    status_label: str  # staff's label
    citizen_status_label: str  # what the citizen sees
    description: str
    citizen_text: str
    address_text: str
    ward_code: str
    ward_name: str
    latitude: float | None
    longitude: float | None
    address_parts: list[tuple[str, str]]  # (Vietnamese label, value) of each part the citizen gave
    channel: str
    conversation_id: str  # Rasa's sender id, for the transcript; never shown
    anonymous: bool
    phone: str | None  # None unless the staff member may act on the ward
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    overdue: bool
    acknowledged_at: datetime | None
    handled_at: datetime | None
    photo_urls: list[str]
    result_photo_urls: list[str]
    history: list[HistoryEntry]
    duplicate_of: LinkedReport | None
    duplicates: list[LinkedReport]
    likely_duplicates: list[PossibleDuplicate]  # not yet linked to this report
    can_act: bool
    ward_candidates: list[str] = field(default_factory=list)  # codes; non-empty: "phường chưa chắc chắn"
    candidate_wards: list[CandidateWard] = field(default_factory=list)  # the same, with names, in Vietnamese order

    @property
    def ward_uncertain(self) -> bool:
        return bool(self.ward_candidates)


def _linked(staff: Staff, report: Report) -> LinkedReport:
    return LinkedReport(report.code, report.status, statuses.staff_label(report.status),
                        access.can_read(staff, report.ward_code))


def _history(report: Report) -> list[HistoryEntry]:
    return [HistoryEntry(h.event, EVENT_LABELS.get(h.event, h.event), h.from_status, h.to_status,
                         statuses.staff_label(h.to_status), h.actor, h.note, h.created_at)
            for h in report.history]


async def load_detail(db: Database, staff: Staff, code: str, *, now: datetime | None = None) -> ReportDetail:
    """Raises ReportNotFound, or AccessDenied for a report of another ward."""
    canonical = normalize_code(code)
    if canonical is None:
        raise ReportNotFound(code)
    async with db.session() as session:
        report = (await session.execute(
            select(Report).options(joinedload(Report.ward), selectinload(Report.history),
                                   selectinload(Report.attachments))
            .where(Report.code == canonical)
        )).scalar_one_or_none()
        if report is None:
            raise ReportNotFound(canonical)
        access.require_read(staff, report.ward_code)
        original = await session.get(Report, report.duplicate_of_id) if report.duplicate_of_id else None
        duplicates = (await session.execute(
            select(Report).where(Report.duplicate_of_id == report.id).order_by(Report.created_at)
        )).scalars().all()
        candidates = list(report.ward_candidates or [])
        wards = (await session.execute(select(Ward).where(Ward.code.in_(candidates)))).scalars().all() \
            if candidates else []
    acts = access.can_act(staff, report.ward_code)
    linked = {r.code for r in (original, *duplicates) if r is not None}
    suggested = [PossibleDuplicate(r.code, r.status, statuses.staff_label(r.status), r.created_at, r.address_text)
                 for r in await likely_duplicates(db, report.code) if r.code not in linked]
    return ReportDetail(
        code=report.code, category=report.category, category_label=statuses.category_label(report.category),
        priority=report.priority, priority_label=statuses.priority_label(report.priority),
        status=report.status, status_label=statuses.staff_label(report.status),
        citizen_status_label=statuses.citizen_label(report.status),
        description=report.description, citizen_text=report.citizen_text, address_text=report.address_text,
        ward_code=report.ward_code, ward_name=report.ward.name,
        latitude=report.latitude, longitude=report.longitude, channel=report.channel,
        address_parts=labelled_parts(parts_of(report)),
        conversation_id=report.conversation_id or report.sender_id, anonymous=report.anonymous,
        phone=report.phone if acts and not report.anonymous else None,
        created_at=report.created_at, updated_at=report.updated_at, due_at=report.due_at,
        overdue=is_overdue(report.status, report.due_at, now or utcnow()),
        acknowledged_at=report.acknowledged_at, handled_at=report.handled_at,
        photo_urls=[a.url for a in report.attachments if a.kind == PHOTO],
        result_photo_urls=[a.url for a in report.attachments if a.kind == RESULT_PHOTO],
        history=_history(report),
        duplicate_of=_linked(staff, original) if original else None,
        duplicates=[_linked(staff, d) for d in duplicates],
        likely_duplicates=suggested,
        can_act=acts,
        ward_candidates=candidates,
        candidate_wards=sorted((CandidateWard(w.code, w.name, w.code == report.ward_code, bool(w.active)) for w in wards),
                               key=lambda c: sort_key(c.name)),
    )

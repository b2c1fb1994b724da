"""What is public about a report, the one rule for the /tra-cuu page (and for every other
public answer that shows a report).

Public: the code, the category, the responsible ward, the status in the citizens' words
(`bot.statuses.CITIZEN_LABELS`), when it was received, last updated and is due, where it is
as structured parts (house number, alley, street; the ward) and the coordinates of a shared
pin, the staff's result note of a handled or rejected report (the note of the status change
that made it so, never an internal note nor the citizen's own words when they reopened it),
the staff's result photos of a handled report, and the report a duplicate was merged into.

Never public: the phone number, the sender id or any identity of the channel, the citizen's
description and words (`description`, `citizen_text`, the free-text `address_text`, the
landmark and area they typed, the old ward they named) and the citizen's photos.

A lookup costs the same work whether the code exists, does not exist or is not a code at
all: the same four selects run (an impossible code and id stand in), so that the time of an
answer does not tell which.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from bot import statuses
from bot.address.parts import AddressParts
from bot.codes import normalize_code
from bot.storage.db import Database
from bot.storage.models import Attachment, Report, StatusHistory, Ward
from bot.storage.reports import CITIZEN_ACTOR, RESULT_PHOTO

LOOKUP_PATH = "/tra-cuu"
CODE_FIELD = "ma"
# What a string that is not a code is looked up as: 0 is never in a code, no id is negative.
NO_SUCH_CODE = "PA-000000"
NO_SUCH_ID = -1
RESULT_STATUSES = frozenset({statuses.HANDLED, statuses.REJECTED})


def lookup_url(base_url: str, code: str) -> str:
    """The public page of one report: `{PUBLIC_BASE_URL}/tra-cuu?ma=<CODE>`."""
    return f"{base_url.rstrip('/')}{LOOKUP_PATH}?{CODE_FIELD}={quote(code, safe='-')}"


@dataclass(frozen=True)
class PublicReport:
    code: str
    category: str
    category_label: str
    status: str
    status_label: str  # the citizens' word
    ward_code: str
    ward_name: str
    place: str  # "Số 12 ngõ 5 phố Khâm Thiên" from the parts; "" when none were given
    latitude: float | None
    longitude: float | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    result_note: str | None = None  # handled or rejected: what the ward wrote the citizen
    result_photos: list[str] = field(default_factory=list)  # handled: stored URLs (sign them to show)
    merged_into: str | None = None  # a duplicate: the code of the report it repeats


def _place(row: Any) -> str:
    """Where, from the parts only: house number, alley, street (never the landmark or area the
    citizen typed, nor the free-text address)."""
    return AddressParts(house_number=row.house_number, alley=row.alley, street=row.street,
                        street_kind=row.street_kind).place_line()


async def public_report(db: Database, code_text: str) -> PublicReport | None:
    """The public facts of the report `code_text` names (typed however loosely), or None."""
    code = normalize_code(code_text or "") or NO_SUCH_CODE
    async with db.session() as session:
        row = (await session.execute(
            select(Report.id, Report.code, Report.category, Report.status, Report.ward_code, Ward.name.label("ward_name"),
                   Report.house_number, Report.alley, Report.street, Report.street_kind, Report.latitude,
                   Report.longitude, Report.created_at, Report.updated_at, Report.due_at, Report.duplicate_of_id)
            .join(Ward, Ward.code == Report.ward_code).where(Report.code == code))).one_or_none()
        report_id = row.id if row else NO_SUCH_ID
        last = (await session.execute(
            select(StatusHistory.actor, StatusHistory.note, StatusHistory.created_at)
            .where(StatusHistory.report_id == report_id, StatusHistory.event == statuses.EVENT_STATUS)
            .order_by(StatusHistory.id.desc()).limit(1))).one_or_none()
        photos = list((await session.execute(
            select(Attachment.url, Attachment.created_at)
            .where(Attachment.report_id == report_id, Attachment.kind == RESULT_PHOTO)
            .order_by(Attachment.id))).all())
        merged_into = (await session.execute(
            select(Report.code).where(Report.id == ((row.duplicate_of_id if row else None) or NO_SUCH_ID))
        )).scalar_one_or_none()
    if row is None:
        return None
    by_staff = last is not None and last.actor != CITIZEN_ACTOR
    note = (last.note or None) if by_staff and row.status in RESULT_STATUSES else None
    # the photos of the latest "handled" only (a report handled, reopened and handled again)
    shown = [url for url, at in photos if by_staff and row.status == statuses.HANDLED and at >= last.created_at]
    return PublicReport(
        code=row.code, category=row.category, category_label=statuses.category_label(row.category),
        status=row.status, status_label=statuses.citizen_label(row.status), ward_code=row.ward_code,
        ward_name=row.ward_name, place=_place(row), latitude=row.latitude, longitude=row.longitude,
        created_at=row.created_at, updated_at=row.updated_at, due_at=row.due_at, result_note=note,
        result_photos=shown, merged_into=merged_into if row.status == statuses.DUPLICATE else None)

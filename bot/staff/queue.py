"""The officer's queue and the supervisors' overdue lists.

Queries stay on the ward indexes: `ix_reports_ward_created_id` (newest/oldest),
`ix_reports_ward_due` (due soonest, overdue) and `ix_reports_ward_status_created` (status
filters and counts). Pages are cut with keyset pagination: the cursor is the sort key and
id of the last row shown, so a page costs the same at the end of 100,000 reports as at the
start, and rows inserted meanwhile neither repeat nor push others out.

The ward-name order sorts by each ward's place in Vietnamese alphabetical order
(`bot.collation`, as a CASE over the ward codes: "Đống Đa" after "Dịch Vọng"), then newest
first; its cursor also carries the last row's ward. It has no index of its own.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import and_, case, func, literal, or_, select

from bot import statuses
from bot.collation import sort_key
from bot.codes import normalize_code
from bot.text import canonical
from bot.staff import access
from bot.staff.access import Staff
from bot.staff.localtime import local_day_end, local_day_start
from bot.storage.db import Database
from bot.storage.models import Report, Ward, utcnow
from bot.storage.wards import list_wards

PAGE_SIZE = 50
NEWEST, OLDEST, DUE, WARD = "newest", "oldest", "due", "ward"
SORT_LABELS: Mapping[str, str] = {NEWEST: "Mới nhất", OLDEST: "Cũ nhất", DUE: "Sắp đến hạn",
                                  WARD: "Theo tên phường, xã (A–Z)"}
LONG_OVERDUE = timedelta(days=15)  # units with reports this late get inspected
MAX_SEARCH_WORDS = 6
OPEN_STATUSES = tuple(s for s in statuses.STATUSES if s not in statuses.CLOSED_STATUSES)


class InvalidCursor(ValueError):
    """The cursor was not made by this module for this sort order."""


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = ()
    category: str | None = None
    ward: str | None = None  # narrows the staff member's wards to one
    overdue: bool = False
    created_from: date | None = None  # Hanoi calendar days, inclusive
    created_to: date | None = None
    text: str = ""  # words to find in the code, description, address or the citizen's words
    sort: str = NEWEST
    uncertain_ward: bool = False  # only reports marked "phường chưa chắc chắn"


@dataclass(frozen=True)
class QueueRow:
    code: str
    category: str
    category_label: str
    priority: str
    status: str
    status_label: str  # staff's label
    ward_code: str
    ward_name: str
    address_text: str
    description: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    ward_candidates: list[str] = field(default_factory=list)  # non-empty: "phường chưa chắc chắn"

    @property
    def ward_uncertain(self) -> bool:
        return bool(self.ward_candidates)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    counts: dict[str, int]  # per status, over every visible ward (filters aside)
    overdue_count: int
    uncertain_count: int = 0  # open reports marked "phường chưa chắc chắn", over every visible ward


@dataclass(frozen=True)
class WardOverdue:
    ward_code: str
    ward_name: str
    open_count: int
    overdue_count: int
    long_overdue_count: int  # more than 15 days late
    most_overdue: list[QueueRow] = field(default_factory=list)


def is_overdue(status: str, due_at: datetime, now: datetime) -> bool:
    return due_at < now and status not in statuses.CLOSED_STATUSES


def _overdue_clause(now: datetime) -> Any:
    return and_(Report.due_at < now, Report.status.notin_(statuses.CLOSED_STATUSES))


# --- cursors ------------------------------------------------------------------------------

def _sort_key(sort: str) -> tuple[Any, bool]:
    """(column, descending) of a sort order; the id breaks ties in the same direction. By ward
    name, this is the order within a ward (newest first)."""
    return {NEWEST: (Report.created_at, True), OLDEST: (Report.created_at, False), DUE: (Report.due_at, False),
            WARD: (Report.created_at, True)}[sort]


def encode_cursor(sort: str, key: datetime, report_id: int, ward: str | None = None) -> str:
    data: dict[str, Any] = {"s": sort, "k": key.isoformat(), "i": report_id}
    if ward is not None:
        data["w"] = ward
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSOR_YEARS = range(2000, 2101)  # any real report's dates lie there
MAX_ID = 2**63 - 1
MAX_CURSOR_CHARS = 200


def decode_cursor(cursor: str, sort: str) -> tuple[datetime, int]:
    """The key and id in a cursor made by `encode_cursor`; InvalidCursor for anything else
    (a hand-made one with a year-1 date or an id beyond 64 bits included)."""
    key, report_id, _ward = _decode(cursor, sort)
    return key, report_id


WARD_CODE = re.compile(r"^\d{5}$")


def _decode(cursor: str, sort: str) -> tuple[datetime, int, str | None]:
    """`decode_cursor` with the ward of the last row (the ward-name order only)."""
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("cursor too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        key, report_id = datetime.fromisoformat(data["k"]), int(data["i"])
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError, OverflowError):
        raise InvalidCursor(cursor) from None
    if data.get("s") != sort or key.tzinfo is None or key.year not in CURSOR_YEARS or not 0 <= report_id <= MAX_ID:
        raise InvalidCursor(cursor)
    ward = data.get("w")
    if (sort == WARD) != (ward is not None) or (ward is not None and not (isinstance(ward, str)
                                                                          and WARD_CODE.match(ward))):
        raise InvalidCursor(cursor)
    return key, report_id, ward


def _after(sort: str, cursor: str, ranks: Mapping[str, int]) -> Any:
    column, descending = _sort_key(sort)
    key, report_id, ward = _decode(cursor, sort)
    if descending:
        within = and_(column <= key, or_(column < key, Report.id < report_id))
    else:
        within = and_(column >= key, or_(column > key, Report.id > report_id))
    if sort != WARD:
        return within
    assert ward is not None
    return or_(_ward_rank(ranks) > ranks.get(ward, len(ranks)), and_(Report.ward_code == ward, within))


async def ward_ranks(db: Database) -> dict[str, int]:
    """Every ward's place in Vietnamese alphabetical order of the names (`bot.collation`):
    the database cannot sort "Đống Đa" between "Dịch Vọng" and "Hà Đông" by itself."""
    return {ward.code: rank for rank, ward in enumerate(await list_wards(db, active_only=False))}


def _ward_rank(ranks: Mapping[str, int]) -> Any:
    return case(dict(ranks), value=Report.ward_code, else_=len(ranks)) if ranks else literal(0)


# --- filters ------------------------------------------------------------------------------

def _like(word: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def _text_clause(text: str) -> Any:
    """Every word must appear in the code, description, address or citizen's words, with or
    without diacritics ("kham thien" finds "Khâm Thiên"); a code matches exactly."""
    text = unicodedata.normalize("NFC", text).strip()
    code = normalize_code(text) if text else None
    if code:
        return Report.code == code
    words = canonical(text).split()[:MAX_SEARCH_WORDS]  # folded like Report.search_text
    return and_(*(Report.search_text.like(_like(word), escape="\\") for word in words))


def _where(scope: frozenset[str] | None, filters: QueueFilter, now: datetime) -> list[Any]:
    clauses: list[Any] = []
    if scope is not None:
        clauses.append(Report.ward_code.in_(sorted(scope)))
    if filters.statuses:
        clauses.append(Report.status.in_(filters.statuses))
    if filters.category:
        clauses.append(Report.category == filters.category)
    if filters.overdue:
        clauses.append(_overdue_clause(now))
    if filters.uncertain_ward:
        clauses.append(Report.ward_candidates.is_not(None))
    if filters.created_from:
        clauses.append(Report.created_at >= local_day_start(filters.created_from))
    if filters.created_to:
        clauses.append(Report.created_at < local_day_end(filters.created_to))
    if filters.text.strip():
        clauses.append(_text_clause(filters.text))
    return clauses


_ROW_COLUMNS = (Report.id, Report.code, Report.category, Report.priority, Report.status, Report.ward_code,
                Ward.name.label("ward_name"), Report.address_text, Report.description, Report.created_at,
                Report.due_at, Report.ward_candidates)


def _row(row: Any, now: datetime) -> QueueRow:
    return QueueRow(
        code=row.code, category=row.category, category_label=statuses.category_label(row.category),
        priority=row.priority, status=row.status, status_label=statuses.staff_label(row.status),
        ward_code=row.ward_code, ward_name=row.ward_name, address_text=row.address_text,
        description=row.description, created_at=row.created_at, due_at=row.due_at,
        overdue=is_overdue(row.status, row.due_at, now), ward_candidates=list(row.ward_candidates or []),
    )


# --- queries ------------------------------------------------------------------------------

async def status_counts(db: Database, scope: frozenset[str] | None, now: datetime) -> tuple[dict[str, int], int]:
    """Reports per status and overdue reports, over the wards in `scope` (None: all)."""
    where = [Report.ward_code.in_(sorted(scope))] if scope is not None else []
    late = func.sum(case((Report.due_at < now, 1), else_=0))  # one pass: counts and overdue together
    async with db.session() as session:
        rows = (await session.execute(
            select(Report.status, func.count(), late).where(*where).group_by(Report.status)
        )).all()
    counts = {status: 0 for status in statuses.STATUSES}
    counts.update({status: count for status, count, _ in rows})
    overdue = sum(int(n or 0) for status, _, n in rows if status not in statuses.CLOSED_STATUSES)
    return counts, overdue


async def uncertain_count(db: Database, scope: frozenset[str] | None) -> int:
    """Open reports marked "phường chưa chắc chắn" over the wards in `scope` (None: all); on
    `ix_reports_ward_candidates`, where the many certain reports (NULL) are not read."""
    where = [Report.ward_candidates.is_not(None), Report.status.in_(OPEN_STATUSES)]
    if scope is not None:
        where.append(Report.ward_code.in_(sorted(scope)))
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(Report).where(*where))).scalar_one())


async def list_queue(db: Database, staff: Staff, filters: QueueFilter, cursor: str | None = None,
                     *, now: datetime | None = None, page_size: int | None = None) -> QueuePage:
    """One page of the reports `staff` may see, filtered and sorted; raises InvalidCursor,
    AccessDenied (a ward filter outside the staff member's wards)."""
    now = now or utcnow()
    page_size = page_size or PAGE_SIZE
    scope = access.ward_scope(staff, filters.ward)
    if scope is not None and not scope:
        return QueuePage([], None, {s: 0 for s in statuses.STATUSES}, 0)
    column, descending = _sort_key(filters.sort)
    order: tuple[Any, ...] = (column.desc(), Report.id.desc()) if descending else (column.asc(), Report.id.asc())
    ranks = await ward_ranks(db) if filters.sort == WARD else {}
    if filters.sort == WARD:  # no index for this order: a sort over the scope's reports
        order = (_ward_rank(ranks).asc(), *order)
    where = _where(scope, filters, now)
    if cursor:
        where.append(_after(filters.sort, cursor, ranks))
    statement = (select(*_ROW_COLUMNS).join(Ward, Ward.code == Report.ward_code)
                 .where(*where).order_by(*order).limit(page_size + 1))
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor(filters.sort, last.created_at if column is Report.created_at else last.due_at,
                                    last.id, last.ward_code if filters.sort == WARD else None)
    counts, overdue = await status_counts(db, scope, now)
    return QueuePage([_row(row, now) for row in rows], next_cursor, counts, overdue, await uncertain_count(db, scope))


async def overdue_overview(db: Database, staff: Staff, *, now: datetime | None = None,
                           per_ward: int = 10) -> list[WardOverdue]:
    """Per ward with overdue reports: open, overdue and 15-days-overdue counts and the most
    overdue reports; the worst wards first. Supervisors and admins only (AccessDenied)."""
    access.require_overdue_overview(staff)
    now = now or utcnow()
    overdue = Report.due_at < now
    async with db.session() as session:
        totals = (await session.execute(
            select(Report.ward_code, Ward.name,
                   func.count().label("open_count"),
                   func.sum(case((overdue, 1), else_=0)).label("overdue_count"),
                   func.sum(case((Report.due_at < now - LONG_OVERDUE, 1), else_=0)).label("long_count"))
            .join(Ward, Ward.code == Report.ward_code)
            .where(Report.status.in_(OPEN_STATUSES))
            .group_by(Report.ward_code, Ward.name)
        )).all()
        ranked = (select(*_ROW_COLUMNS, func.row_number().over(
            partition_by=Report.ward_code, order_by=(Report.due_at, Report.id)).label("rank"))
            .join(Ward, Ward.code == Report.ward_code)
            .where(Report.status.in_(OPEN_STATUSES), overdue).subquery())
        listed = (await session.execute(
            select(ranked).where(ranked.c.rank <= per_ward).order_by(ranked.c.ward_code, ranked.c.rank)
        )).all()
    by_ward: dict[str, list[QueueRow]] = {}
    for row in listed:
        by_ward.setdefault(row.ward_code, []).append(_row(row, now))
    wards = [WardOverdue(t.ward_code, t.name, t.open_count, int(t.overdue_count or 0), int(t.long_count or 0),
                         by_ward.get(t.ward_code, [])) for t in totals]
    wards = [w for w in wards if w.overdue_count]
    return sorted(wards, key=lambda w: (-w.long_overdue_count, -w.overdue_count, sort_key(w.ward_name)))

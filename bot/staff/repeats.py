"""Reports about the same place: likely duplicates of an open report, and hotspots — places
reported again after a report there was handled (tái vi phạm).

Two reports name the same place when their address parts give the same place key (the
street with its house number or alley, folded: `bot.address.parts.place_key`): "số 12 phố
Khâm Thiên" = "12 Khâm Thiên", and "số 12" is not "số 21". Reports stored before the parts
were kept fall back on their addresses' words: folded, abbreviations expanded, markers and
the ward's own name set aside, numbers equal.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

from sqlalchemy import select

from bot import statuses
from bot.storage.db import Database
from bot.storage.models import Report, Ward, utcnow
from bot.text import canonical

DUPLICATE_WINDOW = timedelta(days=30)
MIN_OVERLAP = 0.75
MARKER_WORDS = frozenset({"so", "nha", "pho", "duong", "phuong", "xa", "quan", "huyen", "tai", "o", "truoc", "gan",
                          "canh", "doi", "dien", "cua", "khu", "vuc", "thanh", "ha", "noi", "cu"})


def place_words(address: str, ward_name: str = "") -> frozenset[str]:
    ward_words = set(canonical(ward_name).split())
    return frozenset(w for w in canonical(address).split() if w not in MARKER_WORDS and w not in ward_words)


def same_place(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    if {w for w in a if w.isdigit()} != {w for w in b if w.isdigit()}:
        return False
    smaller, larger = sorted((a, b), key=len)
    return len(a & b) / len(a | b) >= MIN_OVERLAP or (len(smaller) >= 3 and smaller <= larger)


@dataclass(frozen=True)
class Related:
    code: str
    status: str
    created_at: datetime
    address_text: str


async def likely_duplicates(db: Database, code: str, window: timedelta = DUPLICATE_WINDOW) -> list[Related]:
    """Open reports of the same ward and category, within `window` of this one, at the same place."""
    async with db.session() as session:
        report = (await session.execute(
            select(Report.id, Report.ward_code, Report.category, Report.address_text, Report.created_at,
                   Report.place_key, Ward.short_name)
            .join(Ward, Ward.code == Report.ward_code).where(Report.code == code)
        )).one_or_none()
        if report is None:
            return []
        statement = (
            select(Report.code, Report.status, Report.created_at, Report.address_text, Report.place_key)
            .where(Report.ward_code == report.ward_code, Report.category == report.category, Report.id != report.id,
                   Report.status.not_in(statuses.CLOSED_STATUSES),
                   Report.created_at >= report.created_at - window, Report.created_at <= report.created_at + window)
            .order_by(Report.created_at.desc()))
        if report.place_key:  # the parts say where: only reports at that place, or without parts to compare
            statement = statement.where((Report.place_key == report.place_key) | Report.place_key.is_(None))
        rows = (await session.execute(statement)).all()
    here = place_words(report.address_text, report.short_name)
    return [Related(row.code, row.status, row.created_at, row.address_text) for row in rows
            if (report.place_key and row.place_key == report.place_key)
            or (not (report.place_key and row.place_key) and same_place(here, place_words(row.address_text, report.short_name)))]


@dataclass(frozen=True)
class Hotspot:
    ward_code: str
    category: str
    address_text: str
    reports: int
    repeats: int  # reports that came in after an earlier one at the place was handled
    last_code: str
    last_at: datetime


async def hotspots(db: Database, wards: Optional[Iterable[str]] = None, since: Optional[datetime] = None) -> list[Hotspot]:
    """Places reported again after being handled, most repeats first."""
    since = since or utcnow() - timedelta(days=365)
    statement = (select(Report.ward_code, Report.category, Report.code, Report.address_text, Report.created_at,
                        Report.handled_at, Report.place_key, Ward.short_name)
                 .join(Ward, Ward.code == Report.ward_code).where(Report.created_at >= since)
                 .order_by(Report.created_at))
    if wards is not None:
        statement = statement.where(Report.ward_code.in_(sorted(wards)))
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    places: dict[tuple[str, str], list[list]] = {}  # (ward, category) → [key, row, row…] per place
    for row in rows:
        words: object = row.place_key or place_words(row.address_text, row.short_name)  # the parts, else the words
        groups = places.setdefault((row.ward_code, row.category), [])
        group = next((g for g in groups if g[0] == words or (
            isinstance(words, frozenset) and isinstance(g[0], frozenset) and same_place(g[0], words))), None)
        if group is None:
            groups.append([words, row])
        else:
            group.append(row)
    found = []
    for (ward_code, category), groups in places.items():
        for _words, *reports in groups:
            repeats = sum(1 for i, r in enumerate(reports)
                          if any(e.handled_at is not None and e.handled_at < r.created_at for e in reports[:i]))
            if repeats:
                last = reports[-1]
                found.append(Hotspot(ward_code, category, last.address_text, len(reports), repeats, last.code, last.created_at))
    return sorted(found, key=lambda h: (-h.repeats, -h.reports, h.ward_code))

"""What the KPI and hotspot pages show a staff member: the figures of `bot.staff.kpis` and the
repeat places of `bot.staff.repeats`, over the wards the staff member may see (a ward officer
only their own: asking for another ward is AccessDenied), with ward names and labels.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot import statuses
from bot.collation import sort_key
from bot.staff import access
from bot.staff.access import Staff
from bot.staff.errors import InvalidQuery
from bot.staff.kpis import AGE_BUCKETS, SATISFACTION_LABELS, Kpis, compute_kpis, csv_row
from bot.staff.localtime import local_day_end, local_day_start
from bot.staff.repeats import hotspots
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.storage.wards import WardRow, list_wards

HOTSPOT_PERIOD = timedelta(days=365)
CITY = "Toàn thành phố"
MY_WARDS = "Các phường, xã bạn phụ trách"
UNKNOWN_WARD = "Không có phường, xã mã {code}."


@dataclass(frozen=True)
class Period:
    """Hanoi calendar days, both included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return local_day_start(self.first_day)

    @property
    def end(self) -> datetime:
        return local_day_end(self.last_day)


@dataclass(frozen=True)
class WardKpis:
    ward_code: str
    ward_name: str
    kpis: Kpis


@dataclass(frozen=True)
class KpiReport:
    period: Period
    ward: str | None  # the ward asked for, if any
    scope_label: str  # "Toàn thành phố", a ward's name, or "Các phường, xã bạn phụ trách"
    total: Kpis  # every ward of the scope together
    wards: list[WardKpis]  # the worst on-time rate first; wards with nothing to judge last


@dataclass(frozen=True)
class HotspotRow:
    ward_code: str
    ward_name: str
    category: str
    category_label: str
    address_text: str
    reports: int
    repeats: int
    last_code: str
    last_at: datetime


async def visible_wards(db: Database, staff: Staff, ward: str | None = None) -> list[WardRow]:
    """The wards `staff` may see (narrowed to `ward`), by name, inactive ones included.
    Raises AccessDenied for another ward's code, InvalidQuery for an unknown one."""
    scope = access.ward_scope(staff, ward)
    wards = [w for w in await list_wards(db, active_only=False) if scope is None or w.code in scope]
    if ward is not None and not wards:
        raise InvalidQuery(UNKNOWN_WARD.format(code=ward))
    return wards


def _scope_label(staff: Staff, wards: list[WardRow], ward: str | None) -> str:
    if ward is None and access.readable_wards(staff) is None:
        return CITY
    return wards[0].name if len(wards) == 1 else MY_WARDS


def _worst_first(row: WardKpis) -> tuple[bool, float, int, tuple]:
    rate = row.kpis.on_time_rate
    return rate is None, rate or 0.0, -row.kpis.long_overdue, sort_key(row.ward_name)


async def kpi_report(db: Database, staff: Staff, ward: str | None, period: Period,
                     *, now: datetime | None = None) -> KpiReport:
    wards = await visible_wards(db, staff, ward)
    codes = [w.code for w in wards]
    total, per_ward = await compute_kpis(db, period.start, period.end, wards=codes, now=now)
    rows = [WardKpis(w.code, w.name, per_ward.get(w.code, Kpis(w.code)))
            for w in wards if w.active or w.code in per_ward]
    return KpiReport(period, ward, _scope_label(staff, wards, ward), total, sorted(rows, key=_worst_first))


def backlog(k: Kpis) -> list[tuple[str, int]]:
    """Open reports per age bucket, youngest first, empty buckets included."""
    return [(label, k.backlog.get(label, 0)) for label, _limit in AGE_BUCKETS]


def kpi_figures(k: Kpis) -> dict[str, Any]:
    """The figures of one scope, for JSON (shares between 0 and 1, None when nothing to count)."""
    return {
        "received": k.received, "by_status": {s: k.by_status.get(s, 0) for s in statuses.STATUSES},
        "on_time": k.on_time, "late": k.late, "on_time_rate": k.on_time_rate,
        "median_hours_to_acknowledge": k.median_ack_hours, "median_hours_to_handle": k.median_handle_hours,
        "rated": k.rated, "satisfaction": {r: k.satisfaction.get(r, 0) for r in SATISFACTION_LABELS},
        "satisfaction_shares": {r: k.satisfaction_share(r) for r in SATISFACTION_LABELS},
        "satisfied_or_accepting": k.satisfied_or_accepting,
        "backlog": dict(backlog(k)), "open": sum(k.backlog.values()), "overdue_over_15_days": k.long_overdue,
        "uncertain_ward": k.uncertain_ward, "uncertain_ward_share": k.uncertain_ward_share,
    }


def csv_rows(report: KpiReport) -> list[tuple]:
    """One row per ward, in the page's order, then the whole scope's row."""
    return [csv_row(w.kpis, w.ward_name) for w in report.wards] + [csv_row(report.total, report.scope_label)]


async def hotspot_rows(db: Database, staff: Staff, ward: str | None = None,
                       *, now: datetime | None = None) -> list[HotspotRow]:
    """The visible wards' places reported again after handling, over the last 12 months."""
    names = {w.code: w.name for w in await visible_wards(db, staff, ward)}
    spots = await hotspots(db, wards=list(names), since=(now or utcnow()) - HOTSPOT_PERIOD)
    rows = [HotspotRow(s.ward_code, names[s.ward_code], s.category, statuses.category_label(s.category),
                       s.address_text, s.reports, s.repeats, s.last_code, s.last_at) for s in spots]
    return sorted(rows, key=lambda h: (-h.repeats, -h.reports, sort_key(h.ward_name)))

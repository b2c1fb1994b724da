"""Handling KPIs per ward and for the city: the figures districts publish.

- on-time rate: of the reports whose deadline has passed or that are closed, the share closed
  by their deadline (a handled report closes at `handled_at`; a rejected or duplicate one at
  its last update);
- median time to acknowledge and to handle, in hours;
- satisfaction shares among the citizens who rated;
- backlog by age: open reports by days since they came in; "over 15 days overdue" is the
  figure that gets a unit inspected;
- uncertain wards ("phường chưa chắc chắn"): the reports still filed to the bot's best-guess
  ward, not yet transferred or confirmed by staff, and their share of the reports received.

Scope: reports that came in during [start, end); the backlog and the long-overdue count are
of every report still open, whenever it came in. Two narrow selects, one pass each.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Optional

from sqlalchemy import select

from bot import statuses
from bot.storage.db import Database
from bot.storage.models import Report, utcnow

AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("dưới 1 ngày", timedelta(days=1)), ("1–3 ngày", timedelta(days=3)), ("3–7 ngày", timedelta(days=7)),
    ("7–15 ngày", timedelta(days=15)), ("trên 15 ngày", None),
)
SATISFACTION_LABELS = {"satisfied": "Hài lòng", "acceptable": "Chấp nhận", "unsatisfied": "Chưa hài lòng"}
LONG_OVERDUE = timedelta(days=15)


@dataclass
class Kpis:
    scope: str  # a ward code, or "city"
    received: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    on_time: int = 0
    late: int = 0
    ack_hours: list[float] = field(default_factory=list, repr=False)
    handle_hours: list[float] = field(default_factory=list, repr=False)
    satisfaction: dict[str, int] = field(default_factory=dict)
    backlog: dict[str, int] = field(default_factory=dict)
    long_overdue: int = 0
    uncertain_ward: int = 0  # received in the period, ward still uncertain

    @property
    def uncertain_ward_share(self) -> Optional[float]:
        return self.uncertain_ward / self.received if self.received else None

    @property
    def on_time_rate(self) -> Optional[float]:
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None

    @property
    def median_ack_hours(self) -> Optional[float]:
        return statistics.median(self.ack_hours) if self.ack_hours else None

    @property
    def median_handle_hours(self) -> Optional[float]:
        return statistics.median(self.handle_hours) if self.handle_hours else None

    @property
    def rated(self) -> int:
        return sum(self.satisfaction.values())

    def satisfaction_share(self, rating: str) -> Optional[float]:
        return self.satisfaction.get(rating, 0) / self.rated if self.rated else None

    @property
    def satisfied_or_accepting(self) -> Optional[float]:
        return (self.satisfaction.get("satisfied", 0) + self.satisfaction.get("acceptable", 0)) / self.rated if self.rated else None


def _closed_at(status: str, handled_at: Optional[datetime], updated_at: datetime) -> Optional[datetime]:
    if status == statuses.HANDLED:
        return handled_at or updated_at
    return updated_at if status in statuses.CLOSED_STATUSES else None


def _age_bucket(age: timedelta) -> str:
    for label, limit in AGE_BUCKETS:
        if limit is None or age < limit:
            return label
    return AGE_BUCKETS[-1][0]


def _add(k: Kpis, row: tuple, now: datetime) -> None:
    status, created, due, ack, handled, updated, rating, candidates = row
    k.received += 1
    k.uncertain_ward += bool(candidates)
    k.by_status[status] = k.by_status.get(status, 0) + 1
    closed = _closed_at(status, handled, updated)
    if closed is not None:
        if closed <= due:
            k.on_time += 1
        else:
            k.late += 1
    elif due < now:
        k.late += 1
    if ack is not None:
        k.ack_hours.append((ack - created).total_seconds() / 3600)
    if handled is not None:
        k.handle_hours.append((handled - created).total_seconds() / 3600)
    if rating:
        k.satisfaction[rating] = k.satisfaction.get(rating, 0) + 1


async def compute_kpis(db: Database, start: datetime, end: datetime, wards: Optional[Iterable[str]] = None,
                       now: Optional[datetime] = None, *, open_backlog: bool = True) -> tuple[Kpis, dict[str, Kpis]]:
    """The city-wide (or all given wards together) figures, and the figures of each ward.
    `open_backlog=False` skips the second select (backlog and long-overdue stay empty): the
    public league table shows only the figures of the reports received in the period."""
    now = now or utcnow()
    statement = select(Report.ward_code, Report.status, Report.created_at, Report.due_at, Report.acknowledged_at,
                       Report.handled_at, Report.updated_at, Report.satisfaction, Report.ward_candidates).where(
        Report.created_at >= start, Report.created_at < end)
    ward_list = sorted(wards) if wards is not None else None
    if ward_list is not None:
        statement = statement.where(Report.ward_code.in_(ward_list))
    backlog = select(Report.ward_code, Report.created_at, Report.due_at).where(
        Report.status.not_in(statuses.CLOSED_STATUSES))
    if ward_list is not None:
        backlog = backlog.where(Report.ward_code.in_(ward_list))
    total = Kpis("city")
    per_ward: dict[str, Kpis] = {}

    def ward(code: str) -> Kpis:
        return per_ward.setdefault(code, Kpis(code))

    async with db.session() as session:
        for ward_code, *row in (await session.execute(statement)).all():
            _add(total, tuple(row), now)
            _add(ward(ward_code), tuple(row), now)
        open_rows = (await session.execute(backlog)).all() if open_backlog else []
        for ward_code, created, due in open_rows:  # every open report, whenever it came in
            _add_open(total, created, due, now)
            _add_open(ward(ward_code), created, due, now)
    return total, per_ward


def _add_open(k: Kpis, created: datetime, due: datetime, now: datetime) -> None:
    bucket = _age_bucket(now - created)
    k.backlog[bucket] = k.backlog.get(bucket, 0) + 1
    k.long_overdue += now - due > LONG_OVERDUE


CSV_HEADER = ("ward_code", "ward_name", "received", "on_time_rate", "median_hours_to_acknowledge",
              "median_hours_to_handle", "rated", "satisfied_share", "acceptable_share", "unsatisfied_share",
              "open", "overdue_over_15_days", "uncertain_ward", "uncertain_ward_share")


def csv_row(k: Kpis, ward_name: str) -> tuple:
    def r(value: Optional[float], digits: int = 3) -> str:
        return "" if value is None else f"{value:.{digits}f}"
    return (k.scope, ward_name, k.received, r(k.on_time_rate), r(k.median_ack_hours, 1), r(k.median_handle_hours, 1),
            k.rated, r(k.satisfaction_share("satisfied")), r(k.satisfaction_share("acceptable")),
            r(k.satisfaction_share("unsatisfied")), sum(k.backlog.values()), k.long_overdue,
            k.uncertain_ward, r(k.uncertain_ward_share))



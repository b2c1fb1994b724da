"""The public league table: per ward, for one calendar month in Hanoi, the figures of the
reports received that month — received, handled, on-time rate, median time to handle and the
citizens' satisfaction — computed by the console's `bot.staff.kpis`, sortable by any column.

`LeagueCache` keeps each month's table in the process for `LEAGUE_TTL_SECONDS`: a page view
costs a dictionary look-up, whatever the number of reports. One computation per month runs at
a time (concurrent requests wait for the same one), and once a table is older than the TTL
the stale one is still answered while the new one is computed in the background, so no
visitor waits for the aggregate after the first.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Mapping, Optional

from bot import statuses
from bot.collation import sort_key
from bot.staff.dashboard import CITY, Period
from bot.staff.kpis import SATISFACTION_LABELS, Kpis, compute_kpis
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.storage.wards import list_wards

logger = logging.getLogger(__name__)

LEAGUE_TTL_SECONDS = 300.0
FIRST_MONTH = (2025, 7)  # the two-tier wards came into force on 2025-07-01
MONTHS_OFFERED = 24
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")

BAD_MONTH = "Tháng không hợp lệ: chọn một tháng trong danh sách (dạng năm-tháng, ví dụ 2025-10)."
FUTURE_MONTH = "Tháng {month} chưa đến: chưa có số liệu."
EARLY_MONTH = "Số liệu có từ tháng 7/2025, khi các phường, xã mới bắt đầu hoạt động."
BAD_SORT = "Cột sắp xếp không hợp lệ."
BAD_ORDER = "Chiều sắp xếp không hợp lệ (tăng hoặc giảm)."


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        """"2025-10": the query string's and the CSV file name's."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """"tháng 10/2025"."""
        return f"tháng {self.month}/{self.year}"

    @property
    def previous(self) -> "Month":
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def next(self) -> "Month":
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def period(self) -> Period:
        """Its Hanoi calendar days."""
        return Period(date(self.year, self.month, 1), date(self.next.year, self.next.month, 1) - timedelta(days=1))


def default_month(today: date) -> Month:
    """The last full month."""
    return Month.of(today).previous


def offered_months(today: date) -> list[Month]:
    """The months the page's selector offers, newest first: this month (not over yet) and the
    ones before it, back to the first month of the new wards."""
    months: list[Month] = []
    month = Month.of(today)
    while month >= Month(*FIRST_MONTH) and len(months) < MONTHS_OFFERED:
        months.append(month)
        month = month.previous
    return months


def parse_month(text: str | None, today: date, errors: list[str]) -> Month:
    """The month asked for (default: the last full month); an error message for bad input."""
    if not text:
        return default_month(today)
    match = _MONTH.match(text.strip())
    month = Month(int(match.group(1)), int(match.group(2))) if match else None
    if month is None or not 1 <= month.month <= 12:
        errors.append(BAD_MONTH)
    elif month > Month.of(today):
        errors.append(FUTURE_MONTH.format(month=month.label))
    elif month < Month(*FIRST_MONTH):
        errors.append(EARLY_MONTH)
    else:
        return month
    return default_month(today)


@dataclass(frozen=True)
class LeagueRow:
    ward_code: str
    ward_name: str
    kpis: Kpis

    @property
    def received(self) -> int:
        return self.kpis.received

    @property
    def handled(self) -> int:
        """Reports received in the month that now stand as handled."""
        return self.kpis.by_status.get(statuses.HANDLED, 0)


@dataclass(frozen=True)
class League:
    month: Month
    computed_at: datetime
    total: Kpis
    rows: list[LeagueRow]  # every active ward (and any other with reports), in collation order

    @property
    def handled(self) -> int:
        return self.total.by_status.get(statuses.HANDLED, 0)


async def compute_league(db: Database, month: Month, now: Optional[datetime] = None) -> League:
    now = now or utcnow()
    period = month.period
    total, per_ward = await compute_kpis(db, period.start, period.end, now=now, open_backlog=False)
    rows = [LeagueRow(w.code, w.name, per_ward.get(w.code, Kpis(w.code)))
            for w in await list_wards(db, active_only=False) if w.active or w.code in per_ward]
    return League(month, now, total, rows)


# --- sorting ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str  # the query string's `sap_xep`
    label: str
    value: Callable[[LeagueRow], object]  # None: nothing to count (always last)
    descending: bool  # the first click's order: the best first


COLUMNS: Mapping[str, Column] = {c.key: c for c in (
    Column("ten", "Phường, xã", lambda r: sort_key(r.ward_name), False),
    Column("nhan", "Nhận được", lambda r: r.received, True),
    Column("da_xu_ly", "Đã xử lý", lambda r: r.handled, True),
    Column("dung_han", "Tỷ lệ đúng hạn", lambda r: r.kpis.on_time_rate, True),
    Column("thoi_gian", "Thời gian xử lý (trung vị)", lambda r: r.kpis.median_handle_hours, False),
    Column("hai_long", SATISFACTION_LABELS["satisfied"], lambda r: r.kpis.satisfaction_share("satisfied"), True),
    Column("chap_nhan", SATISFACTION_LABELS["acceptable"], lambda r: r.kpis.satisfaction_share("acceptable"), True),
    Column("chua_hai_long", SATISFACTION_LABELS["unsatisfied"],
           lambda r: r.kpis.satisfaction_share("unsatisfied"), False),
    Column("danh_gia", "Lượt đánh giá", lambda r: r.kpis.rated, True),
)}
DEFAULT_COLUMN = "dung_han"
ORDERS = {"tang": False, "giam": True}  # `chieu`: ascending, descending


@dataclass(frozen=True)
class Sort:
    column: Column
    descending: bool

    @property
    def order(self) -> str:
        return "giam" if self.descending else "tang"


def parse_sort(column: str | None, order: str | None, errors: list[str]) -> Sort:
    chosen = COLUMNS.get(column or DEFAULT_COLUMN)
    if chosen is None:
        errors.append(BAD_SORT)
        chosen = COLUMNS[DEFAULT_COLUMN]
    if order and order not in ORDERS:
        errors.append(BAD_ORDER)
    return Sort(chosen, ORDERS[order] if order in ORDERS else chosen.descending)


def sorted_rows(rows: list[LeagueRow], sort: Sort) -> list[LeagueRow]:
    """By the column, in the order asked for; wards with nothing to count last either way;
    ties by the number of reports received (more first), then by name."""
    by_name = sorted(rows, key=lambda r: (-r.received, sort_key(r.ward_name)))
    counted = [r for r in by_name if sort.column.value(r) is not None]
    empty = [r for r in by_name if sort.column.value(r) is None]
    return sorted(counted, key=sort.column.value, reverse=sort.descending) + empty  # type: ignore[arg-type]


# --- the CSV --------------------------------------------------------------------------------
CSV_HEADER = ("ward_code", "ward_name", "received", "handled", "on_time_rate", "median_hours_to_handle", "rated",
              "satisfied_share", "acceptable_share", "unsatisfied_share")


def _csv_row(code: str, name: str, k: Kpis, handled: int) -> tuple:
    def r(value: Optional[float], digits: int = 3) -> str:
        return "" if value is None else f"{value:.{digits}f}"
    return (code, name, k.received, handled, r(k.on_time_rate), r(k.median_handle_hours, 1), k.rated,
            *(r(k.satisfaction_share(rating)) for rating in SATISFACTION_LABELS))


def csv_rows(league: League, sort: Sort) -> list[tuple]:
    """One row per ward in the page's order, then the city's (shares between 0 and 1)."""
    return [_csv_row(r.ward_code, r.ward_name, r.kpis, r.handled) for r in sorted_rows(league.rows, sort)] + \
        [_csv_row("city", CITY, league.total, league.handled)]


# --- the cache -------------------------------------------------------------------------------
class LeagueCache:
    """Each month's league, computed at most once per `ttl` seconds in this process."""

    def __init__(self, db: Database, ttl: float = LEAGUE_TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.db, self.ttl, self.clock = db, ttl, clock
        # month → (fresh until, table); months are bounded (FIRST_MONTH to this month), so is this
        self._tables: dict[Month, tuple[float, League]] = {}
        self._computing: dict[Month, asyncio.Task[League]] = {}

    async def get(self, month: Month) -> League:
        cached = self._tables.get(month)
        if cached is not None and self.clock() < cached[0]:
            return cached[1]
        task = self._computing.get(month) or self._start(month)
        if cached is not None:
            return cached[1]  # stale: answered while the new table is computed
        return await asyncio.shield(task)

    def holds(self, month: Month) -> bool:
        """Whether a table of `month` is kept (fresh or stale)."""
        return month in self._tables

    def clear(self) -> None:
        """Forget every table (as a restart does); the next request of a month computes it."""
        self._tables.clear()

    def _start(self, month: Month) -> asyncio.Task[League]:
        task = asyncio.ensure_future(self._compute(month))
        self._computing[month] = task

        def done(finished: asyncio.Task[League]) -> None:
            self._computing.pop(month, None)
            if not finished.cancelled() and finished.exception() is not None:
                logger.error("League table of %s not computed: %r", month.key, finished.exception())
        task.add_done_callback(done)
        return task

    async def _compute(self, month: Month) -> League:
        started = time.perf_counter()
        league = await compute_league(self.db, month)
        self._tables[month] = (self.clock() + self.ttl, league)
        logger.info("League table of %s computed in %.0f ms", month.key, (time.perf_counter() - started) * 1000)
        return league


# --- the chart of on-time rates --------------------------------------------------------------
ON_TIME_BANDS: tuple[tuple[str, float], ...] = (  # label, lowest rate in the band; best first
    ("từ 95%", 0.95), ("85–95%", 0.85), ("70–85%", 0.70), ("50–70%", 0.50), ("dưới 50%", 0.0),
)


def on_time_bands(rows: list[LeagueRow]) -> list[tuple[str, int]]:
    """How many wards fall in each band of on-time rate (wards with nothing to judge left out)."""
    counts = {label: 0 for label, _lowest in ON_TIME_BANDS}
    for row in rows:
        rate = row.kpis.on_time_rate
        if rate is not None:
            counts[next(label for label, lowest in ON_TIME_BANDS if rate >= lowest)] += 1
    return list(counts.items())

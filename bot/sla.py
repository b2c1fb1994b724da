"""Working-time arithmetic and report deadlines.

Deadlines are counted in Hanoi local time (Asia/Ho_Chi_Minh) and returned in UTC.
Working time is Monday–Friday within the office hours of `bot/data/sla.yml`, minus the
public holidays, plus the make-up working days the government decides.

Holidays come from two places:
- The legal holidays of the Labour Code 2019, art. 112, for any year, from the maintained
  `holidays` package (Vietnam): Tết Dương lịch 1/1, Tết Nguyên đán (5 days around the lunar
  new year), Giỗ Tổ Hùng Vương 10/3 lunar, 30/4, 1/5, Quốc khánh 2/9 and one adjacent day.
  A holiday on a Saturday or Sunday gives a compensatory day off on the next working day
  (art. 112(3)); the package applies that rule ("observed" days), and for Tết it moves a
  weekend day to the nearest working day, as the yearly Tết schedules do.
- The government's yearly decisions for public servants, `bot/data/holidays/<year>.yml`, as
  overrides: `days_off` adds days off (a weekday swapped to make a longer break, an extra
  day), `working_days` makes days worked (the make-up Saturday of a swap; also a weekday the
  package marks off when the decision chose another day). A year without a file still gets
  the legal holidays.

Counting rules:
- `add_working_days(start, n)`: as for legal time limits, counting starts on the day
  after `start`; the deadline is the end of office hours on the n-th working day.
  A report received on Friday 16:00 with 3 working days is due Wednesday 17:00.
- `add_working_hours(start, h)`: office time is consumed from `start` (or from the next
  opening, if `start` is outside office hours), skipping the lunch break, evenings,
  weekends and holidays.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
SLA_FILE = DATA_DIR / "sla.yml"
HOLIDAY_DIR = DATA_DIR / "holidays"

# Longest stretch we search for working time before deciding the calendar is broken.
_MAX_SEARCH_DAYS = 3660


@lru_cache(maxsize=None)
def legal_holidays(year: int) -> frozenset[date]:
    """Vietnam's legal days off in `year` (with compensatory days), from the `holidays` package."""
    return frozenset(holidays.country_holidays("VN", years=year, observed=True))


@dataclass(frozen=True)
class WorkCalendar:
    tz: tzinfo
    periods: tuple[tuple[time, time], ...]
    days_off: frozenset[date]  # the government's decisions: days off besides the legal holidays
    working_days: frozenset[date]  # the government's decisions: worked although weekend or holiday
    years: frozenset[int]  # years with a decisions file

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day.year not in self.years:
            _note_undecided_year(day.year)
        return day.weekday() < 5 and day not in self.days_off and day not in legal_holidays(day.year)

    def periods_on(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Office periods of `day` as aware local datetimes (none on a day off)."""
        if not self.is_working_day(day):
            return
        for start, end in self.periods:
            yield (datetime.combine(day, start, tzinfo=self.tz),
                   datetime.combine(day, end, tzinfo=self.tz))


@dataclass(frozen=True)
class SlaRule:
    unit: str  # "working_days" or "working_hours"
    amount: float


@lru_cache(maxsize=None)
def _note_undecided_year(year: int) -> None:
    log.info("No government holiday decisions for %s in %s: counting the legal holidays only", year, HOLIDAY_DIR)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        if name == "Asia/Ho_Chi_Minh":  # no tz database: Vietnam has no DST, fixed UTC+7
            return timezone(timedelta(hours=7), "ICT")
        raise


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _expand(entry: Mapping[str, Any]) -> Iterator[date]:
    first = entry.get("date") or entry["from"]
    last = entry.get("date") or entry["to"]
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _load_decisions(folder: Path) -> tuple[set[date], set[date], set[int]]:
    days_off: set[date] = set()
    working: set[date] = set()
    years: set[int] = set()
    for path in sorted(folder.glob("*.yml")):
        data = _read_yaml(path)
        years.add(int(data["year"]))
        for entry in data.get("days_off") or []:
            days_off.update(_expand(entry))
        for entry in data.get("working_days") or []:
            working.update(_expand(entry))
    return days_off, working, years


def _period(pair: list[str]) -> tuple[time, time]:
    start, end = (time.fromisoformat(value) for value in pair)
    if start >= end:
        raise ValueError(f"Office period {pair} ends before it starts")
    return start, end


def load_calendar(sla_file: Path = SLA_FILE, holiday_dir: Path = HOLIDAY_DIR) -> WorkCalendar:
    config = _read_yaml(sla_file)
    days_off, working, years = _load_decisions(holiday_dir)
    return WorkCalendar(
        tz=_zone(config["timezone"]),
        periods=tuple(_period(pair) for pair in config["working_hours"]),
        days_off=frozenset(days_off),
        working_days=frozenset(working),
        years=frozenset(years),
    )


def load_rules(sla_file: Path = SLA_FILE) -> dict[tuple[str, str], SlaRule]:
    """Deadline rules keyed by (category, priority)."""
    rules: dict[tuple[str, str], SlaRule] = {}
    for category, by_priority in _read_yaml(sla_file)["deadlines"].items():
        for priority, rule in by_priority.items():
            ((unit, amount),) = rule.items()
            if unit not in ("working_days", "working_hours"):
                raise ValueError(f"Unknown SLA unit {unit!r} for {category}/{priority}")
            rules[(category, priority)] = SlaRule(unit, amount)
    return rules


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    return load_calendar()


@lru_cache(maxsize=1)
def default_rules() -> dict[tuple[str, str], SlaRule]:
    return load_rules()


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Expected a timezone-aware datetime")


def add_working_days(start: datetime, days: int, calendar: WorkCalendar | None = None) -> datetime:
    """End of office hours on the `days`-th working day after `start`'s local date (UTC)."""
    _require_aware(start)
    if days < 1:
        raise ValueError("days must be at least 1")
    calendar = calendar or default_calendar()
    day = start.astimezone(calendar.tz).date()
    counted = 0
    for _ in range(_MAX_SEARCH_DAYS):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
            if counted == days:
                closing = datetime.combine(day, calendar.periods[-1][1], tzinfo=calendar.tz)
                return closing.astimezone(timezone.utc)
    raise ValueError("The calendar has no working days in the search window")


def add_working_hours(start: datetime, hours: float, calendar: WorkCalendar | None = None) -> datetime:
    """The moment when `hours` of office time have passed since `start` (UTC)."""
    _require_aware(start)
    if hours <= 0:
        raise ValueError("hours must be positive")
    calendar = calendar or default_calendar()
    cursor = start.astimezone(calendar.tz)
    remaining = timedelta(hours=hours)
    day = cursor.date()
    for _ in range(_MAX_SEARCH_DAYS):
        for opens, closes in calendar.periods_on(day):
            begin = max(cursor, opens)
            if begin >= closes:
                continue
            if remaining <= closes - begin:
                return (begin + remaining).astimezone(timezone.utc)
            remaining -= closes - begin
        day += timedelta(days=1)
    raise ValueError("The calendar has no working time in the search window")


def due_at_for(
    category: str,
    priority: str,
    created_at: datetime,
    *,
    calendar: WorkCalendar | None = None,
    rules: Mapping[tuple[str, str], SlaRule] | None = None,
) -> datetime:
    """Deadline (UTC) for a report of this category and priority received at `created_at`."""
    rules = default_rules() if rules is None else rules
    try:
        rule = rules[(category, priority)]
    except KeyError:
        raise ValueError(f"No deadline rule for {category}/{priority}") from None
    if rule.unit == "working_days":
        return add_working_days(created_at, int(rule.amount), calendar)
    return add_working_hours(created_at, rule.amount, calendar)

"""Working-time arithmetic and deadlines (bot/sla.py with the shipped data files).

The lunar holidays are checked against tests/helpers/lunar.py (an astronomical computation of
Vietnam's calendar), not against the `holidays` package that bot/sla.py uses."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot import statuses
from bot.sla import (
    HOLIDAY_DIR,
    WorkCalendar,
    add_working_days,
    add_working_hours,
    default_calendar,
    default_rules,
    due_at_for,
    load_calendar,
)
from tests.helpers import lunar

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HANOI)


def utc(*args: int) -> datetime:
    return local(*args).astimezone(timezone.utc)


@pytest.mark.parametrize(
    ("created", "days", "due"),
    [
        # Friday 16:00: counting starts Monday → Wednesday 17:00.
        (local(2025, 3, 14, 16, 0), 3, utc(2025, 3, 19, 17, 0)),
        # Received on Saturday: counting starts Monday.
        (local(2025, 3, 15, 10, 0), 1, utc(2025, 3, 17, 17, 0)),
        # Tết Ất Tỵ 25/01–02/02/2025 is skipped.
        (local(2025, 1, 24, 10, 0), 3, utc(2025, 2, 5, 17, 0)),
        # Tết Bính Ngọ 14/02–22/02/2026 is skipped.
        (local(2026, 2, 13, 9, 0), 3, utc(2026, 2, 25, 17, 0)),
        # National Day 2025: Monday 01/09 and Tuesday 02/09 are off.
        (local(2025, 8, 29, 9, 0), 3, utc(2025, 9, 5, 17, 0)),
        # 30/4 – 02/5/2025 off; Saturday 26/04/2025 is a make-up working day.
        (local(2025, 4, 29, 9, 0), 3, utc(2025, 5, 7, 17, 0)),
        (local(2025, 4, 25, 9, 0), 1, utc(2025, 4, 26, 17, 0)),
        # Giỗ Tổ 2026 falls on Sunday 26/04: Monday 27/04 off in compensation.
        (local(2026, 4, 24, 9, 0), 1, utc(2026, 4, 28, 17, 0)),
        # A UTC time that is already the next day in Hanoi (Friday 23:30 local).
        (datetime(2025, 3, 14, 16, 30, tzinfo=timezone.utc), 1, utc(2025, 3, 17, 17, 0)),
    ],
)
def test_add_working_days(created: datetime, days: int, due: datetime) -> None:
    result = add_working_days(created, days)
    assert result == due
    assert result.tzinfo == timezone.utc


@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        (local(2025, 3, 11, 11, 0), 2, utc(2025, 3, 11, 14, 30)),  # across lunch
        (local(2025, 3, 11, 8, 0), 4, utc(2025, 3, 11, 12, 0)),  # ends at noon, not 13:30
        (local(2025, 3, 11, 12, 30), 1, utc(2025, 3, 11, 14, 30)),  # starts during lunch
        (local(2025, 3, 11, 18, 0), 1, utc(2025, 3, 12, 9, 0)),  # starts after closing
        (local(2025, 3, 11, 6, 0), 0.5, utc(2025, 3, 11, 8, 30)),  # before opening
        (local(2025, 3, 14, 16, 0), 8, utc(2025, 3, 17, 16, 30)),  # Friday → Monday
        (local(2025, 1, 24, 16, 0), 8, utc(2025, 2, 3, 16, 30)),  # across Tết
        (local(2025, 3, 11, 9, 0), 15, utc(2025, 3, 13, 9, 0)),  # two full days of 7.5 h
    ],
)
def test_add_working_hours(start: datetime, hours: float, end: datetime) -> None:
    assert add_working_hours(start, hours) == end


@pytest.mark.parametrize(
    ("category", "priority", "due"),
    [
        (statuses.SIDEWALK, statuses.NORMAL, utc(2025, 3, 19, 17, 0)),  # 3 working days
        (statuses.CONSTRUCTION, statuses.NORMAL, utc(2025, 3, 25, 17, 0)),  # 7 working days
        (statuses.SIDEWALK, statuses.URGENT, utc(2025, 3, 17, 16, 30)),  # 8 working hours
        (statuses.CONSTRUCTION, statuses.COMPLEX, utc(2025, 4, 4, 17, 0)),  # 15 working days
    ],
)
def test_due_at_for(category: str, priority: str, due: datetime) -> None:
    assert due_at_for(category, priority, local(2025, 3, 14, 16, 0)) == due


def test_every_category_and_priority_has_a_rule() -> None:
    rules = default_rules()
    for category in statuses.CATEGORIES:
        for priority in statuses.PRIORITIES:
            assert (category, priority) in rules


def test_unknown_rule_and_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        due_at_for("streetlight", statuses.NORMAL, local(2025, 3, 14, 16, 0))
    with pytest.raises(ValueError):
        add_working_days(datetime(2025, 3, 14, 16, 0), 1)
    with pytest.raises(ValueError):
        add_working_hours(datetime(2025, 3, 14, 16, 0), 1)


@pytest.mark.parametrize("path", sorted(HOLIDAY_DIR.glob("*.yml")), ids=lambda p: p.name)
def test_decision_files_are_consistent(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert path.stem == str(data["year"])
    assert set(data) <= {"year", "days_off", "working_days"}, "unknown key (a typo would be ignored)"
    for entry in (data.get("days_off") or []) + (data.get("working_days") or []):
        first, last = entry.get("date") or entry["from"], entry.get("date") or entry["to"]
        assert first.year == last.year == data["year"] and first <= last, entry
        assert entry["name"].strip()
        assert "UNCERTAIN" not in entry["name"] and "dự kiến" not in entry["name"]
    for entry in data.get("days_off") or []:  # a decision adds working days off, not weekends
        assert entry.get("date", entry.get("from")).weekday() < 5, entry
    for entry in data.get("working_days") or []:
        assert entry["date"].weekday() >= 5, entry


def weekdays_off(year: int, calendar: WorkCalendar | None = None) -> set[date]:
    calendar = calendar or default_calendar()
    day, off = date(year, 1, 1), set()
    while day.year == year:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            off.add(day)
        day += timedelta(days=1)
    return off


def worked_weekends(year: int) -> set[date]:
    calendar = default_calendar()
    day, worked = date(year, 1, 1), set()
    while day.year == year:
        if day.weekday() >= 5 and calendar.is_working_day(day):
            worked.add(day)
        day += timedelta(days=1)
    return worked


def days(year: int, *month_days: tuple[int, int]) -> set[date]:
    return {date(year, m, d) for m, d in month_days}


# The published schedules for public servants (see the comments of bot/data/holidays/20xx.yml).
OFFICIAL = {
    2025: (days(2025, (1, 1), (1, 27), (1, 28), (1, 29), (1, 30), (1, 31), (4, 7), (4, 30), (5, 1), (5, 2),
                (9, 1), (9, 2)),
           days(2025, (4, 26))),
    2026: (days(2026, (1, 1), (1, 2), (2, 16), (2, 17), (2, 18), (2, 19), (2, 20), (4, 27), (4, 30), (5, 1),
                (8, 31), (9, 1), (9, 2)),
           days(2026, (1, 10), (8, 22))),
}


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_years_with_decisions_match_the_published_schedule_exactly(year: int) -> None:
    off, worked = OFFICIAL[year]
    assert weekdays_off(year) == off
    assert worked_weekends(year) == worked


def next_working_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def compensated(day: date) -> date:
    """Labour Code art. 112(3): a holiday on a weekly rest day is made up on the next working day."""
    return next_working_weekday(day)


def made_up(holidays_in_order: list[date]) -> set[date]:
    """Consecutive holidays with their compensatory days (30/4 on Saturday, 1/5 on Sunday: Mon and Tue)."""
    taken = {d for d in holidays_in_order if d.weekday() < 5}
    for day in holidays_in_order:
        if day.weekday() >= 5:
            substitute = next_working_weekday(day)
            while substitute in taken:
                substitute = next_working_weekday(substitute + timedelta(days=1))
            taken.add(substitute)
    return taken


@pytest.mark.parametrize("year", range(2025, 2031))
def test_legal_holidays_every_year_from_an_independent_lunar_computation(year: int) -> None:
    off = weekdays_off(year)
    decided = OFFICIAL.get(year, (set(), set()))[0]
    # Tết Dương lịch, Ngày Chiến thắng, Quốc tế Lao động: the day, or the day it is made up on.
    assert made_up([date(year, 1, 1)]) <= off
    assert made_up([date(year, 4, 30), date(year, 5, 1)]) <= off
    # Giỗ Tổ Hùng Vương, 10/3 lunar.
    assert compensated(lunar.solar_date(10, 3, year)) in off
    # Tết Nguyên đán: five working days off around mùng 1, which and the eve are off when weekdays.
    new_year, eve = lunar.lunar_new_year(year), lunar.lunar_new_years_eve(year)
    for day in (eve, new_year, new_year + timedelta(days=1), new_year + timedelta(days=2)):
        assert day.weekday() >= 5 or day in off, day
    tet = {d for d in off if new_year - timedelta(days=7) <= d <= new_year + timedelta(days=8)}
    assert len(tet) == 5 or year in OFFICIAL and tet <= decided, sorted(tet)
    # Quốc khánh: 2/9 and one day next to it, i.e. two working days in the first week of September
    # (three in 2026, when a weekday was swapped; see OFFICIAL).
    national = {d for d in off if date(year, 8, 28) <= d <= date(year, 9, 8)}
    assert compensated(date(year, 9, 2)) in off or date(year, 9, 2) in off
    assert len(national) == (3 if year == 2026 else 2), sorted(national)


@pytest.mark.parametrize(("year", "expected"), [
    (2027, days(2027, (1, 1), (2, 4), (2, 5), (2, 8), (2, 9), (2, 10), (4, 16), (4, 30), (5, 3), (9, 2), (9, 3))),
    (2028, days(2028, (1, 3), (1, 24), (1, 25), (1, 26), (1, 27), (1, 28), (4, 4), (5, 1), (5, 2), (9, 1), (9, 4))),
])
def test_years_without_decisions_get_the_legal_holidays_not_weekends_only(year: int, expected: set[date]) -> None:
    # Worked out by hand from the law and the lunar dates above: 2027, Tết on Saturday 06/02 (the
    # eve Friday 05/02; mùng 1 and 2 on the weekend made up on the nearest working days, Thursday
    # 04/02 and Wednesday 10/02, after mùng 3–4 on Monday–Tuesday 08–09/02),
    # 1/5 a Saturday made up on Monday 03/05; 2028, 1/1 and 30/4 on weekends made up on Monday
    # 03/01 and Tuesday 02/05, 2/9 a Saturday with Friday 01/09 and Monday 04/09.
    assert year not in default_calendar().years
    assert weekdays_off(year) == expected
    # Friday 30/04/2027 + 1 working day: Monday 03/05 is the compensatory day for Saturday 1/5.
    if year == 2027:
        assert add_working_days(local(2027, 4, 29, 9, 0), 1) == utc(2027, 5, 4, 17, 0)


def test_far_years_still_skip_tet(caplog: pytest.LogCaptureFixture) -> None:
    new_year = lunar.lunar_new_year(2099)  # Saturday 21/02/2099
    with caplog.at_level(logging.INFO, logger="bot.sla"):
        due = add_working_days(local(2099, 2, 13, 9, 0), 5)  # Friday before Tết
    assert due.astimezone(HANOI).date() > new_year + timedelta(days=3)
    assert "2099" in caplog.text  # said once: no decisions for that year, legal holidays only


def test_decisions_override_the_legal_calendar(tmp_path: Path) -> None:
    (tmp_path / "holidays").mkdir()
    (tmp_path / "sla.yml").write_text(
        'timezone: Asia/Ho_Chi_Minh\nworking_hours: [["09:00", "17:00"]]\ndeadlines: {}\n',
        encoding="utf-8",
    )
    (tmp_path / "holidays" / "2030.yml").write_text(
        "year: 2030\ndays_off:\n  - {from: 2030-01-02, to: 2030-01-03, name: extra days off}\n"
        "working_days:\n  - {date: 2030-01-05, name: make-up Saturday}\n",
        encoding="utf-8",
    )
    calendar = load_calendar(tmp_path / "sla.yml", tmp_path / "holidays")
    # Without the file: 01/01 (legal) off, 02–03/01 worked, Saturday 05/01 off.
    assert weekdays_off(2030, load_calendar(tmp_path / "sla.yml", tmp_path / "none")) >= {date(2030, 1, 1)}
    assert not calendar.is_working_day(date(2030, 1, 1))  # the legal holiday stays
    assert not calendar.is_working_day(date(2030, 1, 2)) and not calendar.is_working_day(date(2030, 1, 3))
    assert calendar.is_working_day(date(2030, 1, 4)) and calendar.is_working_day(date(2030, 1, 5))
    start = local(2029, 12, 31, 16, 0)  # Monday; 01–03/01 off; Friday 04/01, then Saturday 05/01 worked
    assert add_working_hours(start, 2, calendar) == utc(2030, 1, 4, 10, 0)
    assert add_working_days(local(2030, 1, 4, 9, 0), 1, calendar) == utc(2030, 1, 5, 17, 0)
    assert add_working_days(local(2030, 1, 4, 9, 0), 1,
                            load_calendar(tmp_path / "sla.yml", tmp_path / "none")) == utc(2030, 1, 7, 17, 0)


def test_a_decision_can_make_a_legal_day_a_working_day(tmp_path: Path) -> None:
    """When the government picks another adjacent day for Quốc khánh than the package does."""
    (tmp_path / "holidays").mkdir()
    (tmp_path / "holidays" / "2027.yml").write_text(
        "year: 2027\ndays_off:\n  - {date: 2027-09-01, name: chosen adjacent day}\n"
        "working_days:\n  - {date: 2027-09-03, name: not the adjacent day this year}\n",
        encoding="utf-8",
    )
    calendar = load_calendar(holiday_dir=tmp_path / "holidays")
    assert weekdays_off(2027, calendar) & days(2027, (9, 1), (9, 2), (9, 3)) == days(2027, (9, 1), (9, 2))

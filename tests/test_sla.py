"""Working-time arithmetic and deadlines (bot/sla.py with the shipped data files)."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot import statuses
from bot.sla import (
    HOLIDAY_DIR,
    add_working_days,
    add_working_hours,
    default_calendar,
    default_rules,
    due_at_for,
    load_calendar,
)

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
def test_holiday_files_are_consistent(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert path.stem == str(data["year"])
    for entry in data["days_off"] + (data.get("working_weekends") or []):
        first, last = entry.get("date") or entry["from"], entry.get("date") or entry["to"]
        assert first.year == last.year == data["year"] and first <= last, entry
        assert entry["name"].strip()
    for entry in data.get("working_weekends") or []:
        assert entry["date"].weekday() >= 5, entry


def test_calendar_covers_the_fixed_holidays() -> None:
    calendar = default_calendar()
    assert {2025, 2026, 2027} <= calendar.years
    for year in sorted(calendar.years):
        for month, day in [(1, 1), (4, 30), (9, 2)]:
            assert not calendar.is_working_day(date(year, month, day))
        may_day = date(year, 5, 1)
        assert not calendar.is_working_day(may_day) or may_day.weekday() >= 5


def test_year_without_data_counts_weekends_only(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.sla"):
        # Friday 2099-01-02 + 1 working day: Monday 05/01 (1 Jan 2099 is not known here).
        assert add_working_days(local(2099, 1, 2, 9, 0), 1) == utc(2099, 1, 5, 17, 0)
    assert "2099" in caplog.text


def test_calendar_loads_custom_files(tmp_path: Path) -> None:
    (tmp_path / "holidays").mkdir()
    (tmp_path / "sla.yml").write_text(
        'timezone: Asia/Ho_Chi_Minh\nworking_hours: [["09:00", "17:00"]]\ndeadlines: {}\n',
        encoding="utf-8",
    )
    (tmp_path / "holidays" / "2030.yml").write_text(
        "year: 2030\ndays_off:\n  - {date: 2030-01-01, name: x}\n"
        "working_weekends:\n  - {date: 2030-01-05, name: y}\n",
        encoding="utf-8",
    )
    calendar = load_calendar(tmp_path / "sla.yml", tmp_path / "holidays")
    start = local(2029, 12, 31, 16, 0)  # Monday; 01/01 off; Saturday 05/01 worked
    assert add_working_hours(start, 2, calendar) == utc(2030, 1, 2, 10, 0)
    assert add_working_days(local(2030, 1, 4, 9, 0), 1, calendar) == utc(2030, 1, 5, 17, 0)

"""Hanoi local time for what staff read (the database keeps UTC)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from bot.sla import default_calendar


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(default_calendar().tz)


def format_datetime(moment: datetime | None) -> str:
    """"14:05 03/11/2025"; empty for None."""
    return to_local(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def local_today(now: datetime | None = None) -> date:
    """Today's date in Hanoi."""
    return to_local(now or datetime.now(timezone.utc)).date()


def format_date(day: date) -> str:
    """"03/11/2025"."""
    return day.strftime("%d/%m/%Y")


def format_time(moment: datetime) -> str:
    return to_local(moment).strftime("%H:%M")


def local_day_start(day: date) -> datetime:
    """The first moment of a Hanoi calendar day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=default_calendar().tz).astimezone(timezone.utc)


def local_day_end(day: date) -> datetime:
    """The first moment after a Hanoi calendar day, in UTC (exclusive bound)."""
    return local_day_start(day + timedelta(days=1))

"""GET requests: its filters read into a `PublicQuery`, as the spec says.

`service_request_id` (comma-separated codes) overrides every other filter. Otherwise
`start_date`/`end_date` (W3C date-times; a date alone is a Hanoi calendar day, a time without
a zone is Hanoi time) bound when the requests were received: by default the last 90 days; one
bound alone means the 90 days after it or before it; both may not span more than 90 days.
`service_code` and `status` (`open`, `closed`) take comma-separated values. Newest first, at
most 1,000.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Mapping

from bot import statuses
from bot.codes import normalize_code
from bot.open311 import catalog
from bot.open311.errors import bad_request
from bot.staff.localtime import local_day_start
from bot.storage.public_reports import MAX_REPORTS, PublicQuery
from bot.sla import default_calendar

SPAN = timedelta(days=90)
OPEN, CLOSED = "open", "closed"
OPEN_STATUSES = tuple(s for s in statuses.STATUSES if s not in statuses.CLOSED_STATUSES)
CLOSED_STATUSES = tuple(s for s in statuses.STATUSES if s in statuses.CLOSED_STATUSES)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEARS = (2000, 2100)

BAD_DATE = ("{name} “{value}” không đúng định dạng W3C, ví dụ 2025-08-01T00:00:00+07:00, "
            "2025-08-01T00:00:00Z hoặc 2025-08-01.")
DATE_ORDER = "start_date phải trước end_date."
SPAN_TOO_LONG = "Khoảng thời gian từ start_date đến end_date không được quá 90 ngày (theo chuẩn Open311)."
BAD_STATUS = "status “{value}” không hợp lệ: chỉ nhận open, closed (có thể cách nhau bằng dấu phẩy)."
BAD_SERVICE = "service_code “{value}” không hợp lệ. Các mã hợp lệ: {codes}."
BAD_ID = "service_request_id “{value}” không phải mã phản ánh (dạng PA-XXXXXX)."
TOO_MANY_IDS = f"service_request_id nhận tối đa {MAX_REPORTS} mã."


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_datetime(name: str, value: str) -> datetime:
    """A W3C date-time (or date) as an aware UTC datetime; Hanoi time when no zone is given."""
    text = value.strip()
    try:
        if _DATE.match(text):
            moment = local_day_start(date.fromisoformat(text))
        else:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=default_calendar().tz)
    except (ValueError, IndexError, OverflowError):
        raise bad_request(BAD_DATE.format(name=name, value=text[:60])) from None
    if not _YEARS[0] <= moment.year <= _YEARS[1]:
        raise bad_request(BAD_DATE.format(name=name, value=text[:60]))
    return moment.astimezone(timezone.utc)


def _window(args: Mapping[str, str], now: datetime) -> tuple[datetime, datetime]:
    start_text, end_text = args.get("start_date", "").strip(), args.get("end_date", "").strip()
    start = parse_datetime("start_date", start_text) if start_text else None
    end = parse_datetime("end_date", end_text) if end_text else None
    if start is None:
        return (now - SPAN, now) if end is None else (end - SPAN, end)
    if end is None:
        return start, start + SPAN
    if start > end:
        raise bad_request(DATE_ORDER)
    if end - start > SPAN:
        raise bad_request(SPAN_TOO_LONG)
    return start, end


def _codes(value: str) -> tuple[str, ...]:
    items = _items(value)
    if len(items) > MAX_REPORTS:
        raise bad_request(TOO_MANY_IDS)
    codes = []
    for item in items:
        code = normalize_code(item[:40])
        if code is None:
            raise bad_request(BAD_ID.format(value=item[:40]))
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def _categories(value: str) -> tuple[str, ...]:
    known = catalog.services()
    items = _items(value)
    for item in items:
        if item not in known:
            raise bad_request(BAD_SERVICE.format(value=item[:50], codes=", ".join(known)))
    return tuple(dict.fromkeys(items))


def _statuses(value: str) -> tuple[str, ...]:
    chosen = set()
    for item in _items(value):
        if item.lower() not in (OPEN, CLOSED):
            raise bad_request(BAD_STATUS.format(value=item[:40]))
        chosen.add(item.lower())
    if chosen == {OPEN, CLOSED} or not chosen:
        return ()
    return OPEN_STATUSES if OPEN in chosen else CLOSED_STATUSES


def requests_query(args: Mapping[str, str], now: datetime) -> PublicQuery:
    """The filters of GET requests, or Open311Error(400) naming the one that is wrong."""
    if args.get("service_request_id", "").strip():
        return PublicQuery(codes=_codes(args["service_request_id"]))
    since, until = _window(args, now)
    return PublicQuery(categories=_categories(args.get("service_code", "")), statuses=_statuses(args.get("status", "")),
                       since=since, until=until)


def open_or_closed(status: str) -> str:
    return CLOSED if status in statuses.CLOSED_STATUSES else OPEN

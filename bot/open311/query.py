"""GET requests: its filters read into a `PublicQuery`, as the spec says.

`service_request_id` (comma-separated codes) overrides every other filter. Otherwise
`start_date`/`end_date` bound when the requests were received: by default the last 90 days; one
bound alone means the 90 days after it or before it; both may not span more than 90 days.
They are W3C-DTF / ISO 8601 (extended) dates: "2026", "2026-08", "2026-08-01" (the beginning of
that year, month or day in Hanoi), "2026-08-01T09:00", with seconds and any number of fraction
digits (".5", ".1234", nanoseconds: read to the microsecond), and a zone "Z", "+07:00", "+0700"
or "+07"; a time without a zone is Hanoi time.
`service_code` and `status` (`open`, `closed`) take comma-separated values. Newest first, at
most 1,000.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Mapping

from bot import statuses
from bot.codes import normalize_code
from bot.open311 import catalog
from bot.open311.errors import bad_request
from bot.storage.public_reports import MAX_REPORTS, PublicQuery
from bot.sla import default_calendar

SPAN = timedelta(days=90)
OPEN, CLOSED = "open", "closed"
OPEN_STATUSES = tuple(s for s in statuses.STATUSES if s not in statuses.CLOSED_STATUSES)
CLOSED_STATUSES = tuple(s for s in statuses.STATUSES if s in statuses.CLOSED_STATUSES)
_W3C = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?)?)?$", re.ASCII)
_YEARS = (2000, 2100)

BAD_DATE = ("{name} “{value}” không đúng định dạng ngày giờ W3C (ISO 8601), ví dụ 2025-08-01T00:00:00+07:00, "
            "2025-08-01T00:00:00.5Z, 2025-08-01 hoặc 2025-08.")
DATE_ORDER = "start_date phải trước end_date."
SPAN_TOO_LONG = "Khoảng thời gian từ start_date đến end_date không được quá 90 ngày (theo chuẩn Open311)."
BAD_STATUS = "status “{value}” không hợp lệ: chỉ nhận open, closed (có thể cách nhau bằng dấu phẩy)."
BAD_SERVICE = "service_code “{value}” không hợp lệ. Các mã hợp lệ: {codes}."
BAD_ID = "service_request_id “{value}” không phải mã phản ánh (dạng PA-XXXXXX)."
TOO_MANY_IDS = f"service_request_id nhận tối đa {MAX_REPORTS} mã."


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _zone(text: str | None) -> tzinfo:
    """"Z", "+07:00", "+0700", "+07" (none: Hanoi)."""
    if not text:
        return default_calendar().tz
    if text in ("Z", "z"):
        return timezone.utc
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return timezone(-offset if text[0] == "-" else offset)


def _moment(match: re.Match[str]) -> datetime:
    """The first moment of what the date names (a year, a month, a day, a minute, a second)."""
    part = match.groupdict()
    fraction = (part["fraction"] or "")[:6].ljust(6, "0")
    return datetime(int(part["year"]), int(part["month"] or 1), int(part["day"] or 1), int(part["hour"] or 0),
                    int(part["minute"] or 0), int(part["second"] or 0), int(fraction), tzinfo=_zone(part["zone"]))


def parse_datetime(name: str, value: str) -> datetime:
    """A W3C-DTF / ISO 8601 date or date-time as an aware UTC datetime, or Open311Error(400)."""
    text = value.strip()
    match = _W3C.match(text)
    try:
        moment = _moment(match) if match else None
    except (ValueError, OverflowError):  # month 13, hour 25, an offset of a day or more
        moment = None
    if moment is None or not _YEARS[0] <= moment.year <= _YEARS[1]:
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

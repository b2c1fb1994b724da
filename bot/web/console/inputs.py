"""Reading what staff send: queue filters and the KPI pages' ward and period from the query
string, action input from a form (with an optional result photo) or a JSON body."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping

from aiohttp import web
from aiohttp.web_request import FileField
from multidict import MultiMapping

from bot import statuses
from bot.staff.dashboard import Period
from bot.staff.errors import ActionRefused
from bot.staff.localtime import format_date
from bot.staff.queue import NEWEST, SORT_LABELS, QueueFilter
from bot.staff.workflow import ActionInput
from bot.media.links import photo_url
from bot.media.store import MAX_UPLOAD_BYTES
from bot.storage.uploads import record_upload
from bot.web.client_ip import client_ip
from bot.web.guard import BadInput, form_fields, json_body
from bot.web.keys import DATABASE_KEY, SETTINGS_KEY, UPLOAD_STORE_KEY

MAX_TEXT = 200
BAD_DATE = "Ngày “{value}” không hợp lệ (dạng năm-tháng-ngày, từ năm 2000 đến 2100)."
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # any real report lies between
BAD_STATUS = "Trạng thái “{value}” không hợp lệ."
BAD_CATEGORY = "Loại phản ánh “{value}” không hợp lệ."
BAD_SORT = "Cách sắp xếp “{value}” không hợp lệ."
BAD_WARD = "Mã phường, xã “{value}” không hợp lệ."
BAD_PERIOD = "Ngày bắt đầu ({first}) phải trước hoặc trùng ngày kết thúc ({last})."
PERIOD_TOO_LONG = "Khoảng thời gian xem số liệu dài tối đa {days} ngày."
DEFAULT_DAYS = 30
MAX_DAYS = 366
NOT_AN_IMAGE = "Ảnh kết quả phải là ảnh JPEG, PNG, WebP hoặc GIF."
IMAGE_TOO_LARGE = "Ảnh kết quả quá lớn (tối đa 10 MB)."
BAD_BODY = "Nội dung yêu cầu không hợp lệ."


@dataclass(frozen=True)
class ParsedFilter:
    filters: QueueFilter
    cursor: str | None
    errors: list[str]


@dataclass(frozen=True)
class ParsedScope:
    ward: str | None
    period: Period
    errors: list[str]


def _date(value: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10]) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        errors.append(BAD_DATE.format(value=value[:40]))
        return None
    return day


def ward_param(query: MultiMapping[str], errors: list[str]) -> str | None:
    """`?ward=` (a 5-digit code), None when absent or invalid (and then an error)."""
    ward = (query.get("ward") or "").strip() or None
    if ward and not (ward.isdigit() and len(ward) == 5):
        errors.append(BAD_WARD.format(value=ward))
        return None
    return ward


def queue_filter(query: MultiMapping[str]) -> ParsedFilter:
    """Filters from `?status=new&status=acknowledged&category=…&ward=…&overdue=1&from=…&to=…
    &q=…&sort=newest|oldest|due&uncertain=1&cursor=…`; invalid values are dropped and reported."""
    errors: list[str] = []
    chosen = [s for s in query.getall("status", []) if s]
    for value in chosen:
        if value not in statuses.STATUSES:
            errors.append(BAD_STATUS.format(value=value))
    category = query.get("category") or None
    if category and category not in statuses.CATEGORIES:
        errors.append(BAD_CATEGORY.format(value=category))
        category = None
    ward = ward_param(query, errors)
    sort = query.get("sort") or NEWEST
    if sort not in SORT_LABELS:
        errors.append(BAD_SORT.format(value=sort))
        sort = NEWEST
    filters = QueueFilter(
        statuses=tuple(dict.fromkeys(s for s in chosen if s in statuses.STATUSES)),
        category=category, ward=ward, overdue=query.get("overdue") in ("1", "true", "on"),
        created_from=_date(query.get("from", ""), errors), created_to=_date(query.get("to", ""), errors),
        text=query.get("q", "")[:MAX_TEXT], sort=sort, uncertain_ward=query.get("uncertain") in ("1", "true", "on"),
    )
    return ParsedFilter(filters, query.get("cursor") or None, errors)


def scope_filter(query: MultiMapping[str], today: date) -> ParsedScope:
    """`?ward=…&from=…&to=…` of the KPI pages: Hanoi days, both included, by default the
    last 30 days up to today; at most 366 days."""
    errors: list[str] = []
    ward = ward_param(query, errors)
    last = _date(query.get("to", ""), errors) or today
    first = _date(query.get("from", ""), errors) or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        errors.append(BAD_PERIOD.format(first=format_date(first), last=format_date(last)))
    elif (last - first).days >= MAX_DAYS:
        errors.append(PERIOD_TOO_LONG.format(days=MAX_DAYS))
    return ParsedScope(ward, Period(first, last), errors)


def scope_query(parsed: ParsedScope, *, with_ward: bool = True) -> list[tuple[str, str]]:
    """The query string pairs that give the same ward and period back (links, CSV)."""
    pairs = [("ward", parsed.ward)] if parsed.ward and with_ward else []
    return pairs + [("from", parsed.period.first_day.isoformat()), ("to", parsed.period.last_day.isoformat())]


def filter_query(filters: QueueFilter) -> list[tuple[str, str]]:
    """The query string pairs that give `filters` back (for next-page and count links)."""
    pairs = [("status", s) for s in filters.statuses]
    optional = {"category": filters.category, "ward": filters.ward, "q": filters.text.strip(),
                "from": filters.created_from.isoformat() if filters.created_from else None,
                "to": filters.created_to.isoformat() if filters.created_to else None,
                "overdue": "1" if filters.overdue else None,
                "uncertain": "1" if filters.uncertain_ward else None,
                "sort": filters.sort if filters.sort != NEWEST else None}
    return pairs + [(key, value) for key, value in optional.items() if value]


def text_field(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _store_photo(request: web.Request, upload: FileField, owner: str) -> str:
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ActionRefused(IMAGE_TOO_LARGE)
    name = await request.app[UPLOAD_STORE_KEY].save_clean(data)
    if name is None:
        raise ActionRefused(NOT_AN_IMAGE)
    settings = request.app[SETTINGS_KEY]
    await record_upload(request.app[DATABASE_KEY], name, owner, client_ip(request, settings.trusted_proxies))
    return photo_url(settings.public_base_url, name)


def discard_photo(request: web.Request, url: str | None) -> None:
    """Remove a result photo stored for an action that was then refused."""
    if url:
        request.app[UPLOAD_STORE_KEY].discard(url.rsplit("/", 1)[-1])


async def request_fields(request: web.Request) -> Mapping[str, Any]:
    """The body's fields, from JSON (the API) or a form (the pages)."""
    if request.content_type != "application/json":
        try:
            return await form_fields(request)
        except BadInput:
            raise ActionRefused(BAD_BODY) from None
    try:
        fields = await json_body(request)
    except BadInput:
        raise ActionRefused(BAD_BODY) from None
    if not isinstance(fields, dict):
        raise ActionRefused(BAD_BODY)
    return fields


async def action_input(request: web.Request, *, allow_photo: bool, owner: str) -> ActionInput:
    """The action's fields from JSON or a form; a form's `photo` file is stored (images only,
    cleaned of metadata, registered under `owner`)."""
    fields = await request_fields(request)
    photo = fields.get("photo")
    stored = await _store_photo(request, photo, owner) if allow_photo and isinstance(photo, FileField) and \
        photo.filename else None
    return ActionInput(
        note=text_field(fields, "note"), target_ward=text_field(fields, "target_ward") or None,
        original_code=text_field(fields, "original_code") or None, photo_url=stored,
        expected_status=text_field(fields, "expected_status") or None,
    )

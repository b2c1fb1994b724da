"""POST requests: an Open311 form becomes the chat's own `ReportDraft`, stored by the chat's own
`submit_report` (same row, same deadline, same code; channel "open311").

What is kept: the service (the category), the place (`bot.open311.location`), the description,
the kind of violation (`attribute[loai_vi_pham]`), a `media_url` (as a line of the description:
staff open it themselves, our pages never load it), the phone number (for the ward, like the
chat's, never published) and `account_id` (the citizen's id in the calling system, kept with the
sender). `email`, `first_name`, `last_name` and `device_id` are accepted and not stored: the chat
collects no names or e-mail addresses either.

Retries: the same key sending the same form (every field but `api_key`, in any order) within
`RETRY_WINDOW` gets the report it created the first time, never a second one. The draft key is
`open311:<key id>:<digest of the form>:<window number>`; a retry may fall into the next window
number, so the previous number's key is looked up too, and counts while the report is younger
than the window.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from sqlalchemy import select

from bot.intake import parse_contact
from bot.open311 import catalog
from bot.open311.errors import Open311Error, bad_request
from bot.open311.location import Place, place_for
from bot.staff.users import KeyOwner
from bot.storage.db import Database
from bot.storage.errors import UnknownWard
from bot.storage.models import Report, utcnow
from bot.storage.reports import ReportDraft, ReportView, find_report, submit_report
from bot.text import normalize

CHANNEL = "open311"
RETRY_WINDOW = timedelta(hours=1)
MAX_DESCRIPTION_CHARS = 4000
MAX_FIELD_CHARS = {"phone": 40, "account_id": 80, "media_url": 2000, "service_code": 50}  # sender_id ≤ 200
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
_ACCOUNT_ID = re.compile(r"^[\w.@:+-]{1,100}$")
# One thread for the address parser: the first call loads the gazetteer and spaCy (seconds),
# and no call ever blocks the web server's event loop.
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open311-address")

MISSING_SERVICE = "Thiếu service_code (mã dịch vụ). Các mã hợp lệ: {codes} (xem GET services)."
UNKNOWN_SERVICE = "Không có dịch vụ mã “{code}”. Các mã hợp lệ: {codes} (xem GET services)."
TOO_LONG = "description dài {length} ký tự, vượt quá {limit} ký tự cho phép (theo chuẩn Open311)."
FIELD_TOO_LONG = "Trường {name} dài quá {limit} ký tự."
NUL = "Nội dung gửi lên có ký tự không hợp lệ (NUL)."
BAD_PHONE = "Số điện thoại “{phone}” không hợp lệ: cần số Việt Nam 10 chữ số, ví dụ 0912345678."
BAD_MEDIA_URL = "media_url phải là một đường dẫn http:// hoặc https:// (không có khoảng trắng)."
BAD_ACCOUNT_ID = "account_id chỉ gồm chữ, số và . _ - @ : + (tối đa 80 ký tự)."
BAD_ATTRIBUTE = ("Giá trị “{value}” của attribute[{code}] không có trong danh sách của dịch vụ {service}. "
                 "Các giá trị: {keys} (xem GET services/{service}).")
ONE_ATTRIBUTE_VALUE = "attribute[{code}] chỉ nhận một giá trị."
WARD_NOT_SERVED = "{ward} ({code}) chưa được mở tiếp nhận phản ánh trên hệ thống."

Form = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Submission:
    service: catalog.Service
    place: Place
    description: str  # the citizen's words, normalised ("" when none)
    violation: catalog.Value | None
    media_url: str | None
    phone: str | None
    account_id: str | None


def _one(form: Form, name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def _check_text(form: Form) -> None:
    for name, values in form.items():
        if any("\x00" in value for value in values):
            raise bad_request(NUL)
        limit = MAX_FIELD_CHARS.get(name)
        if limit and any(len(value) > limit for value in values):
            raise bad_request(FIELD_TOO_LONG.format(name=name, limit=limit))


def _service(form: Form) -> catalog.Service:
    code = _one(form, "service_code")
    codes = ", ".join(catalog.services())
    if not code:
        raise bad_request(MISSING_SERVICE.format(codes=codes))
    service = catalog.services().get(code)
    if service is None:
        raise Open311Error(404, UNKNOWN_SERVICE.format(code=code, codes=codes))
    return service


def _violation(form: Form, service: catalog.Service) -> catalog.Value | None:
    wanted = catalog.attribute().code
    given = [value.strip() for name, values in form.items()
             if (match := _ATTRIBUTE.match(name)) and match.group(1) == wanted for value in values if value.strip()]
    if not given:
        return None
    if len(given) > 1:
        raise bad_request(ONE_ATTRIBUTE_VALUE.format(code=wanted))
    value = service.value(given[0])
    if value is None:
        raise bad_request(BAD_ATTRIBUTE.format(value=given[0][:100], code=wanted, service=service.code,
                                               keys=", ".join(v.key for v in service.values)))
    return value


def _description(form: Form) -> str:
    text = _one(form, "description")
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise bad_request(TOO_LONG.format(length=len(text), limit=MAX_DESCRIPTION_CHARS))
    return normalize(text) if text else ""


def _phone(form: Form) -> str | None:
    given = _one(form, "phone")
    if not given:
        return None
    contact = parse_contact(given)
    if contact is None or contact.phone is None:
        raise bad_request(BAD_PHONE.format(phone=given[:40]))
    return contact.phone


def _media_url(form: Form) -> str | None:
    url = _one(form, "media_url")
    if url and not _URL.match(url):
        raise bad_request(BAD_MEDIA_URL)
    return url or None


def _account_id(form: Form) -> str | None:
    account = _one(form, "account_id")
    if account and not _ACCOUNT_ID.match(account):
        raise bad_request(BAD_ACCOUNT_ID)
    return account or None


async def read_submission(form: Form) -> Submission:
    """The request as we store it, or Open311Error (400, 404) saying what is wrong."""
    _check_text(form)
    service = _service(form)
    description, violation = _description(form), _violation(form, service)
    phone, media_url, account_id = _phone(form), _media_url(form), _account_id(form)
    location = {name: _one(form, name) for name in ("lat", "long", "address_string", "address_id")}
    place = await asyncio.get_running_loop().run_in_executor(_PARSER, lambda: place_for(**location))
    return Submission(service, place, description, violation, media_url, phone, account_id)


def _staff_description(submission: Submission, source: str) -> str:
    """What the ward reads: the words, then what came with them."""
    lines = [submission.description or (submission.violation.name if submission.violation else submission.service.name)]
    if submission.violation and submission.description:
        lines.append(f"Loại vi phạm: {submission.violation.name}")
    if submission.media_url:
        lines.append(f"Ảnh, tệp kèm theo (đường dẫn do hệ thống gửi): {submission.media_url}")
    lines.append(f"Nguồn: {source} (Open311)")
    return "\n".join(lines)


def draft_for(submission: Submission, owner: KeyOwner, draft_key: str) -> ReportDraft:
    account = owner.account
    sender = f"{CHANNEL}:{account.username}" + (f":{submission.account_id}" if submission.account_id else "")
    parts = submission.place.address
    return ReportDraft(
        draft_key=draft_key, category=submission.service.code,
        description=_staff_description(submission, account.full_name or account.username),
        citizen_text=submission.description, address_text=submission.place.address_text,
        ward_code=submission.place.ward_code, channel=CHANNEL, sender_id=sender,
        latitude=parts.latitude, longitude=parts.longitude, phone=submission.phone,
        anonymous=submission.phone is None, address=parts, ward_candidates=list(submission.place.ward_candidates),
    )


def retry_keys(token_id: int, form: Form, now: datetime) -> tuple[str, str]:
    """The draft key of this form in the current window, and in the window before."""
    items = sorted((name, value) for name, values in form.items() if name != "api_key" for value in values)
    digest = hashlib.sha256(json.dumps(items, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()[:40]
    window = int(now.timestamp() // RETRY_WINDOW.total_seconds())
    return f"{CHANNEL}:{token_id}:{digest}:{window}", f"{CHANNEL}:{token_id}:{digest}:{window - 1}"


async def _recent(db: Database, keys: Iterable[str], since: datetime) -> str | None:
    async with db.session() as session:
        return (await session.execute(
            select(Report.code).where(Report.draft_key.in_(list(keys)), Report.created_at >= since).limit(1)
        )).scalar()


async def create_request(db: Database, form: Form, owner: KeyOwner, *, now: datetime | None = None) -> ReportView:
    """Store the request (or find the one this key made from the same form a moment ago)."""
    now = now or utcnow()
    current, previous = retry_keys(owner.token_id, form, now)
    code = await _recent(db, (current, previous), now - RETRY_WINDOW)
    if code is not None and (earlier := await find_report(db, code)) is not None:
        return earlier
    submission = await read_submission(form)
    try:
        return await submit_report(db, draft_for(submission, owner, current), now=now)
    except UnknownWard:
        raise bad_request(WARD_NOT_SERVED.format(ward=submission.place.ward_name, code=submission.place.ward_code)) \
            from None

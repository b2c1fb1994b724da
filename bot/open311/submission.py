"""POST requests: an Open311 form becomes the chat's own `ReportDraft`, stored by the chat's own
`submit_report` (same row, same deadline, same code; channel "open311").

What is kept: the service (the category), the place (`bot.open311.location`), the description,
the kind of violation (`attribute[loai_vi_pham]`), a `media_url` (as a line of the description:
staff open it themselves, our pages never load it), the phone number (for the ward, never
published) and `account_id` (the citizen's id in the calling system, any printable text, kept
with the sender). `email`, `first_name`, `last_name` and `device_id` are accepted and not
stored: the chat collects no names or e-mail addresses either.

The phone number never refuses a request: a Vietnamese mobile is stored as the chat stores it
(0xxxxxxxxx), a landline as 02xxxxxxxxx (11 digits: staff may call it; ZNS never uses it, an
Open311 report has no consent to it and `bot.zalo.zns.zns_phone` takes mobiles only); anything
else is not kept, and the answer's `service_notice` says so. Likewise a point that `location`
drops (address_id names another ward) is said in the notice.

Retries: the same key sending the same form (every field but `api_key`, in any order) within
`RETRY_WINDOW` gets the report it created the first time, never a second one (a client's
network retry comes within seconds; ten minutes is room enough, and the same report filed again
later on purpose is a new one). The draft key is `open311:<key id>:<digest of the form>:<window
number>`; a retry may fall into the next window number, so the previous number's key is looked
up too, and counts while the report is younger than the window.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from sqlalchemy import select

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
RETRY_WINDOW = timedelta(minutes=10)
MAX_DESCRIPTION_CHARS = 4000
MAX_ACCOUNT_ID_CHARS = 80
MAX_FIELD_CHARS = {"account_id": MAX_ACCOUNT_ID_CHARS, "media_url": 2000, "service_code": 50}  # sender_id ≤ 200
NEVER_REFUSED = frozenset({"phone"})  # read on its own: kept or not, never the reason for a 400
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
_PHONE_RUN = re.compile(r"[+(]*\d[\d\s.\-()/]*", re.ASCII)  # digits and what people write between them
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_PHONE_PREFIX = r"^(?:\+84|0084|84|0)"
_MOBILE = re.compile(_PHONE_PREFIX + r"([35789]\d{8})$", re.ASCII)  # 03x, 05x, 07x, 08x, 09x
_LANDLINE = re.compile(_PHONE_PREFIX + r"(2\d{9})$", re.ASCII)  # 02x(x) and the subscriber: 11 digits
# One thread for the address parser: the first call loads the gazetteer and spaCy (seconds),
# and no call ever blocks the web server's event loop.
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open311-address")

MISSING_SERVICE = "Thiếu service_code (mã dịch vụ). Các mã hợp lệ: {codes} (xem GET services)."
UNKNOWN_SERVICE = "Không có dịch vụ mã “{code}”. Các mã hợp lệ: {codes} (xem GET services)."
TOO_LONG = "description dài {length} ký tự, vượt quá {limit} ký tự cho phép (theo chuẩn Open311)."
FIELD_TOO_LONG = "Trường {name} dài quá {limit} ký tự."
NUL = "Nội dung gửi lên có ký tự không hợp lệ (NUL)."
PHONE_NOT_KEPT = ("Hệ thống không nhận ra số điện thoại gửi kèm là số di động hay số cố định Việt Nam nên không lưu "
                  "số này.")
POINT_NOT_KEPT = ("Tọa độ lat, long gửi kèm chỉ tới phường, xã khác với address_id {code} nên không được lưu; phản ánh "
                  "được giao cho {ward} theo address_id.")
BAD_MEDIA_URL = "media_url phải là một đường dẫn http:// hoặc https:// (không có khoảng trắng)."
BAD_ACCOUNT_ID = ("account_id không được chứa ký tự điều khiển hay ký tự không in được (xuống dòng, tab…); "
                  f"tối đa {MAX_ACCOUNT_ID_CHARS} ký tự.")
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
    notices: tuple[str, ...] = ()  # what the caller should know: a phone or a point not kept


@dataclass(frozen=True)
class Created:
    report: ReportView  # new, or the one the same form made within RETRY_WINDOW
    notices: tuple[str, ...]


def _one(form: Form, name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def _check_text(form: Form) -> None:
    for name, values in form.items():
        if name in NEVER_REFUSED:
            continue
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


def vietnamese_phone(text: str) -> str | None:
    """A Vietnamese mobile number as 0xxxxxxxxx or a landline as 02xxxxxxxxx, written in any
    usual way ("+84 (912) 345 678", "024 3825 1234", "+84 24 3825 1234"), the first one when the
    text holds words too ("0912 345 678 (anh Nam)"); else None."""
    for run in _PHONE_RUN.findall(text):
        compact = _PHONE_SEPARATORS.sub("", run)
        if match := _MOBILE.match(compact) or _LANDLINE.match(compact):
            return "0" + match.group(1)
    return None


def _phone(form: Form) -> str | None:
    return vietnamese_phone(_one(form, "phone")[:100])


def _media_url(form: Form) -> str | None:
    url = _one(form, "media_url")
    if url and not _URL.match(url):
        raise bad_request(BAD_MEDIA_URL)
    return url or None


def _printable(text: str) -> bool:
    """No control, format, private or unassigned character, no line or paragraph separator."""
    return not any(kind[0] == "C" or kind in ("Zl", "Zp") for kind in map(unicodedata.category, text))


def _account_id(form: Form) -> str | None:
    account = _one(form, "account_id")
    if account and not _printable(account):
        raise bad_request(BAD_ACCOUNT_ID)
    return account or None


def _notices(form: Form, phone: str | None, place: Place) -> tuple[str, ...]:
    notices = []
    if _one(form, "phone") and phone is None:
        notices.append(PHONE_NOT_KEPT)
    if _one(form, "lat") and place.address.latitude is None:  # `location` drops a point in another ward
        notices.append(POINT_NOT_KEPT.format(code=place.ward_code, ward=place.ward_name))
    return tuple(notices)


async def read_submission(form: Form) -> Submission:
    """The request as we store it, or Open311Error (400, 404) saying what is wrong."""
    _check_text(form)
    service = _service(form)
    description, violation = _description(form), _violation(form, service)
    phone, media_url, account_id = _phone(form), _media_url(form), _account_id(form)
    location = {name: _one(form, name) for name in ("lat", "long", "address_string", "address_id")}
    place = await asyncio.get_running_loop().run_in_executor(_PARSER, lambda: place_for(**location))
    return Submission(service, place, description, violation, media_url, phone, account_id,
                      _notices(form, phone, place))


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


async def create_request(db: Database, form: Form, owner: KeyOwner, *, now: datetime | None = None) -> Created:
    """Store the request (or find the one this key made from the same form a moment ago)."""
    now = now or utcnow()
    submission = await read_submission(form)
    current, previous = retry_keys(owner.token_id, form, now)
    code = await _recent(db, (current, previous), now - RETRY_WINDOW)
    if code is not None and (earlier := await find_report(db, code)) is not None:
        return Created(earlier, submission.notices)
    try:
        return Created(await submit_report(db, draft_for(submission, owner, current), now=now), submission.notices)
    except UnknownWard:
        raise bad_request(WARD_NOT_SERVED.format(ward=submission.place.ward_name, code=submission.place.ward_code)) \
            from None

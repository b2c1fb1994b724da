"""Open311 GeoReport v2 over HTTP: /open311/v2/… and /open311/discovery.{json,xml}.

The format is the suffix (`.json`, `.xml`; none means JSON). Reading (services, requests) is
public, as the spec says, and limited per client address (TRUSTED_PROXIES as everywhere); a
request carrying a valid integration `api_key` is counted under that key instead, and any other
`api_key` on a GET is ignored (never a 403). GET answers carry `Access-Control-Allow-Origin: *`
(public data, no credentials), so a web page elsewhere may read them; POST has no CORS. Creating needs the key of
an integration account (`python -m bot users token`), and is limited per key. The limits are in
`bot/data/open311.yml`.

Every error, ours or aiohttp's, is the spec's list of {code, description} in the request's
format: 400 (what is wrong with the request, or a failure on our side, as the spec's "general
service error"), 403 (a POST's key missing or wrong), 404 (no such service or request), 405, 429 (with
Retry-After). Never a 500: anything unexpected is logged with its detail and answered 400.
"""
from __future__ import annotations

import logging
import math
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from bot.codes import normalize_code
from bot.open311 import catalog
from bot.open311.documents import (created_document, definition_document, discovery_document, requests_document,
                                   services_document)
from bot.open311.errors import Open311Error, bad_request
from bot.open311.query import requests_query
from bot.open311.render import CONTENT_TYPES, FORMATS, JSON, Document, errors_document, render
from bot.open311.submission import create_request
from bot.staff import users
from bot.staff.access import INTEGRATION
from bot.staff.localtime import format_time
from bot.storage.errors import DATABASE_ERRORS
from bot.storage.limits import Limit, LimitReached, reserve_all
from bot.storage.models import utcnow
from bot.storage.public_reports import public_report, public_reports
from bot.web.client_ip import client_ip
from bot.web.guard import BadInput, Handler, form_fields
from bot.web.keys import DATABASE_KEY, SETTINGS_KEY

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()

PREFIX = "/open311/"
READING_METHODS = ("GET", "HEAD")
# Reading is public and carries no credentials: any web page may read it (CORS); filing may not.
READING_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
V2 = "/open311/v2"
MAX_FORM_BYTES = 64 * 1024
MULTIPART = "multipart/form-data"
FORM_TYPES = ("application/x-www-form-urlencoded", MULTIPART)

MISSING_KEY = "Thiếu api_key: tạo phản ánh qua Open311 cần khóa API do quản trị hệ thống cấp cho đơn vị tích hợp."
BAD_KEY = "api_key không hợp lệ, đã bị thu hồi hoặc không phải khóa tích hợp Open311."
TOO_MANY = "Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau {time} (khoảng {seconds} giây nữa)."
UNKNOWN_FORMAT = "Định dạng “{fmt}” không được hỗ trợ: dùng .json hoặc .xml."
NO_SERVICE = "Không có dịch vụ mã “{code}”. Các mã hợp lệ: {codes} (xem GET services)."
NO_REQUEST = "Không có phản ánh mã “{code}”."
NOT_FOUND = "Không có tài nguyên Open311 này. Các đường dẫn: /open311/v2/services.json, /open311/v2/requests.json."
NOT_ALLOWED = "Phương thức {method} không dùng được ở đường dẫn này."
NOT_A_FORM = ("POST requests cần nội dung dạng biểu mẫu (Content-Type: application/x-www-form-urlencoded; "
              "charset=utf-8).")
FORM_TOO_LARGE = (f"Nội dung gửi lên quá lớn: các trường văn bản tối đa {MAX_FORM_BYTES // 1024} KB, cả biểu mẫu "
                  "tối đa {mb} MB. Tệp đính kèm không được lưu: ảnh gửi bằng đường dẫn media_url.")
GENERAL_ERROR = ("Hệ thống chưa xử lý được yêu cầu do sự cố tạm thời. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, "
                 "báo cho quản trị hệ thống.")


def _split(name: str) -> tuple[str, str]:
    """"PA-7K2Q9X.xml" → ("PA-7K2Q9X", "xml"); no suffix means JSON."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return name, JSON
    if suffix.lower() not in FORMATS:
        raise Open311Error(404, UNKNOWN_FORMAT.format(fmt=suffix[:20]))
    return stem, suffix.lower()


def _format_of(path: str) -> str:
    """The format to answer in, errors included (JSON unless the path ends in .xml)."""
    return "xml" if path.lower().endswith(".xml") else JSON


def _answer(document: Document, fmt: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=render(document, fmt), status=status, content_type=CONTENT_TYPES[fmt], charset="utf-8",
                        headers=headers)


def _fmt(request: web.Request) -> str:
    fmt = request.match_info.get("fmt")
    if fmt is None:
        return JSON
    return _split(f"x.{fmt}")[1]


# --- keys and limits ------------------------------------------------------------------------

async def _reserve(request: web.Request, limits: list[Limit]) -> None:
    try:
        await reserve_all(request.app[DATABASE_KEY], limits)
    except LimitReached as reached:
        seconds = max(1, math.ceil((reached.retry_at - utcnow()).total_seconds()))
        raise Open311Error(429, TOO_MANY.format(time=format_time(reached.retry_at), seconds=seconds),
                           headers={"Retry-After": str(seconds)}) from None


def _address_limits(request: web.Request) -> list[Limit]:
    ip = client_ip(request, request.app[SETTINGS_KEY].trusted_proxies)
    lim = catalog.limits()
    return [lim.read_per_ip.limit(f"open311:read:ip:{ip}"), lim.read_per_ip_day.limit(f"open311:read:ip:{ip}:day")]


async def _integration_key(request: web.Request, key: str) -> users.KeyOwner | None:
    """The owner of a valid integration key, or None."""
    owner = await users.resolve_key(request.app[DATABASE_KEY], key) if key else None
    return owner if owner is not None and owner.account.role == INTEGRATION else None


async def _key_owner(request: web.Request, key: str) -> users.KeyOwner:
    """The integration key's owner; a missing or wrong key still counts under the address."""
    owner = await _integration_key(request, key)
    if owner is None:
        await _reserve(request, _address_limits(request))
        raise Open311Error(403, BAD_KEY if key else MISSING_KEY)
    return owner


async def _count_reading(request: web.Request) -> None:
    """Reading needs no key: a valid integration key is counted under its own limit, anything
    else (no key, an unknown or revoked one, a staff token) under the client address's."""
    owner = await _integration_key(request, request.query.get("api_key", "").strip())
    if owner is None:
        await _reserve(request, _address_limits(request))
        return
    await _reserve(request, [catalog.limits().read_per_key.limit(f"open311:read:key:{owner.token_id}")])


def _query_args(request: web.Request) -> dict[str, str]:
    """Each parameter once; one declared several times is read as a comma-separated list."""
    return {name: ",".join(request.query.getall(name)) for name in set(request.query.keys())}


# --- reading --------------------------------------------------------------------------------

@routes.get("/open311/discovery.{fmt}")
async def discovery(request: web.Request) -> web.Response:
    fmt = _fmt(request)
    await _count_reading(request)
    return _answer(discovery_document(request.app[SETTINGS_KEY].public_base_url), fmt)


@routes.get(V2 + "/services.{fmt}")
@routes.get(V2 + "/services")
async def list_services(request: web.Request) -> web.Response:
    fmt = _fmt(request)
    await _count_reading(request)
    return _answer(services_document(), fmt)


@routes.get(V2 + "/services/{name}")
async def service_definition(request: web.Request) -> web.Response:
    code, fmt = _split(request.match_info["name"])
    await _count_reading(request)
    service = catalog.services().get(code)
    if service is None:
        raise Open311Error(404, NO_SERVICE.format(code=code[:50], codes=", ".join(catalog.services())))
    return _answer(definition_document(service), fmt)


@routes.get(V2 + "/requests.{fmt}")
@routes.get(V2 + "/requests")
async def list_requests(request: web.Request) -> web.Response:
    fmt = _fmt(request)
    await _count_reading(request)
    query = requests_query(_query_args(request), utcnow())
    found = await public_reports(request.app[DATABASE_KEY], query)
    return _answer(requests_document(found, request.app[SETTINGS_KEY].public_base_url), fmt)


@routes.get(V2 + "/requests/{name}")
async def one_request(request: web.Request) -> web.Response:
    text, fmt = _split(request.match_info["name"])
    await _count_reading(request)
    code = normalize_code(text[:40])
    found = await public_report(request.app[DATABASE_KEY], code) if code else None
    if found is None:
        raise Open311Error(404, NO_REQUEST.format(code=text[:40]))
    return _answer(requests_document([found], request.app[SETTINGS_KEY].public_base_url), fmt)


# --- creating -------------------------------------------------------------------------------

def _text_bytes(fields: dict[str, list[str]]) -> int:
    return sum(len(name.encode()) + sum(len(v.encode("utf-8", "surrogatepass")) for v in values)
               for name, values in fields.items())


async def _form(request: web.Request) -> dict[str, list[str]]:
    """The POST's text fields (the query string's too, for names the body does not carry).
    A multipart body's file parts are read (aiohttp's body limit bounds them) and dropped: the
    spec sends a photo as `media_url`, and the text fields are the request."""
    if request.body_exists and request.content_type not in FORM_TYPES:
        raise bad_request(NOT_A_FORM)
    if request.content_type != MULTIPART and (request.content_length or 0) > MAX_FORM_BYTES:
        raise _too_large(request)
    posted: MultiMapping[Any] = await form_fields(request)
    fields: dict[str, list[str]] = {}
    for name, value in posted.items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
        elif isinstance(value, web.FileField):
            value.file.close()  # its temporary file, gone at once
    if _text_bytes(fields) > MAX_FORM_BYTES:
        raise _too_large(request)
    for name in set(request.query.keys()) - set(fields):
        fields[name] = list(request.query.getall(name))
    return fields


def _too_large(request: web.Request) -> Open311Error:
    return bad_request(FORM_TOO_LARGE.format(mb=request.client_max_size // (1024 * 1024)))


@routes.post(V2 + "/requests.{fmt}")
@routes.post(V2 + "/requests")
async def create(request: web.Request) -> web.Response:
    fmt = _fmt(request)
    form = await _form(request)
    owner = await _key_owner(request, (form.get("api_key") or [""])[0].strip())
    lim = catalog.limits()
    await _reserve(request, [lim.create_per_key.limit(f"open311:create:key:{owner.token_id}"),
                             lim.create_per_key_day.limit(f"open311:create:key:{owner.token_id}:day")])
    created = await create_request(request.app[DATABASE_KEY], form, owner)
    logger.info("Open311 request %s created for ward %s by key #%s (%s)", created.report.code,
                created.report.ward_code, owner.token_id, owner.account.username)
    return _answer(created_document(created.report, request.app[SETTINGS_KEY].public_base_url, created.notices), fmt)


# --- every answer under /open311/ -----------------------------------------------------------

def _error(status: int, description: str, fmt: str, headers: dict[str, str] | None = None) -> web.Response:
    return _answer(errors_document(status, description), fmt, status, headers)


@web.middleware
async def open311_answers(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(PREFIX):
        return await handler(request)
    response = await _answer_or_error(request, handler)
    if request.method in READING_METHODS:
        response.headers.update(READING_CORS)
    return response


async def _answer_or_error(request: web.Request, handler: Handler) -> web.StreamResponse:
    fmt = _format_of(request.path)
    try:
        return await handler(request)
    except Open311Error as error:
        return _error(error.status, error.description, fmt, error.headers)
    except BadInput as bad:
        return _error(400, bad.message, fmt)
    except web.HTTPException as http:
        if http.status < 400:
            raise
        if http.status == 404:
            return _error(404, NOT_FOUND, fmt)
        if http.status == 405:
            return _error(405, NOT_ALLOWED.format(method=request.method), fmt, {"Allow": http.headers.get("Allow", "")})
        logger.warning("Open311 %s %s answered %s: %s", request.method, request.path, http.status, http.reason)
        return _error(400, _too_large(request).description if http.status == 413 else GENERAL_ERROR, fmt)
    except DATABASE_ERRORS as error:
        logger.error("Open311 %s %s: database unavailable: %r", request.method, request.path, error)
        return _error(400, GENERAL_ERROR, fmt)
    except Exception:  # the spec's "general service error", never a 500
        logger.exception("Open311 %s %s failed", request.method, request.path)
        return _error(400, GENERAL_ERROR, fmt)

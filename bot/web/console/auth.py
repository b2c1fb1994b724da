"""Who is asking: an encrypted session cookie (pages and API) or an API token (API only).

The guard middleware runs on every /console and /api/staff request:
- resolves the staff member (token, else session) and refuses the anonymous: a redirect to
  the login page for pages, 401 for the API;
- checks the session's CSRF token, in constant time, on every state-changing request
  (form field `csrf_token` or header `X-CSRF-Token`); API-token requests carry no cookie
  and are exempt;
- turns AccessDenied into 403, unknown reports into 404 and refused actions or filters into
  400, as a page or as JSON.
"""
from __future__ import annotations

import hmac
from typing import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web
from aiohttp_session import Session, get_session, new_session

from bot.staff import users
from bot.staff.access import CONSOLE_ROLES, INTEGRATION_NOT_CONSOLE, Staff
from bot.staff.errors import AccessDenied, ActionRefused, InvalidQuery, StaleReport
from bot.staff.queue import InvalidCursor
from bot.storage.errors import ReportNotFound
from bot.web.console.context import STAFF, VIA_TOKEN, csrf_token, database, is_api, is_console
from bot.web.console.render import error_response, redirect
from bot.web.guard import form_fields

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

LOGIN_PATH = "/console/login"
PUBLIC_PATHS = frozenset({LOGIN_PATH})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

NOT_LOGGED_IN = "Bạn cần đăng nhập để tiếp tục."
BAD_TOKEN = "Mã truy cập API không hợp lệ, đã bị thu hồi hoặc tài khoản đã bị khóa."
CSRF_FAILED = "Phiên làm việc không hợp lệ hoặc đã hết hạn. Vui lòng tải lại trang rồi thử lại."
NOT_FOUND = "Không tìm thấy phản ánh này."
BAD_CURSOR = "Đường dẫn trang không hợp lệ. Vui lòng quay lại trang đầu của danh sách."


async def start_session(request: web.Request, account: users.Account) -> Session:
    """A fresh session for a successful login (a new CSRF token; nothing kept from before)."""
    session = await new_session(request)
    session["uid"] = account.id
    session["stamp"] = account.auth_stamp
    csrf_token(session)
    return session


async def _session_staff(request: web.Request, session: Session) -> Staff | None:
    user_id, stamp = session.get("uid"), session.get("stamp")
    if user_id is None:
        return None
    account = await users.get_account_by_id(database(request), int(user_id))
    if account is None or not account.active or account.auth_stamp != stamp or account.role not in CONSOLE_ROLES:
        session.invalidate()  # disabled, deleted, the password changed since, or not a console account
        return None
    return account.staff


async def signed_in_staff(request: web.Request) -> Staff | None:
    """The staff member of the request's console session, if any (outside the console's paths)."""
    return await _session_staff(request, await get_session(request))


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    expected = session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type in FORM_TYPES:
        given = (await form_fields(request)).get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def _login_redirect(request: web.Request) -> web.Response:
    target = request.path_qs if request.method == "GET" else "/console/"
    return redirect(f"{LOGIN_PATH}?next={quote(target, safe='')}")


async def _identify(request: web.Request, api: bool) -> web.StreamResponse | None:
    """Set the staff member on the request; a response when the request must stop here."""
    token = _bearer(request) if api else None
    if token is not None:
        account = await users.resolve_token(database(request), token)
        if account is None:
            return await error_response(request, 401, BAD_TOKEN)
        if account.role not in CONSOLE_ROLES:  # an integration key: Open311 only
            return await error_response(request, 403, INTEGRATION_NOT_CONSOLE)
        request[STAFF], request[VIA_TOKEN] = account.staff, True
        return None
    session = await get_session(request)
    request[STAFF], request[VIA_TOKEN] = await _session_staff(request, session), False
    if request[STAFF] is None and request.path not in PUBLIC_PATHS:
        return await error_response(request, 401, NOT_LOGGED_IN) if api else _login_redirect(request)
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, session):
        return await error_response(request, 403, CSRF_FAILED)
    return None


@web.middleware
async def console_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    api = is_api(request.path)
    if not (api or is_console(request.path)):
        return await handler(request)
    refused = await _identify(request, api)
    if refused is not None:
        return refused
    try:
        return await handler(request)
    except AccessDenied as denied:
        return await error_response(request, 403, denied.message)
    except ReportNotFound:
        return await error_response(request, 404, NOT_FOUND)
    except InvalidCursor:
        return await error_response(request, 400, BAD_CURSOR)
    except StaleReport as stale:
        return await error_response(request, 409, stale.message)
    except (ActionRefused, InvalidQuery) as refused_request:
        return await error_response(request, 400, refused_request.message)

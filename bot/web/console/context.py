"""Per-request and per-application state of the console, with typed keys."""
from __future__ import annotations

import secrets

from aiohttp import web
from aiohttp_session import Session

from bot.config import ModelOpsSettings
from bot.modelops.service import ModelOps
from bot.review.inbox import InboxReader
from bot.staff.access import Staff
from bot.staff.transcript import TranscriptReader
from bot.storage.db import Database
from bot.web.keys import DATABASE_KEY

TRANSCRIPTS_KEY = web.AppKey("console_transcripts", TranscriptReader)
INBOX_KEY = web.AppKey("console_inbox", InboxReader)
MODELOPS_KEY = web.AppKey("console_modelops", ModelOps)

STAFF = "console_staff"  # request key: the signed-in Staff, or None
VIA_TOKEN = "console_via_token"  # request key: authenticated with an API token

CONSOLE_PREFIX = "/console"
API_PREFIX = "/api/staff"


def database(request: web.Request) -> Database:
    """The web server's database (made where the server starts, see bot.web.app)."""
    return request.app[DATABASE_KEY]


def modelops(request: web.Request) -> ModelOps:
    return request.app[MODELOPS_KEY]


def modelops_settings(request: web.Request) -> ModelOpsSettings:
    return request.app[MODELOPS_KEY].settings


def current_staff(request: web.Request) -> Staff:
    """The signed-in staff member; the guard middleware has made sure there is one."""
    staff = request.get(STAFF)
    assert staff is not None, "console route without the guard middleware"
    return staff


def is_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def is_console(path: str) -> bool:
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


def csrf_token(session: Session) -> str:
    """The session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


MAX_ID = 2**63 - 1  # what a database integer holds


def path_id(request: web.Request, name: str) -> int:
    """A numeric id from the URL (the route's pattern allows digits only); 404 beyond 64 bits."""
    value = int(request.match_info[name])
    if value > MAX_ID:
        raise web.HTTPNotFound()
    return value

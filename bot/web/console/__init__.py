"""The ward staff console: server-rendered pages under /console and JSON under /api/staff.

`setup_console` installs the encrypted session cookie, the guard middleware (login, CSRF,
403/404) and the template helpers; the routes are registered with the others in
`bot.web.routes`.
"""
from __future__ import annotations

import aiohttp_session
from aiohttp import web
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from bot import statuses
from bot.address.parts import osm_link
from bot.staff.localtime import format_date, format_datetime
from bot.staff.repeats import DUPLICATE_WINDOW
from bot.staff.transcript import TranscriptReader, tracker_url
from bot.modelops.service import ModelOps
from bot.review.inbox import InboxReader
from bot.storage.db import Database
from bot.web.console.auth import console_guard
from bot.web.console import formats
from bot.web.console.context import INBOX_KEY, MODELOPS_KEY, TRANSCRIPTS_KEY
from bot.web.console.secret import key_from_secret
from bot.web.keys import TEMPLATES_KEY
from bot.config import Settings

COOKIE_NAME = "phananh_console"
SESSION_SECONDS = 8 * 3600


def session_storage(settings: Settings) -> EncryptedCookieStorage:
    return EncryptedCookieStorage(
        Fernet(key_from_secret(settings.console_secret_key)), cookie_name=COOKIE_NAME, max_age=SESSION_SECONDS,
        httponly=True, samesite="Lax", secure=settings.public_base_url.startswith("https://"), path="/",
    )


def setup_console(app: web.Application, settings: Settings, database: Database, *,
                  transcripts: TranscriptReader | None = None) -> None:
    reader = transcripts if transcripts is not None else TranscriptReader(tracker_url())
    app[TRANSCRIPTS_KEY] = reader
    app[INBOX_KEY] = InboxReader(reader.url)
    app[MODELOPS_KEY] = ModelOps(database, settings.modelops)
    aiohttp_session.setup(app, session_storage(settings))
    app.middlewares.append(console_guard)
    env = app[TEMPLATES_KEY]
    env.filters["dt"] = format_datetime
    env.filters.update(day=format_date, percent=formats.percent, duration=formats.duration, number=formats.number,
                       decimal=formats.decimal, code=formats.code, codes=formats.with_codes)
    env.globals["staff_label"] = statuses.staff_label
    env.globals["osm_link"] = osm_link
    env.globals["duplicate_window_days"] = DUPLICATE_WINDOW.days

    async def close(_app: web.Application) -> None:
        await app[MODELOPS_KEY].close()  # a training in progress ends as interrupted
        await reader.close()
        await app[INBOX_KEY].close()

    app.on_cleanup.append(close)  # type: ignore[arg-type]  # aiohttp 3.9 types its signals for aiosignal < 1.4 (constraints.txt has 1.4)

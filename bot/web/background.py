"""Work the web server process does besides serving pages: delivering push notifications
from the outbox, refreshing the Zalo OA token ahead of expiry, keeping the planner's
statistics fresh and removing photos that never became part of a report. Several processes
may do all of it at once: the outbox leases messages, the token refresh holds a database
lease, and the sweep deletes only what the register says is unused."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import AsyncIterator, Awaitable, Callable

from aiohttp import web

from bot.notifications.worker import OutboxWorker
from bot.notifications.zalo_delivery import ZaloDeliverer
from bot.notifications.zns import ZnsFallback
from bot.storage import uploads
from bot.storage.models import utcnow
from bot.web.keys import DATABASE_KEY, SETTINGS_KEY, UPLOAD_STORE_KEY
from bot.zalo.runtime import ZaloRuntime
from bot.zalo.tokens import NoTokens

logger = logging.getLogger(__name__)
TOKEN_CHECK_SECONDS = 300
STATISTICS_SECONDS = 6 * 3600
SWEEP_SECONDS = 3600
ZNS_RELEASE_SECONDS = 300
UNUSED_UPLOAD_AGE = timedelta(hours=24)


async def _every(seconds: float, what: str, work: Callable[[], Awaitable[object]]) -> None:
    while True:
        try:
            await work()
        except NoTokens:
            logger.error("No Zalo tokens stored: run `python -m bot zalo set-tokens`")
        except Exception:
            logger.exception("%s failed; will try again", what)
        await asyncio.sleep(seconds)


@contextlib.asynccontextmanager
async def _running(*coroutines: Awaitable[None]) -> AsyncIterator[None]:
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def database_statistics(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: keep the planner's statistics fresh (ANALYZE every few hours)."""
    async with _running(_every(STATISTICS_SECONDS, "Refreshing the database's statistics",
                               app[DATABASE_KEY].refresh_statistics)):
        yield


async def sweep_once(app: web.Application) -> int:
    """Remove the photos stored more than a day ago that belong to no report; how many."""
    db, store = app[DATABASE_KEY], app[UPLOAD_STORE_KEY]
    names = await uploads.unused_before(db, utcnow() - UNUSED_UPLOAD_AGE)
    for name in names:
        store.discard(name)
    if names:
        await uploads.forget(db, names)
        logger.info("Removed %d photos that never became part of a report", len(names))
    return len(names)


async def sweep_unused_uploads(app: web.Application) -> AsyncIterator[None]:
    async with _running(_every(SWEEP_SECONDS, "Sweeping unused uploads", lambda: sweep_once(app))):
        yield


async def zalo_notifications(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: runs the outbox worker for Zalo while the server runs; news
    outside Zalo's reply window goes out as ZNS when ZNS_TEMPLATE_ID is set."""
    settings = app[SETTINGS_KEY]
    if not settings.zalo.enabled:
        yield
        return
    runtime = await ZaloRuntime.start(settings.zalo, app[DATABASE_KEY])
    zns = (ZnsFallback(runtime.zns_client(settings.zns), runtime.db, settings.zns, settings.public_base_url)
           if settings.zns.enabled else None)
    worker = OutboxWorker(runtime.db, {"zalo": ZaloDeliverer(runtime.client, runtime.db, zns)})
    tasks = [worker.run_forever(), _every(TOKEN_CHECK_SECONDS, "Zalo token refresh", runtime.tokens.refresh_if_due)]
    if zns is not None:
        tasks.append(_every(ZNS_RELEASE_SECONDS, "Releasing news held by the ZNS cap", zns.release_due))
    try:
        async with _running(*tasks):
            yield
    finally:
        await runtime.close()

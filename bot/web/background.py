"""Work the web server process does besides serving pages: delivering push notifications
from the outbox and refreshing the Zalo OA token ahead of expiry. Several processes may do
both at once: the outbox leases messages and the token refresh holds a database lease."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

from aiohttp import web

from bot.config import get_settings
from bot.notifications.worker import OutboxWorker
from bot.storage.db import get_database
from bot.zalo.delivery import ZaloDeliverer
from bot.zalo.runtime import ZaloRuntime
from bot.zalo.tokens import NoTokens

logger = logging.getLogger(__name__)
TOKEN_CHECK_SECONDS = 300
STATISTICS_SECONDS = 6 * 3600


async def _refresh_tokens_periodically(runtime: ZaloRuntime) -> None:
    while True:
        try:
            await runtime.tokens.refresh_if_due()
        except NoTokens:
            logger.error("No Zalo tokens stored: run `python -m bot zalo set-tokens`")
        except Exception:
            logger.exception("Zalo token refresh failed; will try again")
        await asyncio.sleep(TOKEN_CHECK_SECONDS)


async def _refresh_statistics_periodically() -> None:
    while True:
        try:
            await get_database().refresh_statistics()
        except Exception:
            logger.exception("Refreshing the database's statistics failed")
        await asyncio.sleep(STATISTICS_SECONDS)


async def database_statistics(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: keep the planner's statistics fresh (ANALYZE every few hours)."""
    task = asyncio.create_task(_refresh_statistics_periodically())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def zalo_notifications(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: runs the outbox worker for Zalo while the server runs."""
    settings = get_settings().zalo
    if not settings.enabled:
        yield
        return
    runtime = await ZaloRuntime.start(settings, get_database())
    worker = OutboxWorker(runtime.db, {"zalo": ZaloDeliverer(runtime.client, runtime.db)})
    tasks = [asyncio.create_task(worker.run_forever()), asyncio.create_task(_refresh_tokens_periodically(runtime))]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await runtime.close()

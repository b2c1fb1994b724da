"""Delivers push notifications from the outbox: at least once, with backoff, never lost.

A message that cannot be delivered now because the channel forbids it (Zalo's 48-hour reply
window has closed) is held, not dropped; `outbox.release_held` puts it back in line when the
citizen writes again.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Mapping, Protocol

from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.outbox import NotificationView

logger = logging.getLogger(__name__)


class HoldDelivery(Exception):
    """The channel may not carry this message now; keep it until the citizen writes again."""


class Deliverer(Protocol):
    async def deliver(self, notification: NotificationView) -> None:
        """Send it; raise HoldDelivery to hold it, any other exception to retry later."""


class OutboxWorker:
    def __init__(self, db: Database, deliverers: Mapping[str, Deliverer], poll_seconds: float = 2.0) -> None:
        self._db = db
        self._deliverers = dict(deliverers)
        self._poll = poll_seconds

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many were handled."""
        if not self._deliverers:
            return 0
        due = await outbox.claim_due(self._db, list(self._deliverers))
        for notification in due:
            await self._deliver(notification)
        return len(due)

    async def run_forever(self) -> None:
        while True:
            try:
                if await self.run_once():
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:  # keep delivering after a database hiccup
                logger.exception("Notification worker round failed")
            await asyncio.sleep(self._poll)

    async def _deliver(self, n: NotificationView) -> None:
        try:
            await self._deliverers[n.channel].deliver(n)
        except HoldDelivery as held:
            await outbox.mark_held(self._db, n, str(held))
            logger.info("Notification %s to %s:%s held: %s", n.id, n.channel, n.recipient_id, held)
        except Exception as error:  # noqa: BLE001 — every failure is retried, then recorded
            status = await outbox.mark_retry(self._db, n, repr(error))
            log = logger.error if status == outbox.FAILED else logger.warning
            log("Notification %s to %s:%s not delivered (attempt %s, now %s): %r",
                n.id, n.channel, n.recipient_id, n.attempts + 1, status, error)
        else:
            await outbox.mark_sent(self._db, n)

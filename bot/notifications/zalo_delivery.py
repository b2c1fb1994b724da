"""The outbox's Zalo deliverer: status news to a citizen who reported over Zalo.

Inside Zalo's 48-hour reply window the news is a customer-service message (free). Outside it,
the ZNS fallback (`bot.notifications.zns`) sends it as a template message to the citizen's phone
number when they agreed; otherwise it is held until the citizen writes again.
"""
from __future__ import annotations

from typing import Optional, Protocol

from bot.notifications.worker import HoldDelivery
from bot.storage.db import Database
from bot.storage.outbox import NotificationView
from bot.zalo.api import ZaloClient, ZaloSendError
from bot.zalo.inbound import within_reply_window

OUTSIDE_WINDOW = "outside_zalo_48h_reply_window"


class Fallback(Protocol):
    async def deliver(self, notification: NotificationView) -> None:
        """Send it another way, or raise HoldDelivery."""


class ZaloDeliverer:
    def __init__(self, client: ZaloClient, db: Database, outside_window: Optional[Fallback] = None) -> None:
        self._client = client
        self._db = db
        self._fallback = outside_window

    async def deliver(self, notification: NotificationView) -> None:
        if await within_reply_window(self._db, notification.recipient_id):
            try:
                await self._send(notification)
                return
            except ZaloSendError as error:
                if not error.outside_window:
                    raise
        if self._fallback is None:
            raise HoldDelivery(OUTSIDE_WINDOW)
        await self._fallback.deliver(notification)

    async def _send(self, notification: NotificationView) -> None:
        if notification.buttons:
            await self._client.send_buttons(notification.recipient_id, notification.text, notification.buttons)
        else:
            await self._client.send_text(notification.recipient_id, notification.text)

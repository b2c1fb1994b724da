"""The outbox's Zalo deliverer: status news to a citizen who reported over Zalo."""
from __future__ import annotations

from bot.notifications.outbox import NotificationView
from bot.notifications.worker import HoldDelivery
from bot.storage.db import Database
from bot.zalo.api import ZaloClient, ZaloSendError
from bot.zalo.inbound import within_reply_window

OUTSIDE_WINDOW = "outside_zalo_48h_reply_window"


class ZaloDeliverer:
    def __init__(self, client: ZaloClient, db: Database) -> None:
        self._client = client
        self._db = db

    async def deliver(self, notification: NotificationView) -> None:
        if not await within_reply_window(self._db, notification.recipient_id):
            raise HoldDelivery(OUTSIDE_WINDOW)
        try:
            if notification.buttons:
                await self._client.send_buttons(notification.recipient_id, notification.text, notification.buttons)
            else:
                await self._client.send_text(notification.recipient_id, notification.text)
        except ZaloSendError as error:
            if error.outside_window:
                raise HoldDelivery(OUTSIDE_WINDOW) from error
            raise

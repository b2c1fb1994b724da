"""Rasa's side of the Zalo Official Account channel: `POST /webhooks/zalo/webhook`.

The webhook verifies the signature, stores the event (its msg_id is the de-duplication key,
so a redelivery changes nothing, even after a restart) and answers at once; the bot's work
happens in a few background workers fed by an in-process queue, one event at a time per user
so replies keep their order.
Events stored but never handled (the process stopped) are handled on the next start.
With ZALO_APP_ID unset the webhook answers 404 and nothing else runs.
"""
from __future__ import annotations

import asyncio
import os
import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot import messages_vi as msg
from bot.config import ZaloSettings, get_settings
from bot.notifications.outbox import release_held
from bot.storage.db import get_database
from bot.web.upload_store import UploadStore
from bot.zalo.api import ZaloSendError
from bot.zalo.events import BadEvent, ZaloEvent, parse_event
from bot.zalo.inbound import bot_input, claim_unprocessed, mark_processed, record_user
from bot.zalo.inbox import InboundBatcher
from bot.zalo.photos import keep_photo
from bot.zalo.runtime import ZaloRuntime
from bot.zalo.signature import SIGNATURE_HEADER, verify

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
WORKERS = int(os.environ.get("ZALO_WORKERS", "2"))  # events handled at once: more does not help a CPU-bound NLU


class KeyedLocks:
    """One FIFO lock per key, forgotten when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: Dict[str, asyncio.Lock] = {}
        self._users: Dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


class ZaloOutput(OutputChannel):
    def __init__(self, channel: "ZaloInput") -> None:
        self._channel = channel

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, lambda client: client.send_text(recipient_id, text))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        pairs = [(str(b.get("title", "")), str(b.get("payload", ""))) for b in buttons]
        await self._send(recipient_id, lambda client: client.send_buttons(recipient_id, text, pairs))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, lambda client: client.send_image(recipient_id, image))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if json_message.get("text"):
            await self.send_text_message(recipient_id, str(json_message["text"]))

    async def _send(self, recipient_id: str, send: Callable[[Any], Awaitable[Any]]) -> None:
        runtime = await self._channel.runtime()
        try:
            await send(runtime.client)
        except ZaloSendError as error:  # the client already retried; the log must say so
            logger.error("Reply to Zalo user %s not delivered: %s (code %s)", recipient_id, error, error.code)


class ZaloInput(InputChannel):
    def __init__(self, settings: ZaloSettings) -> None:
        self.settings = settings
        self._runtime: Optional[ZaloRuntime] = None
        self._runtime_lock = asyncio.Lock()
        self._locks = KeyedLocks()
        self._uploads = UploadStore(get_settings().upload_dir)
        self._inbox: "asyncio.Queue[ZaloEvent]" = asyncio.Queue()
        self._inbound: Optional[InboundBatcher] = None

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ZaloInput":
        return cls(get_settings().zalo)  # configured by ZALO_* environment variables

    def get_output_channel(self) -> OutputChannel:
        return ZaloOutput(self)

    def _batcher(self) -> InboundBatcher:
        if self._inbound is None:
            self._inbound = InboundBatcher(get_database())
        return self._inbound

    async def runtime(self) -> ZaloRuntime:
        async with self._runtime_lock:
            if self._runtime is None:
                self._runtime = await ZaloRuntime.start(self.settings, get_database())
        return self._runtime

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("zalo_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.settings.enabled})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        @blueprint.listener("after_server_start")
        async def start_workers(app: Any, _loop: Any) -> None:
            if self.settings.enabled:
                for _ in range(WORKERS):
                    app.add_task(self._work(on_new_message))
                app.add_task(self._handle_interrupted(on_new_message))

        @blueprint.listener("before_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            if self._runtime is not None:
                await self._runtime.close()

        return blueprint

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if not self.settings.enabled:
            return response.json({"error": "the Zalo channel is off (ZALO_APP_ID is not set)"}, status=404)
        raw = request.body or b""
        if not verify(request.headers.get(SIGNATURE_HEADER), self.settings.app_id, raw, self.settings.oa_secret_key):
            logger.warning("Zalo webhook: bad signature from %s; event ignored", request.ip)
            return response.json({"error": "invalid signature"}, status=401)
        try:
            event = parse_event(json.loads(raw))
        except (ValueError, BadEvent) as error:
            logger.warning("Zalo webhook: unreadable event (%s)", error)
            return response.json({"error": "bad event"}, status=400)
        try:
            fresh = await self._batcher().remember(event)
        except SQLAlchemyError:  # not stored: Zalo must deliver it again
            logger.exception("Zalo webhook: could not store event %s; asking Zalo to retry", event.msg_id)
            return response.json({"error": "temporarily unavailable"}, status=503)
        if not fresh:
            return response.json({"status": "duplicate"})
        self._inbox.put_nowait(event)
        return response.json({"status": "accepted"})

    async def _work(self, on_new_message: OnNewMessage) -> None:
        """One of WORKERS consumers of the inbox. Few at a time keep the event loop free for
        the webhook's acknowledgements while the NLU works through a burst."""
        while True:
            event = await self._inbox.get()
            try:
                await self._handle(event, on_new_message)
            finally:
                self._inbox.task_done()

    async def _handle_interrupted(self, on_new_message: OnNewMessage) -> None:
        try:
            bodies = await claim_unprocessed(get_database())
        except Exception:
            logger.exception("Zalo: could not look for interrupted events")
            return
        for body in bodies:
            logger.info("Zalo: handling an event interrupted by a restart")
            await self._handle(parse_event(body), on_new_message, mark=False)

    async def _handle(self, event: ZaloEvent, on_new_message: OnNewMessage, mark: bool = True) -> None:
        async with self._locks.hold(event.user_id):
            try:
                await self._handle_in_order(event, on_new_message)
            except Exception:
                logger.exception("Zalo event %s from %s failed", event.name, event.user_id)
                if event.is_message:
                    await ZaloOutput(self).send_text_message(event.user_id, msg.SERVICE_UNAVAILABLE)
            finally:
                if mark:
                    await mark_processed(get_database(), event)

    async def _handle_in_order(self, event: ZaloEvent, on_new_message: OnNewMessage) -> None:
        runtime = await self.runtime()
        if await record_user(runtime.db, event):
            await release_held(runtime.db, "zalo", event.user_id)  # the reply window is open again
        photo = None
        if event.image_urls:
            photo = await keep_photo(runtime.session, event.image_urls[0], self._uploads, get_settings().public_base_url)
        text = bot_input(event, photo)
        if text is None:
            if event.is_message:
                await ZaloOutput(self).send_text_message(event.user_id, msg.ZALO_UNSUPPORTED)
            return
        await on_new_message(UserMessage(
            text, ZaloOutput(self), event.user_id, input_channel=self.name(), message_id=event.msg_id,
            metadata={"zalo_event": event.name},
        ))

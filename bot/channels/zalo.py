"""Rasa's side of the Zalo Official Account channel: `POST /webhooks/zalo/webhook`.

The webhook reads at most MAX_BODY_BYTES (refusing a larger Content-Length before reading),
verifies the signature, refuses events sent outside ZALO_EVENT_WINDOW_SECONDS of now (a
replayed old event), stores the event (its msg_id is the de-duplication key, so a redelivery
changes nothing, even after a restart) and answers at once; the bot's work happens in a few
background workers fed by an in-process queue, one event at a time per user so replies keep
their order. Events stored but never handled (the process stopped) are handled on the next
start; handled events older than twice the window are forgotten.
With ZALO_APP_ID unset the webhook answers 404 and nothing else runs.

The channel makes its own database engine when the server starts and disposes of it when
the server stops.
"""
from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot import messages_vi as msg
from bot.channels.inbound import CountsAnswers, pass_on
from bot.config import Settings, get_settings
from bot.media.store import UploadStore
from bot.storage.db import Database
from bot.storage.outbox import release_held
from bot.zalo.api import ZaloSendError
from bot.zalo.events import BadEvent, ZaloEvent, parse_event
from bot.zalo.inbound import bot_input, claim_unprocessed, mark_processed, prune, record_user, within_window
from bot.zalo.inbox import InboundBatcher
from bot.zalo.photos import keep_photo
from bot.zalo.runtime import ZaloRuntime
from bot.zalo.signature import SIGNATURE_HEADER, verify

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
MAX_BODY_BYTES = 64 * 1024  # a Zalo event is a few hundred bytes
PRUNE_SECONDS = 600


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


class ZaloOutput(CountsAnswers, OutputChannel):
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
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.zalo = settings.zalo
        self.window = timedelta(seconds=settings.zalo.event_window_seconds)
        self._db: Optional[Database] = None
        self._runtime: Optional[ZaloRuntime] = None
        self._runtime_lock = asyncio.Lock()
        self._locks = KeyedLocks()
        self._uploads = UploadStore(settings.upload_dir)
        self._inbox: "asyncio.Queue[ZaloEvent]" = asyncio.Queue()
        self._inbound: Optional[InboundBatcher] = None

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ZaloInput":
        return cls(get_settings())  # configured by ZALO_* environment variables

    def get_output_channel(self) -> OutputChannel:
        return ZaloOutput(self)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the Zalo channel's database is made when the server starts")
        return self._db

    async def runtime(self) -> ZaloRuntime:
        async with self._runtime_lock:
            if self._runtime is None:
                self._runtime = await ZaloRuntime.start(self.zalo, self.db)
        return self._runtime

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("zalo_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.zalo.enabled})

        @blueprint.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            return await self._receive(request)

        @blueprint.listener("after_server_start")
        async def start(app: Any, _loop: Any) -> None:
            if not self.zalo.enabled:
                return
            self._db = Database(self.settings.database_url)
            self._inbound = InboundBatcher(self._db)
            for _ in range(self.zalo.workers):
                app.add_task(self._work(on_new_message))
            app.add_task(self._handle_interrupted(on_new_message))
            app.add_task(self._prune_periodically())

        @blueprint.listener("before_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            if self._runtime is not None:
                await self._runtime.close()
            if self._db is not None:
                await self._db.dispose()

        return blueprint

    async def _read_body(self, request: Request) -> Optional[bytes]:
        """The body, or None when it is longer than MAX_BODY_BYTES (never read further)."""
        declared = request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return None
        body = bytearray()
        stream = request.stream
        assert stream is not None, "the webhook route streams (stream=True)"
        while (chunk := await stream.read()) is not None:
            body.extend(chunk)
            if len(body) > MAX_BODY_BYTES:
                return None
        return bytes(body)

    async def _receive(self, request: Request) -> HTTPResponse:
        if not self.zalo.enabled:
            return response.json({"error": "the Zalo channel is off (ZALO_APP_ID is not set)"}, status=404)
        raw = await self._read_body(request)
        if raw is None:
            logger.warning("Zalo webhook: a body over %d bytes from %s refused", MAX_BODY_BYTES, request.ip)
            return response.json({"error": "body too large"}, status=413)
        if not verify(request.headers.get(SIGNATURE_HEADER), self.zalo.app_id, raw, self.zalo.oa_secret_key):
            logger.warning("Zalo webhook: bad signature from %s; event ignored", request.ip)
            return response.json({"error": "invalid signature"}, status=401)
        try:
            event = parse_event(json.loads(raw))
        except (ValueError, RecursionError, BadEvent) as error:
            logger.warning("Zalo webhook: unreadable event (%s)", error)
            return response.json({"error": "bad event"}, status=400)
        if not within_window(event, self.window):
            logger.warning("Zalo webhook: event %s sent at %d is outside the %s window; refused",
                           event.msg_id, event.timestamp_ms, self.window)
            return response.json({"error": "event outside the accepted time window"}, status=403)
        assert self._inbound is not None
        try:
            fresh = await self._inbound.remember(event)
        except SQLAlchemyError:  # not stored: Zalo must deliver it again
            logger.exception("Zalo webhook: could not store event %s; asking Zalo to retry", event.msg_id)
            return response.json({"error": "temporarily unavailable"}, status=503)
        if not fresh:
            return response.json({"status": "duplicate"})
        self._inbox.put_nowait(event)
        return response.json({"status": "accepted"})

    async def _work(self, on_new_message: OnNewMessage) -> None:
        """One of the workers consuming the inbox. Few at a time keep the event loop free for
        the webhook's acknowledgements while the NLU works through a burst."""
        while True:
            event = await self._inbox.get()
            try:
                await self._handle(event, on_new_message)
            finally:
                self._inbox.task_done()

    async def _prune_periodically(self) -> None:
        while True:
            try:
                if forgotten := await prune(self.db, 2 * self.window):
                    logger.info("Zalo: forgot %d handled events older than %s", forgotten, 2 * self.window)
            except Exception:
                logger.exception("Zalo: pruning handled events failed; will try again")
            await asyncio.sleep(PRUNE_SECONDS)

    async def _handle_interrupted(self, on_new_message: OnNewMessage) -> None:
        try:
            bodies = await claim_unprocessed(self.db)
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
                    await mark_processed(self.db, event)

    async def _handle_in_order(self, event: ZaloEvent, on_new_message: OnNewMessage) -> None:
        runtime = await self.runtime()
        if await record_user(runtime.db, event):
            await release_held(runtime.db, "zalo", event.user_id)  # the reply window is open again
        photo = None
        if event.image_urls:
            photo = await keep_photo(runtime.session, event.image_urls[0], self._uploads, runtime.db, event.user_id,
                                     self.settings.public_base_url)
        text = bot_input(event, photo)
        if text is None:
            if event.is_message:
                note = msg.ZALO_PHOTO_NOT_KEPT if event.image_urls else msg.ZALO_UNSUPPORTED
                await ZaloOutput(self).send_text_message(event.user_id, note)
            return
        await pass_on(on_new_message, ZaloOutput(self), text, event.user_id, self.name(), self.settings.max_message_chars,
                      metadata={"zalo_event": event.name}, message_id=event.msg_id)

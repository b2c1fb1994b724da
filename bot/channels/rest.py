"""Rasa's REST channel (`POST /webhooks/rest/webhook`), for integrators and tests, made safe.

Rasa's own `RestInput` trusts everything in the body: the sender, its `input_channel` (a REST
client could claim to be a Zalo user) and its metadata. Ours:
- is off in production unless REST_CHANNEL_TOKEN is set, and then requires
  `Authorization: Bearer <token>` (in development it is open, on loopback);
- always names the channel "rest" and drops the client's metadata;
- checks the body (a JSON object with a short `sender` and a string `message`) and answers a bad
  one with 400 and a Vietnamese message;
- bounds the message and never leaves it unanswered (`bot.channels.inbound`).
Streaming answers (`?stream=true`) are not offered.
"""
from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.inbound import CountsAnswers, pass_on
from bot.config import Settings, get_settings

logger = logging.getLogger(__name__)


def _json(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, dumps=lambda value: json.dumps(value, ensure_ascii=False))

SENDER = re.compile(r"^[^\s\x00-\x1f\x7f]{1,128}$")  # any visible text: the channel, not the id, says who it is
BAD_BODY = ("Yêu cầu không hợp lệ: cần một đối tượng JSON có \"sender\" (1–128 ký tự, không có khoảng trắng) "
            "và \"message\" (chuỗi).")
UNAUTHORISED = "Thiếu hoặc sai mã truy cập của kênh REST."
OFF = "Kênh REST không mở trên máy chủ này."


class CountingCollector(CountsAnswers, CollectingOutputChannel):
    pass


class RestInput(InputChannel):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        return cls(get_settings())

    @property
    def enabled(self) -> bool:
        return bool(self.settings.rest_channel_token) or not self.settings.production

    def _authorised(self, request: Request) -> bool:
        token = self.settings.rest_channel_token
        if not token:
            return True
        scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("phananh_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return _json({"status": "ok" if self.enabled else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return _json({"error": OFF}, status=404)
            if not self._authorised(request):
                logger.warning("REST channel: refused a message without the right token from %s", request.ip)
                return _json({"error": UNAUTHORISED}, status=401)
            body = _body(request)
            if body is None:
                return _json({"error": BAD_BODY}, status=400)
            sender, text = body
            collector = CountingCollector()
            await pass_on(on_new_message, collector, text, sender, self.name(), self.settings.max_message_chars)
            return _json(collector.messages)

        return webhook


def _body(request: Request) -> tuple[str, str] | None:
    try:
        body = json.loads(request.body or b"")
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    sender, text = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not SENDER.match(sender) or not isinstance(text, str):
        return None
    return sender, text

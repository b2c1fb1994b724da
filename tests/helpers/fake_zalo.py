"""A fake Zalo OA API (message sending and token refresh) on 127.0.0.1.

In pytest:

    async with FakeZalo() as zalo:           # or: zalo = await FakeZalo().start()
        client = ZaloClient(session, zalo.url, tokens)
        ...
        assert zalo.texts_to("user-1") == ["Xin chào"]

From another process: `python -m tests.helpers.fake_zalo --port 8999`; the same API base
serves as api_base and oauth_base, and control endpoints under /_fake/ expose and steer it:
GET /_fake/state, POST /_fake/fail?n=2&status=500, POST /_fake/expire, POST /_fake/delay?seconds=1,
POST /_fake/error?code=-230, POST /_fake/zns_error?code=-144, POST /_fake/reset.
ZNS (`POST /message/template`, Zalo Notification Service) is served on the same port.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.zalo import api, zns

INVALID_TOKEN = -216
INVALID_PARAMETER = -203  # the fake's own answer to malformed messages
INVALID_REFRESH_TOKEN = -14014
PHOTO = Path(__file__).resolve().parent.parent / "fixtures" / "tiny.png"


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] | None = None


@dataclass
class FakeZalo:
    app_id: str = "fake-app-id"
    app_secret: str = "fake-app-secret"
    access_token: str = "access-0"
    refresh_token: str = "refresh-0"
    port: int = 0
    expires_in: int = 90000
    valid_access_tokens: set[str] = field(default_factory=set)
    send_requests: list[Recorded] = field(default_factory=list)
    token_requests: list[Recorded] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)  # accepted {recipient, message, message_id}
    fail_next_sends: int = 0  # how many send calls answer with `fail_status`
    fail_status: int = 500
    # Answers for the next sends with a valid token: a Zalo error, or None for "deliver normally".
    queued_errors: list[tuple[int, str] | None] = field(default_factory=list)
    delay: float = 0.0  # seconds before every answer
    # ZNS (POST /message/template): approved templates, the OA's daily quota, numbers without Zalo.
    zns_templates: set[str] = field(default_factory=lambda: {"fake-zns-template"})
    zns_daily_quota: int = 500
    zns_no_zalo: set[str] = field(default_factory=set)  # 84… numbers answered with -118
    zns_requests: list[Recorded] = field(default_factory=list)
    zns_delivered: list[dict[str, Any]] = field(default_factory=list)  # accepted bodies + msg_id
    zns_queued_errors: list[tuple[int, str]] = field(default_factory=list)
    zns_delay: float = 0.0  # seconds before answering a ZNS request (after accepting it)

    def __post_init__(self) -> None:
        self.valid_access_tokens.add(self.access_token)
        self._message_numbers = itertools.count(1)
        self._token_numbers = itertools.count(1)
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(api.SEND_PATH, self._send)
        app.router.add_post(api.TOKEN_PATH, self._token)
        app.router.add_post(zns.TEMPLATE_PATH, self._zns)
        app.router.add_get("/_fake/state", self._state)
        app.router.add_get("/_fake/photo.png", self._photo)  # what a user_send_image URL points to
        app.router.add_post("/_fake/{knob}", self._control)
        return app

    async def start(self) -> "FakeZalo":
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]  # the real port when 0 (any free port) was asked
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeZalo":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- knobs -----------------------------------------------------------------------
    def fail_sends(self, n: int, status: int = 500) -> None:
        self.fail_next_sends, self.fail_status = n, status

    def expire_access_token(self, token: str | None = None) -> None:
        """Make `token` (default: the newest) invalid; sends with it get error -216."""
        self.valid_access_tokens.discard(token or self.access_token)

    def queue_error(self, code: int, message: str = "fake error", skip: int = 0) -> None:
        """Answer a later send with Zalo error `code`, after letting `skip` sends through."""
        self.queued_errors += [None] * skip + [(code, message)]

    # --- accessors -------------------------------------------------------------------
    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        return [d["message"] for d in self.delivered if d["recipient"].get("user_id") == user_id]

    def texts_to(self, user_id: str) -> list[str]:
        return [m["text"] for m in self.messages_to(user_id) if "text" in m]

    def buttons_to(self, user_id: str) -> list[list[tuple[str, str]]]:
        """One list of (title, payload) per message that carried buttons."""
        return [[(b["title"], b["payload"]) for b in m["attachment"]["payload"]["buttons"]]
                for m in self.messages_to(user_id)
                if "buttons" in m.get("attachment", {}).get("payload", {})]

    def images_to(self, user_id: str) -> list[str]:
        return [e["url"] for m in self.messages_to(user_id)
                for e in m.get("attachment", {}).get("payload", {}).get("elements", [])
                if e.get("media_type") == "image"]

    def zns_to(self, phone: str) -> list[dict[str, Any]]:
        """The ZNS messages accepted for `phone` (84… form)."""
        return [d for d in self.zns_delivered if d["phone"] == phone]

    def reset(self) -> None:
        for recorded in (self.send_requests, self.token_requests, self.delivered, self.queued_errors,
                         self.zns_requests, self.zns_delivered, self.zns_queued_errors):
            recorded.clear()
        self.fail_next_sends, self.delay, self.zns_delay = 0, 0.0, 0.0

    # --- handlers --------------------------------------------------------------------
    async def _send(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.send_requests.append(Recorded(request.path, dict(request.headers), json=body))
        await asyncio.sleep(self.delay)
        if self.fail_next_sends > 0:
            self.fail_next_sends -= 1
            return web.Response(status=self.fail_status, text="fake failure")
        if request.headers.get("access_token") not in self.valid_access_tokens:
            return self._error(INVALID_TOKEN, "Access token is invalid")
        queued = self.queued_errors.pop(0) if self.queued_errors else None
        if queued is not None:
            return self._error(*queued)
        problem = _message_problem(body)
        if problem:
            return self._error(INVALID_PARAMETER, problem)
        message_id = f"msg-{next(self._message_numbers)}"
        self.delivered.append({**body, "message_id": message_id})
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": message_id, "user_id": body["recipient"]["user_id"]}})

    async def _zns(self, request: web.Request) -> web.Response:
        """ZNS as documented: checks the token, the 84… phone, the template and its data; a
        message it accepts is delivered (and billed) even if the answer comes too late."""
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.zns_requests.append(Recorded(request.path, dict(request.headers), json=body))
        if request.headers.get("access_token") not in self.valid_access_tokens:
            return self._error(zns.ACCESS_TOKEN_INVALID, "Access token invalid")
        if self.zns_queued_errors:
            return self._error(*self.zns_queued_errors.pop(0))
        problem = _zns_problem(body, self.zns_templates)
        if problem:
            return self._error(*problem)
        if body["phone"] in self.zns_no_zalo:
            return self._error(zns.ZALO_ACCOUNT_NOT_EXISTED, "Zalo account not existed")
        if len(self.zns_delivered) >= self.zns_daily_quota:
            return self._error(zns.OUT_OF_QUOTA, "OA has exceeded daily quota")
        msg_id = f"zns-{next(self._message_numbers)}"
        self.zns_delivered.append({**body, "msg_id": msg_id})
        await asyncio.sleep(self.zns_delay)
        remaining = self.zns_daily_quota - len(self.zns_delivered)
        return web.json_response({"error": 0, "message": "Success", "data": {
            "msg_id": msg_id, "sent_time": str(int(time.time() * 1000)), "sending_mode": "1",
            "quota": {"dailyQuota": str(self.zns_daily_quota), "remainingQuota": str(remaining)}}})

    async def _token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.token_requests.append(Recorded(request.path, dict(request.headers), form=form))
        await asyncio.sleep(self.delay)
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return _oauth_error(-14002, "Invalid app", "app_id or secret_key is wrong")
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return _oauth_error(INVALID_REFRESH_TOKEN, "Invalid refresh token", "refresh token is invalid")
        number = next(self._token_numbers)
        self.access_token, self.refresh_token = f"access-{number}", f"refresh-{number}"
        self.valid_access_tokens.add(self.access_token)
        return web.json_response({"access_token": self.access_token, "refresh_token": self.refresh_token,
                                  "expires_in": str(self.expires_in)})

    async def _photo(self, request: web.Request) -> web.Response:
        return web.Response(body=PHOTO.read_bytes(), content_type="image/png")

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response({
            "access_token": self.access_token, "refresh_token": self.refresh_token,
            "delivered": self.delivered,
            "send_requests": [asdict(r) for r in self.send_requests],
            "token_requests": [asdict(r) for r in self.token_requests],
            "zns_delivered": self.zns_delivered,
        })

    async def _control(self, request: web.Request) -> web.Response:
        knob, query = request.match_info["knob"], request.query
        if knob == "fail":
            self.fail_sends(int(query.get("n", "1")), int(query.get("status", "500")))
        elif knob == "expire":
            self.expire_access_token(query.get("token"))
        elif knob == "delay":
            self.delay = float(query.get("seconds", "0"))
        elif knob == "error":
            self.queue_error(int(query["code"]), query.get("message", "fake error"), int(query.get("skip", "0")))
        elif knob == "zns_error":
            self.zns_queued_errors.append((int(query["code"]), query.get("message", "fake error")))
        elif knob == "reset":
            self.reset()
        else:
            raise web.HTTPNotFound(text=f"no knob {knob!r}")
        return web.json_response({"ok": True})

    @staticmethod
    def _error(code: int, message: str) -> web.Response:
        return web.json_response({"error": code, "message": message})


class MemoryTokens:
    """In-memory TokenProvider for tests: refreshes through ZaloOAuth, once per rejected token."""

    def __init__(self, oauth: api.ZaloOAuth, access: str, refresh: str) -> None:
        self.oauth, self.access, self.refresh = oauth, access, refresh
        self.refreshes = 0
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        return self.access

    async def refresh_after_rejection(self, rejected_token: str) -> str:
        async with self._lock:
            if rejected_token == self.access:
                pair = await self.oauth.refresh(self.refresh)
                self.access, self.refresh = pair.access_token, pair.refresh_token
                self.refreshes += 1
            return self.access


def _oauth_error(code: int, name: str, description: str) -> web.Response:
    return web.json_response({"error": code, "error_name": name, "error_description": description})


def _zns_problem(body: Any, templates: set[str]) -> tuple[int, str] | None:
    """Why ZNS would refuse this body (code, message), or None."""
    if not isinstance(body, dict):
        return zns.UNKNOWN_ERROR, "Body format invalid"
    if not re.fullmatch(r"84\d{9}", str(body.get("phone") or "")):
        return zns.PHONE_INVALID, "Phone number invalid"
    if body.get("template_id") not in templates:
        return zns.TEMPLATE_INVALID, "Template ID invalid"
    data = body.get("template_data")
    if not data:
        return zns.TEMPLATE_DATA_EMPTY, "Template data empty"
    if not isinstance(data, dict) or not all(isinstance(v, str) and v for v in data.values()):
        return zns.TEMPLATE_DATA_INVALID, "Template data invalid"
    return None


def _message_problem(body: Any) -> str | None:
    """Why Zalo would refuse this send body, or None."""
    recipient = body.get("recipient") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(recipient, dict) or not recipient.get("user_id") or not isinstance(message, dict):
        return "recipient.user_id and message are required"
    text, attachment = message.get("text"), message.get("attachment")
    if text is None and attachment is None:
        return "message needs text or attachment"
    if text is not None and not (isinstance(text, str) and 0 < len(text) <= api.MAX_TEXT_LENGTH):
        return "text must have 1 to 2000 characters"
    if attachment is not None:
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if not isinstance(payload, dict):
            return "attachment needs a payload"
        buttons = payload.get("buttons") or []
        if len(buttons) > api.MAX_BUTTONS or any(len(b.get("title", "")) > api.MAX_BUTTON_TITLE for b in buttons):
            return "at most 5 buttons with titles up to 100 characters"
    return None


async def _serve(fake: FakeZalo) -> None:
    await fake.start()
    print(json.dumps({"url": fake.url, "app_id": fake.app_id, "app_secret": fake.app_secret,
                      "access_token": fake.access_token, "refresh_token": fake.refresh_token}), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app-id", default=FakeZalo.app_id)
    parser.add_argument("--app-secret", default=FakeZalo.app_secret)
    parser.add_argument("--access-token", default=FakeZalo.access_token)
    parser.add_argument("--refresh-token", default=FakeZalo.refresh_token)
    args = parser.parse_args()
    fake = FakeZalo(args.app_id, args.app_secret, args.access_token, args.refresh_token, args.port)
    try:
        asyncio.run(_serve(fake))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

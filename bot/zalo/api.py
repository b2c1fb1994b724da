"""Sending messages through the Zalo OA API and refreshing OA tokens (aiohttp, async)."""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol, Sequence

import aiohttp

from bot.zalo.textsplit import split_text

logger = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
TOKEN_PATH = "/v4/oa/access_token"
MAX_TEXT_LENGTH = 2000
MAX_BUTTONS = 5
MAX_BUTTON_TITLE = 100
# Text of the follow-up messages that carry buttons beyond the first MAX_BUTTONS.
MORE_BUTTONS_TEXT = "…"
# Zalo error codes meaning the access token is invalid or expired.
INVALID_TOKEN_ERRORS = frozenset({-216, -201, -124})
# The user has not interacted with the OA recently: customer-service messages are refused.
OUTSIDE_WINDOW_ERROR = -230
# Token lifetime assumed when Zalo's `expires_in` cannot be read.
FALLBACK_EXPIRES_IN = 3600
_TOO_MANY_REQUESTS = 429


def mask(token: str) -> str:
    """A token shortened for logs: enough to tell tokens apart, useless to an attacker."""
    return f"{token[:4]}…({len(token)})" if len(token) > 8 else "…"


class ZaloSendError(Exception):
    """A message could not be sent. `code` is Zalo's error code (None for HTTP/network)."""

    def __init__(self, message: str, code: int | None = None, status: int | None = None,
                 transient: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.transient = transient
        # Ids of the pieces that did go out before the failure (long texts, many buttons).
        self.sent_message_ids: tuple[str, ...] = ()

    @property
    def invalid_token(self) -> bool:
        return self.code in INVALID_TOKEN_ERRORS

    @property
    def outside_window(self) -> bool:
        return self.code == OUTSIDE_WINDOW_ERROR


class ZaloAuthError(Exception):
    """A token refresh failed. `transient` means Zalo may or may not have used the token."""

    def __init__(self, message: str, code: int | None = None, name: str | None = None,
                 transient: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.name = name
        self.transient = transient


class TokenProvider(Protocol):
    async def access_token(self) -> str:
        """The current OA access token."""

    async def refresh_after_rejection(self, rejected_token: str) -> str:
        """A fresh token after Zalo rejected `rejected_token` (may be one already refreshed)."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"TokenPair({mask(self.access_token)}, {mask(self.refresh_token)}, {self.expires_at})"


class ZaloOAuth:
    """Exchanges a (single-use) refresh token for a new token pair. Never retries."""

    def __init__(self, session: aiohttp.ClientSession, oauth_base: str, app_id: str,
                 app_secret: str, timeout: float = 15.0) -> None:
        self._session = session
        self._url = oauth_base.rstrip("/") + TOKEN_PATH
        self._app_id = app_id
        self._app_secret = app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def refresh(self, refresh_token: str) -> TokenPair:
        form = {"app_id": self._app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
        try:
            async with self._session.post(self._url, data=form, headers={"secret_key": self._app_secret},
                                          timeout=self._timeout) as response:
                status = response.status
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.error("Zalo token refresh failed (%s): %r", mask(refresh_token), error)
            raise ZaloAuthError(f"token refresh failed: {error!r}", transient=True) from error
        if not isinstance(answer, dict):
            answer = {}
        if status == 200 and answer.get("access_token") and answer.get("refresh_token"):
            expires_at = datetime.now(timezone.utc) + timedelta(seconds=_expires_in(answer.get("expires_in")))
            return TokenPair(str(answer["access_token"]), str(answer["refresh_token"]), expires_at)
        code, name = answer.get("error"), answer.get("error_name")
        description = answer.get("error_description") or answer.get("message") or f"HTTP {status}"
        logger.error("Zalo token refresh rejected (%s): HTTP %s, error %s %s: %s",
                     mask(refresh_token), status, code, name, description)
        raise ZaloAuthError(f"token refresh rejected: {code} {name}: {description}",
                            code=code if isinstance(code, int) else None,
                            name=name if isinstance(name, str) else None, transient=status >= 500)


def _expires_in(value: Any) -> int:
    """Seconds until expiry. A garbled value must not make us drop the (already used up)
    refresh token's successor, so it falls back to a short, safe lifetime."""
    try:
        return int(str(value).strip())
    except ValueError:
        logger.warning("Zalo token answer has an odd expires_in %r; assuming %ss", value, FALLBACK_EXPIRES_IN)
        return FALLBACK_EXPIRES_IN


def text_message(text: str) -> dict[str, Any]:
    return {"text": text}


def buttons_message(text: str, buttons: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {"text": text, "attachment": {"type": "template", "payload": {"buttons": [
        {"title": _title(title), "type": "oa.query.hide", "payload": payload}
        for title, payload in buttons
    ]}}}


def image_message(url: str, caption: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"attachment": {"type": "template", "payload": {
        "template_type": "media", "elements": [{"media_type": "image", "url": url}],
    }}}
    if caption:
        message["text"] = caption
    return message


def _title(title: str) -> str:
    return title if len(title) <= MAX_BUTTON_TITLE else title[: MAX_BUTTON_TITLE - 1] + "…"


class ZaloClient:
    """Customer-service messages to one user. Every send returns Zalo's message ids."""

    def __init__(self, session: aiohttp.ClientSession, api_base: str, tokens: TokenProvider,
                 retry_delays: Sequence[float] = (0.5, 1, 2, 4), timeout: float = 15.0,
                 more_buttons_text: str = MORE_BUTTONS_TEXT) -> None:
        self._session = session
        self._url = api_base.rstrip("/") + SEND_PATH
        self._tokens = tokens
        self._delays = tuple(retry_delays)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._more_buttons_text = more_buttons_text

    async def send_text(self, user_id: str, text: str) -> list[str]:
        return await self._send_all(user_id, [text_message(p) for p in split_text(text, MAX_TEXT_LENGTH)])

    async def send_buttons(self, user_id: str, text: str, buttons: Sequence[tuple[str, str]]) -> list[str]:
        """Text, then buttons in groups of MAX_BUTTONS; the first group rides on the last
        piece of the text, later groups on follow-up messages reading `more_buttons_text`."""
        if not buttons:
            return await self.send_text(user_id, text)
        pieces = split_text(text, MAX_TEXT_LENGTH) or [self._more_buttons_text]
        groups = [list(buttons[i:i + MAX_BUTTONS]) for i in range(0, len(buttons), MAX_BUTTONS)]
        messages = [text_message(p) for p in pieces[:-1]] + [buttons_message(pieces[-1], groups[0])]
        messages += [buttons_message(self._more_buttons_text, group) for group in groups[1:]]
        return await self._send_all(user_id, messages)

    async def send_image(self, user_id: str, url: str, caption: str | None = None) -> list[str]:
        """The image with its caption; a caption too long for one message follows as text."""
        caption = (caption or "").strip() or None
        if caption and len(caption) > MAX_TEXT_LENGTH:
            return await self._send_all(user_id, [image_message(url)] + [
                text_message(p) for p in split_text(caption, MAX_TEXT_LENGTH)])
        return await self._send_all(user_id, [image_message(url, caption)])

    async def _send_all(self, user_id: str, messages: list[dict[str, Any]]) -> list[str]:
        ids: list[str] = []
        for message in messages:
            try:
                ids.append(await self._send_one(user_id, message))
            except ZaloSendError as error:
                error.sent_message_ids = tuple(ids)
                raise
        return ids

    async def _send_one(self, user_id: str, message: dict[str, Any]) -> str:
        body = {"recipient": {"user_id": user_id}, "message": message}
        token = await self._tokens.access_token()
        refreshed = False
        while True:
            answer = await self._post(token, body, user_id)
            code = answer.get("error")
            if code == 0:
                data = answer.get("data")
                return str(data.get("message_id") or "") if isinstance(data, dict) else ""
            if code in INVALID_TOKEN_ERRORS and not refreshed:
                logger.warning("Zalo rejected access token %s (error %s: %s); refreshing",
                               mask(token), code, answer.get("message"))
                try:
                    token = await self._tokens.refresh_after_rejection(token)
                except ZaloAuthError as error:
                    raise ZaloSendError(f"access token rejected ({code}) and refresh failed: {error}",
                                        code=code, transient=error.transient) from error
                refreshed = True
                continue
            logger.error("Zalo refused a message to %s: error %s: %s", user_id, code, answer.get("message"))
            raise ZaloSendError(f"Zalo error {code}: {answer.get('message')}",
                                code=code if isinstance(code, int) else None)

    async def _post(self, token: str, body: dict[str, Any], user_id: str) -> dict[str, Any]:
        """Zalo's JSON answer; transient failures are retried after each delay in turn."""
        attempt = 0
        while True:
            answer, status, problem = await self._attempt(token, body)
            if answer is not None:
                return answer
            if attempt == len(self._delays):
                logger.error("Giving up sending to %s after %d attempts: %s", user_id, attempt + 1, problem)
                raise ZaloSendError(f"Zalo unreachable after {attempt + 1} attempts: {problem}",
                                    status=status, transient=True)
            delay = self._delays[attempt]
            attempt += 1
            logger.warning("Sending to %s failed (%s), attempt %d; retrying in %ss",
                           user_id, problem, attempt, delay)
            await asyncio.sleep(delay)

    async def _attempt(self, token: str, body: dict[str, Any]
                       ) -> tuple[dict[str, Any] | None, int | None, str]:
        """One POST: (answer, status, "") or, for a transient failure, (None, status, problem)."""
        try:
            async with self._session.post(self._url, json=body, headers={"access_token": token},
                                          timeout=self._timeout) as response:
                if response.status >= 500 or response.status == _TOO_MANY_REQUESTS:
                    return None, response.status, f"HTTP {response.status}"
                text = await response.text()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            return None, None, repr(error)
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or "error" not in answer:
            raise ZaloSendError(f"unexpected answer (HTTP {response.status}): {text[:200]!r}",
                                status=response.status)
        return answer, response.status, ""

"""Zalo Notification Service (ZNS): an approved template message to a phone number.

Zalo's protocol, as its ZNS documentation describes it:
- `POST https://business.openapi.zalo.me/message/template`, header `access_token` (the OA's
  access token, the same as for customer-service messages), JSON body
  `{"phone": "84912345678", "template_id": "…", "template_data": {name: value, …},
  "tracking_id": "…"}`: the phone number in the 84xxxxxxxxx form, the template's parameters,
  and our own id for the request (returned in Zalo's delivery reports; Zalo does not promise
  to refuse a second request with the same one, so we never send twice ourselves).
- The answer: `{"error": 0, "message": "Success", "data": {"msg_id": "…", "sent_time":
  "<ms since epoch>", "sending_mode": "1", "quota": {"dailyQuota": "500",
  "remainingQuota": "499"}}}`; otherwise `error` is a negative code and `message` says why:
  -108 phone number invalid, -118 Zalo account not existed, -109 template id invalid,
  -111/-112 template data empty/invalid, -124 access token invalid, -100 unknown error
  ("try again later"); out of quota is answered with a code of its own and a message that
  says "quota".
- Each message that goes out is billed.

Sending is at most once: a request that may have reached Zalo (a timeout, a 5xx, a garbled
answer) is never repeated here (`ZnsError.kind == UNCERTAIN`); only a refused connection
(nothing was sent) and -100 may be tried again later, by the outbox's backoff.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

import aiohttp

from bot.intake import mask_phone
from bot.zalo.api import INVALID_TOKEN_ERRORS, TokenProvider, ZaloAuthError, mask

logger = logging.getLogger(__name__)

TEMPLATE_PATH = "/message/template"

UNKNOWN_ERROR = -100
PHONE_INVALID = -108
TEMPLATE_INVALID = -109
TEMPLATE_DATA_EMPTY = -111
TEMPLATE_DATA_INVALID = -112
ZALO_ACCOUNT_NOT_EXISTED = -118
ACCOUNT_CANNOT_RECEIVE = -119
ACCESS_TOKEN_INVALID = -124
OUT_OF_QUOTA = -144  # the OA's daily ZNS quota is used up (the fake answers with it)
RECIPIENT_ERRORS = frozenset({PHONE_INVALID, ZALO_ACCOUNT_NOT_EXISTED, ACCOUNT_CANNOT_RECEIVE})
QUOTA_ERRORS = frozenset({OUT_OF_QUOTA})

# What became of a request that did not succeed.
RECIPIENT = "recipient"  # this phone number cannot get ZNS: never again for this message
QUOTA = "quota"  # Zalo's quota is used up: nothing sent, try another day
REFUSED = "refused"  # template, data, OA or token problem: nothing sent, an operator must look
RETRY = "retry"  # nothing was sent (connection refused, -100): may be tried again later
UNCERTAIN = "uncertain"  # no usable answer: it may have gone out, so it is never sent again

_VN_MOBILE = re.compile(r"^(?:\+?84|0)(\d{9})$")
_TOO_MANY_REQUESTS = 429


class ZnsError(Exception):
    def __init__(self, message: str, kind: str, code: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code


@dataclass(frozen=True)
class ZnsReceipt:
    msg_id: str
    sent_at: datetime | None
    daily_quota: int | None
    remaining_quota: int | None


def zns_phone(phone: str) -> str:
    """The 84xxxxxxxxx form ZNS wants, from what we store (0xxxxxxxxx); ValueError otherwise."""
    match = _VN_MOBILE.match(re.sub(r"[\s.\-]", "", phone or ""))
    if not match:
        raise ValueError("not a Vietnamese mobile number")
    return "84" + match.group(1)


def kind_of(code: int, message: str) -> str:
    if code in RECIPIENT_ERRORS:
        return RECIPIENT
    if code in QUOTA_ERRORS or "quota" in message.lower():
        return QUOTA
    if code == UNKNOWN_ERROR:
        return RETRY
    return REFUSED


class ZnsClient:
    def __init__(self, session: aiohttp.ClientSession, api_base: str, tokens: TokenProvider,
                 timeout: float = 15.0) -> None:
        self._session = session
        self._url = api_base.rstrip("/") + TEMPLATE_PATH
        self._tokens = tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, phone: str, template_id: str, data: Mapping[str, str], tracking_id: str) -> ZnsReceipt:
        """Send one template message; raises ZnsError (see its `kind`) when it did not go out
        for sure."""
        body: dict[str, Any] = {"phone": zns_phone(phone), "template_id": template_id,
                                 "template_data": dict(data), "tracking_id": tracking_id}
        token = await self._tokens.access_token()
        answer = await self._post(token, body)
        code = answer.get("error")
        if code in INVALID_TOKEN_ERRORS:  # refused before anything was sent: once more with a fresh token
            logger.warning("Zalo rejected access token %s for ZNS (error %s); refreshing", mask(token), code)
            try:
                token = await self._tokens.refresh_after_rejection(token)
            except ZaloAuthError as error:
                raise ZnsError(f"access token rejected ({code}) and refresh failed: {error}",
                               RETRY if error.transient else REFUSED, code) from error
            answer = await self._post(token, body)
            code = answer.get("error")
        if code == 0:
            return _receipt(answer.get("data"))
        message = str(answer.get("message") or "")
        code = code if isinstance(code, int) else None
        kind = kind_of(code or 0, message)
        (logger.warning if kind in (RECIPIENT, QUOTA, RETRY) else logger.error)(
            "ZNS %s to %s refused: error %s: %s", tracking_id, mask_phone(body["phone"]), code, message)
        raise ZnsError(f"ZNS error {code}: {message}", kind, code)

    async def _post(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            async with self._session.post(self._url, json=body, headers={"access_token": token},
                                          timeout=self._timeout) as response:
                status = response.status
                text = await response.text()
        except aiohttp.ClientConnectorError as error:  # no connection: nothing reached Zalo
            raise ZnsError(f"ZNS unreachable: {error!r}", RETRY) from error
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise ZnsError(f"no answer from ZNS: {error!r}", UNCERTAIN) from error
        if status >= 500 or status == _TOO_MANY_REQUESTS:
            raise ZnsError(f"ZNS answered HTTP {status}", UNCERTAIN if status >= 500 else RETRY)
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or "error" not in answer:
            raise ZnsError(f"unexpected ZNS answer (HTTP {status}): {text[:200]!r}", UNCERTAIN)
        return answer


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _receipt(data: Any) -> ZnsReceipt:
    data = data if isinstance(data, dict) else {}
    quota = data.get("quota") if isinstance(data.get("quota"), dict) else {}
    sent_ms = _int_or_none(data.get("sent_time"))
    return ZnsReceipt(
        msg_id=str(data.get("msg_id") or ""),
        sent_at=datetime.fromtimestamp(sent_ms / 1000, timezone.utc) if sent_ms else None,
        daily_quota=_int_or_none(quota.get("dailyQuota")),
        remaining_quota=_int_or_none(quota.get("remainingQuota")),
    )

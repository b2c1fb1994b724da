"""Bad input gets a clear answer: reading request bodies with bounds, and the middleware that
answers whatever a request's own bytes could still break with a 400, never a 500.

Handlers read JSON with `json_body` (size, nesting depth, lone surrogates checked) and raise
`BadInput` for anything they cannot use. Errors that only a malformed request can cause while
it is being read (undecodable bytes, a broken multipart body, absurd numbers) are answered
with 400 and a Vietnamese message, and logged with detail.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable

from aiohttp import web

logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8
MAX_DRAIN_BYTES = 12 * 1024 * 1024  # beyond the app's own body limit, aiohttp refuses anyway
BAD_REQUEST = "Yêu cầu không hợp lệ. Bạn kiểm tra lại nội dung gửi lên giúp mình nhé."
BAD_JSON = "Nội dung JSON không hợp lệ (sai cú pháp, lồng quá sâu hoặc quá dài)."
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadInput(Exception):
    def __init__(self, message: str = BAD_REQUEST) -> None:
        super().__init__(message)
        self.message = message


def _depth(value: Any, limit: int, level: int = 1) -> bool:
    """True when `value` nests no deeper than `limit`."""
    if level > limit:
        return False
    if isinstance(value, dict):
        return all(_depth(v, limit, level + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth(v, limit, level + 1) for v in value)
    return True


def has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_LONE_SURROGATE.search(value))
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def parse_json(raw: bytes, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    if len(raw) > max_bytes:
        raise BadInput(BAD_JSON)
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadInput(BAD_JSON) from None
    if not _depth(value, max_depth) or has_lone_surrogate(value):
        raise BadInput(BAD_JSON)
    return value


async def _drain(request: web.Request) -> None:
    """Read what the client is still sending (up to the app's size limit), so that our 400
    reaches it instead of a connection reset."""
    left = MAX_DRAIN_BYTES
    while left > 0 and (chunk := await request.content.read(min(left, 64 * 1024))):
        left -= len(chunk)


async def json_body(request: web.Request, max_bytes: int = MAX_JSON_BYTES) -> Any:
    if (request.content_length or 0) > max_bytes:
        await _drain(request)
        raise BadInput(BAD_JSON)
    raw = await request.content.read(max_bytes + 1)
    if len(raw) > max_bytes:
        await _drain(request)
    return parse_json(raw, max_bytes)


async def form_fields(request: web.Request) -> Any:
    """`request.post()`, with a malformed body (a multipart never closed, bad bytes) as BadInput.
    aiohttp's parsers raise many kinds of errors on a body that is not what its headers say;
    whatever it is, it was in the client's bytes."""
    try:
        return await request.post()
    except web.HTTPException:
        raise  # 413: the body is over the size limit
    except Exception as error:  # noqa: BLE001 — see above
        logger.warning("Malformed form %s %s: %r", request.method, request.path, error)
        raise BadInput(BAD_REQUEST) from None


def bad_request(request: web.Request, message: str) -> web.Response:
    if request.path.startswith("/api/") or request.path.startswith("/open311/"):
        return web.json_response({"error": message}, status=400, dumps=lambda d: json.dumps(d, ensure_ascii=False))
    return web.Response(status=400, content_type="text/html", charset="utf-8",
                        text=f"<!doctype html><html lang=vi><meta charset=utf-8><title>Yêu cầu không hợp lệ</title>"
                             f"<p>{message}</p></html>")


@web.middleware
async def bounded_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadInput as bad:
        return bad_request(request, bad.message)
    except (UnicodeError, RecursionError, OverflowError) as error:
        logger.warning("Malformed request %s %s: %r", request.method, request.path, error)
        return bad_request(request, BAD_REQUEST)

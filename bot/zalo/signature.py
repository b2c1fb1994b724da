"""Zalo webhook signatures (header `X-ZEvent-Signature`).

The signature is the SHA-256 hex digest of `app_id + raw body + timestamp + OA secret key`,
where `timestamp` is the body's own `timestamp` field. Zalo may prefix the value with `mac=`.
"""
from __future__ import annotations

import hashlib
import hmac
import json

SIGNATURE_HEADER = "X-ZEvent-Signature"
_PREFIX = "mac="


def sign(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    data = app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def _body_timestamp(raw_body: bytes) -> str | None:
    body = json.loads(raw_body)
    if not isinstance(body, dict):
        return None
    value = body.get("timestamp")
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def verify(header_value: str | None, app_id: str, raw_body: bytes, oa_secret_key: str) -> bool:
    """True if the header carries the right signature for this body; never raises."""
    try:
        if not header_value or not app_id or not oa_secret_key:
            return False
        given = header_value.strip()
        if given[: len(_PREFIX)].lower() == _PREFIX:
            given = given[len(_PREFIX):].strip()
        timestamp = _body_timestamp(raw_body)
        if timestamp is None:
            return False
        expected = sign(app_id, raw_body, timestamp, oa_secret_key)
        return hmac.compare_digest(expected.encode(), given.lower().encode())
    except Exception:  # noqa: BLE001 — malformed body, odd types, non-ASCII header: simply not valid
        return False

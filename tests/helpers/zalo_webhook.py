"""Zalo webhook bodies as Zalo sends them, and signing them, for tests of our webhook."""
from __future__ import annotations

import itertools
import json
import time
from typing import Any

from bot.zalo.signature import SIGNATURE_HEADER, sign

_msg_ids = itertools.count(1)


def _base(event_name: str, app_id: str, oa_id: str) -> dict[str, Any]:
    return {"app_id": app_id, "event_name": event_name, "timestamp": str(int(time.time() * 1000)),
            "recipient": {"id": oa_id}, "user_id_by_app": "app-scoped-id"}


def message_event(event_name: str, user_id: str, text: str | None = None,
                  attachments: list[dict] | None = None, app_id: str = "fake-app-id",
                  oa_id: str = "fake-oa-id") -> dict[str, Any]:
    body = _base(event_name, app_id, oa_id)
    message: dict[str, Any] = {"msg_id": f"zmsg-{next(_msg_ids)}"}
    if text is not None:
        message["text"] = text
    if attachments is not None:
        message["attachments"] = attachments
    return {**body, "sender": {"id": user_id}, "message": message}


def text_event(user_id: str, text: str, **kw: Any) -> dict[str, Any]:
    return message_event("user_send_text", user_id, text, **kw)


def image_event(user_id: str, *urls: str, caption: str | None = None, **kw: Any) -> dict[str, Any]:
    attachments = [{"type": "image", "payload": {"url": u, "thumbnail": u + "?thumb"}} for u in urls]
    return message_event("user_send_image", user_id, caption, attachments, **kw)


def location_event(user_id: str, latitude: float | str, longitude: float | str, **kw: Any) -> dict[str, Any]:
    coordinates = {"latitude": str(latitude), "longitude": str(longitude)}
    attachments = [{"type": "location", "payload": {"coordinates": coordinates}}]
    return message_event("user_send_location", user_id, "", attachments, **kw)


def follow_event(user_id: str, unfollow: bool = False, app_id: str = "fake-app-id",
                 oa_id: str = "fake-oa-id") -> dict[str, Any]:
    body = _base("unfollow" if unfollow else "follow", app_id, oa_id)
    return {**body, "oa_id": oa_id, "follower": {"id": user_id}, "source": "testing"}


def signed(body: dict[str, Any], app_id: str, oa_secret_key: str) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Zalo would POST to our webhook."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    signature = sign(app_id, raw, str(body.get("timestamp", "")), oa_secret_key)
    return raw, {"Content-Type": "application/json", SIGNATURE_HEADER: f"mac={signature}"}

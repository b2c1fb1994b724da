"""Zalo OA webhook events, parsed into a small immutable value."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

USER_SEND_TEXT = "user_send_text"
USER_SEND_IMAGE = "user_send_image"
USER_SEND_LOCATION = "user_send_location"
USER_SEND_STICKER = "user_send_sticker"
USER_SEND_FILE = "user_send_file"
USER_SEND_GIF = "user_send_gif"
USER_SEND_AUDIO = "user_send_audio"
USER_SEND_VIDEO = "user_send_video"
FOLLOW = "follow"
UNFOLLOW = "unfollow"
MESSAGE_PREFIX = "user_send_"


class BadEvent(ValueError):
    """The webhook body has no event name or no user id."""


@dataclass(frozen=True)
class ZaloEvent:
    name: str
    user_id: str
    msg_id: str | None = None
    timestamp_ms: int = 0
    text: str | None = None
    image_urls: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    oa_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_message(self) -> bool:
        return is_message(self.name)

    @property
    def is_follow(self) -> bool:
        return self.name == FOLLOW

    @property
    def is_unfollow(self) -> bool:
        return self.name == UNFOLLOW

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def is_message(event_name: str) -> bool:
    return event_name.startswith(MESSAGE_PREFIX)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def _coordinate(value: Any, bound: float) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and -bound <= number <= bound else None


def parse_event(body: Any) -> ZaloEvent:
    """Read a webhook body; missing or odd fields become None/empty, never errors."""
    if not isinstance(body, dict):
        raise BadEvent(f"event body is {type(body).__name__}, not an object")
    name = body.get("event_name")
    if not isinstance(name, str) or not name.strip():
        raise BadEvent("event has no event_name")
    name = name.strip()
    user_id = _id(_dict(body.get("sender")).get("id")) or _id(_dict(body.get("follower")).get("id"))
    if user_id is None:
        raise BadEvent(f"{name} event has no sender.id/follower.id")

    message = _dict(body.get("message"))
    text = message.get("text")
    listed = message.get("attachments")
    attachments = [a for a in listed if isinstance(a, dict)] if isinstance(listed, list) else []
    images: list[str] = []
    latitude = longitude = None
    for attachment in attachments:
        payload = _dict(attachment.get("payload"))
        url = payload.get("url")
        if attachment.get("type") == "image" and isinstance(url, str) and url:
            images.append(url)
        coordinates = _dict(payload.get("coordinates"))
        if coordinates and latitude is None:
            latitude = _coordinate(coordinates.get("latitude"), 90.0)
            longitude = _coordinate(coordinates.get("longitude"), 180.0)
            if latitude is None or longitude is None:
                latitude = longitude = None
    return ZaloEvent(
        name=name,
        user_id=user_id,
        msg_id=_id(message.get("msg_id")),
        timestamp_ms=_int(body.get("timestamp")),
        text=text if isinstance(text, str) else None,
        image_urls=tuple(images),
        latitude=latitude,
        longitude=longitude,
        oa_id=_id(body.get("oa_id")) or _id(_dict(body.get("recipient")).get("id")),
        raw=body,
    )

"""Links to stored photos.

A photo's canonical address is `{PUBLIC_BASE_URL}/uploads/<name>`; staff with a console
session may open it. A citizen (or Zalo's servers, fetching an image we send) gets a signed,
expiring link instead: `?e=<unix expiry>&s=<HMAC(LINK_SECRET, name, expiry)>`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from urllib.parse import urlsplit

UPLOADS_PATH = "/uploads/"
PHOTO_LINK_SECONDS = 90 * 24 * 3600  # a "handled" notice is read days or weeks later
NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|gif)$")
_DOMAIN = b"phananh-photo:"


def _signature(secret: str, name: str, expires: int) -> str:
    digest = hmac.new(secret.encode(), _DOMAIN + f"{name}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def photo_url(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}{UPLOADS_PATH}{name}"


def upload_name(url: object, base_url: str) -> str | None:
    """The stored file's name when `url` points into our own upload store, else None."""
    if not isinstance(url, str) or len(url) > 500:
        return None
    parts, ours = urlsplit(url), urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (ours.scheme, ours.netloc) or not parts.path.startswith(UPLOADS_PATH):
        return None
    name = parts.path[len(UPLOADS_PATH):]
    return name if NAME.match(name) else None


def signed_link(url: str, base_url: str, secret: str, ttl: int = PHOTO_LINK_SECONDS, now: float | None = None) -> str:
    """A link a citizen can open without logging in; other URLs are returned unchanged."""
    name = upload_name(url, base_url)
    if name is None:
        return url
    expires = int((now or time.time()) + ttl)
    return f"{photo_url(base_url, name)}?e={expires}&s={_signature(secret, name, expires)}"


def valid_signature(secret: str, name: str, expires: str, signature: str, now: float | None = None) -> bool:
    if not expires.isdigit() or len(expires) > 12 or int(expires) < (now or time.time()):
        return False
    return hmac.compare_digest(_signature(secret, name, int(expires)).encode(), signature.encode())

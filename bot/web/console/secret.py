"""The key that encrypts the console's session cookie (Fernet: AES-128-CBC + HMAC-SHA256).

The secret is `CONSOLE_SECRET_KEY` (in development generated once into var/secrets/, see
`bot.secret_files`): a Fernet key (`Fernet.generate_key()`), or any string of at least 32
characters, which is stretched with SHA-256. Several web processes behind one address must
share the same secret.
"""
from __future__ import annotations

import base64
import binascii
import hashlib

MIN_SECRET_CHARS = 32


def _fernet_key(text: str) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError):
        return None
    return text.encode() if len(raw) == 32 else None


def key_from_secret(secret: str) -> bytes:
    """A Fernet key from CONSOLE_SECRET_KEY's value."""
    if key := _fernet_key(secret):
        return key
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"CONSOLE_SECRET_KEY must have at least {MIN_SECRET_CHARS} characters")
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())

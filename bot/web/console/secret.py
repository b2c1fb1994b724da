"""The key that encrypts the console's session cookie (Fernet: AES-128-CBC + HMAC-SHA256).

`CONSOLE_SECRET_KEY` wins when set: a Fernet key (`Fernet.generate_key()`), or any string
of at least 32 characters, which is stretched with SHA-256. Otherwise a key is generated
once into `var/console_secret.key` (mode 0600) and reused, so sessions survive restarts.
Several web processes behind one address must share the same key.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet

from bot.config import VAR_DIR

KEY_FILE = VAR_DIR / "console_secret.key"
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


def _read_key(path: Path) -> bytes:
    key = path.read_text(encoding="ascii").strip()
    if not _fernet_key(key):
        raise ValueError(f"{path} does not hold a valid key: delete it to generate a new one")
    return key.encode()


def _read_or_create(path: Path) -> bytes:
    """Read the key file, or create it atomically (a complete 0600 file, or none at all:
    several processes starting together all end up with the same key)."""
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key() + b"\n")
    try:
        os.link(partial, path)  # fails if another process was first
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)
    return _read_key(path)


def load_secret_key(configured: str, key_file: Path = KEY_FILE) -> bytes:
    """The session key: from the configured secret, else from (or into) `key_file`."""
    return key_from_secret(configured) if configured else _read_or_create(key_file)

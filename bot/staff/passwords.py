"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

Hashing and verifying take tens of milliseconds of CPU on purpose: async callers run them
in a thread (`asyncio.to_thread`) so the event loop keeps serving.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.staff.errors import AccountError

MIN_LENGTH = 10
MAX_LENGTH = 200
TOO_SHORT = f"Mật khẩu cần có ít nhất {MIN_LENGTH} ký tự."
TOO_LONG = f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự."

_hasher = PasswordHasher()


def check_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing (AccountError, in Vietnamese)."""
    if len(password) < MIN_LENGTH:
        raise AccountError(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise AccountError(TOO_LONG)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; False on a mismatch or a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (rehash on login)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Verified against when the username is unknown, so both cases take the same time."""
    return hash_password("phananh-no-such-user")

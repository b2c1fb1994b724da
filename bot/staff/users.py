"""Staff accounts, logins with throttling, and API tokens.

Throttling (shared by every web process through `rate_counters`, see `login_limits`): 5
failures of one username from one address, 20 of one username from anywhere, or 30 from one
address within 15 minutes lock further attempts until the window ends; a successful login
clears the username's counts. The counts are taken atomically, before the password is
checked. An admin can issue a one-time unlock code (`bot users unlock`). Every checked
attempt is recorded in `login_attempts`.
"""
from __future__ import annotations

import asyncio
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.staff import access, passwords
from bot.staff.access import Staff
from bot.staff.errors import AccountError, LoginFailed, LoginThrottled
from bot.staff.localtime import format_time
from bot.storage.db import Database
from bot.storage.limits import Limit, LimitReached, clear, give_back, reserve_all
from bot.storage.models import ApiToken, LoginAttempt, LoginUnlock, RateCounter, StaffUser, StaffUserWard, Ward, utcnow

PAIR_FAILURES = 5  # one username from one address
USERNAME_FAILURES = 20  # one username from any address
IP_FAILURES = 30  # one address, any username
THROTTLE_WINDOW = timedelta(minutes=15)
UNLOCK_VALIDITY = timedelta(days=1)
TOKEN_PREFIX = "pat_"
# Stored instead of a password hash for integration accounts: argon2 never verifies it.
NO_PASSWORD = "!no-password: integration account"

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,99}")

WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa."
THROTTLED = ("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {time} "
             "(khoảng {minutes} phút nữa).")
BAD_USERNAME = "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và . _ - @ (2–100 ký tự)."
USERNAME_TAKEN = "Tên đăng nhập {username} đã có người dùng."
NO_SUCH_USER = "Không có tài khoản {username}."
UNKNOWN_ROLE = "Vai trò phải là một trong: ward_staff, supervisor, admin, integration."
PASSWORD_REQUIRED = "Tài khoản cán bộ cần mật khẩu (--password-stdin)."
NO_PASSWORD_FOR_INTEGRATION = ("Tài khoản tích hợp (integration) không có mật khẩu và không đăng nhập trang quản lý: "
                               "cấp khóa API cho nó bằng lệnh `users token`.")
WARDS_REQUIRED = "Tài khoản cán bộ phường cần được gán ít nhất một phường, xã."
WARDS_ONLY_FOR_STAFF = "Chỉ tài khoản cán bộ phường (ward_staff) mới được gán phường, xã."
UNKNOWN_WARDS = "Không có phường, xã mã: {codes}."


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    full_name: str | None
    role: str
    active: bool
    wards: tuple[str, ...]
    created_at: datetime
    last_login_at: datetime | None
    auth_stamp: str  # changes with the password: sessions made before a reset stop working

    @property
    def staff(self) -> Staff:
        return Staff(self.id, self.username, self.full_name, self.role, frozenset(self.wards))


@dataclass(frozen=True)
class NewToken:
    id: int
    token: str  # shown once; only its SHA-256 is stored


@dataclass(frozen=True)
class KeyOwner:
    """Who an API token belongs to, and which token it is (rate limits are per token)."""
    token_id: int
    account: Account


@dataclass(frozen=True)
class TokenInfo:
    id: int
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def normalize_username(text: str) -> str:
    return text.strip().lower()


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _account(session: AsyncSession, user: StaffUser) -> Account:
    wards = (await session.execute(
        select(StaffUserWard.ward_code).where(StaffUserWard.user_id == user.id).order_by(StaffUserWard.ward_code)
    )).scalars().all()
    return Account(user.id, user.username, user.full_name, user.role, user.active, tuple(wards),
                   user.created_at, user.last_login_at, _stamp(user.password_hash))


async def _user_by_name(session: AsyncSession, username: str) -> StaffUser | None:
    return (await session.execute(
        select(StaffUser).where(StaffUser.username == normalize_username(username))
    )).scalar_one_or_none()


async def _require_user(session: AsyncSession, username: str) -> StaffUser:
    user = await _user_by_name(session, username)
    if user is None:
        raise AccountError(NO_SUCH_USER.format(username=normalize_username(username)))
    return user


async def _check_wards(db: Database, role: str, wards: Sequence[str]) -> list[str]:
    codes = sorted(set(wards))
    if role == access.WARD_STAFF and not codes:
        raise AccountError(WARDS_REQUIRED)
    if role != access.WARD_STAFF and codes:
        raise AccountError(WARDS_ONLY_FOR_STAFF)
    async with db.session() as session:
        known = set((await session.execute(select(Ward.code).where(Ward.code.in_(codes)))).scalars())
    if missing := [code for code in codes if code not in known]:
        raise AccountError(UNKNOWN_WARDS.format(codes=", ".join(missing)))
    return codes


async def add_user(db: Database, username: str, password: str | None, role: str, wards: Sequence[str] = (),
                   full_name: str | None = None) -> Account:
    """A console account (with a password), or an integrating organisation's account
    (`role="integration"`, `password=None`: it only ever uses API keys, through Open311)."""
    username = normalize_username(username)
    if not _USERNAME.fullmatch(username):
        raise AccountError(BAD_USERNAME)
    if role not in access.ROLES:
        raise AccountError(UNKNOWN_ROLE)
    if role == access.INTEGRATION and password is not None:
        raise AccountError(NO_PASSWORD_FOR_INTEGRATION)
    if role != access.INTEGRATION:
        if password is None:
            raise AccountError(PASSWORD_REQUIRED)
        passwords.check_strength(password)
    codes = await _check_wards(db, role, wards)
    password_hash = (NO_PASSWORD if password is None
                     else await asyncio.to_thread(passwords.hash_password, password))
    try:
        async with db.session() as session, session.begin():
            user = StaffUser(username=username, full_name=(full_name or "").strip() or None,
                             password_hash=password_hash, role=role, active=True, created_at=utcnow())
            session.add(user)
            await session.flush()
            session.add_all(StaffUserWard(user_id=user.id, ward_code=code) for code in codes)
    except IntegrityError:
        raise AccountError(USERNAME_TAKEN.format(username=username)) from None
    return await _reload(db, username)


async def get_account(db: Database, username: str) -> Account | None:
    async with db.session() as session:
        user = await _user_by_name(session, username)
        return await _account(session, user) if user else None


async def _reload(db: Database, username: str) -> Account:
    account = await get_account(db, username)
    assert account is not None
    return account


async def get_account_by_id(db: Database, user_id: int) -> Account | None:
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        return await _account(session, user) if user else None


async def list_users(db: Database) -> list[Account]:
    async with db.session() as session:
        users = (await session.execute(select(StaffUser).order_by(StaffUser.username))).scalars().all()
        return [await _account(session, user) for user in users]


async def set_active(db: Database, username: str, active: bool) -> Account:
    """Disable or enable an account; a disabled one can neither log in nor use its tokens."""
    async with db.session() as session, session.begin():
        user = await _require_user(session, username)
        user.active = active
    return await _reload(db, username)


async def reset_password(db: Database, username: str, password: str) -> Account:
    """Set a new password; the account's existing sessions stop working."""
    account = await get_account(db, username)
    if account is not None and account.role == access.INTEGRATION:
        raise AccountError(NO_PASSWORD_FOR_INTEGRATION)
    passwords.check_strength(password)
    password_hash = await asyncio.to_thread(passwords.hash_password, password)
    async with db.session() as session, session.begin():
        user = await _require_user(session, username)
        user.password_hash = password_hash
    return await _reload(db, username)


async def assign_wards(db: Database, username: str, wards: Sequence[str]) -> Account:
    """Replace the wards of a ward officer."""
    account = await get_account(db, username)
    if account is None:
        raise AccountError(NO_SUCH_USER.format(username=normalize_username(username)))
    codes = await _check_wards(db, account.role, wards)
    async with db.session() as session, session.begin():
        await session.execute(delete(StaffUserWard).where(StaffUserWard.user_id == account.id))
        session.add_all(StaffUserWard(user_id=account.id, ward_code=code) for code in codes)
    return await _reload(db, username)


# --- logging in -------------------------------------------------------------------------

def login_limits(username: str, ip: str) -> list[Limit]:
    """Failures allowed within THROTTLE_WINDOW: per username and address (a guesser), per
    username from anywhere (a distributed guesser) and per address (password spraying).
    Behind a proxy the address is the client's (TRUSTED_PROXIES), so one officer's typos
    never lock the whole office out."""
    return [Limit(f"login:pair:{username}|{ip}", PAIR_FAILURES, THROTTLE_WINDOW),
            Limit(f"login:user:{username}", USERNAME_FAILURES, THROTTLE_WINDOW),
            Limit(f"login:ip:{ip}", IP_FAILURES, THROTTLE_WINDOW)]


def throttled_message(retry_at: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
    return THROTTLED.format(time=format_time(retry_at), minutes=minutes)


async def _unlock(db: Database, username: str, code: str, now: datetime) -> int | None:
    """The id of a valid, unused unlock code of this user, if `code` is one."""
    async with db.session() as session:
        return (await session.execute(
            select(LoginUnlock.id).where(LoginUnlock.username == username, LoginUnlock.code_hash == _token_hash(code),
                                         LoginUnlock.used_at.is_(None), LoginUnlock.expires_at > now)
        )).scalar_one_or_none()


async def authenticate(db: Database, username: str, password: str, ip: str,
                       *, now: datetime | None = None, unlock_code: str = "") -> Account:
    """The account for these credentials; LoginThrottled or LoginFailed otherwise.

    Each attempt takes its place under the limits before the password is checked, so parallel
    guesses count; a success gives the places back. An admin's one-time unlock code
    (`issue_unlock`) lets its user past the limits once."""
    username, ip = normalize_username(username)[:100], (ip or "unknown")[:100]
    now = now or utcnow()
    limits = login_limits(username, ip)
    unlock_id = await _unlock(db, username, unlock_code.strip(), now) if unlock_code.strip() else None
    if unlock_id is None:
        try:
            await reserve_all(db, limits, now)
        except LimitReached as reached:
            raise LoginThrottled(throttled_message(reached.retry_at, now), reached.retry_at) from None
    async with db.session() as session:
        user = await _user_by_name(session, username)
        stored_hash = (user.password_hash if user and user.role in access.CONSOLE_ROLES
                       else passwords.dummy_hash())  # an integration account has no password at all
    matches = await asyncio.to_thread(passwords.verify_password, stored_hash, password)
    success = bool(user and user.active and matches and user.role in access.CONSOLE_ROLES)
    rehashed = (await asyncio.to_thread(passwords.hash_password, password)
                if success and passwords.needs_rehash(stored_hash) else None)
    async with db.session() as session, session.begin():
        session.add(LoginAttempt(username=username, ip=ip, success=success, attempted_at=now))
        if success:
            assert user is not None  # success needs a user
            values = {"last_login_at": now, **({"password_hash": rehashed} if rehashed else {})}
            await session.execute(update(StaffUser).where(StaffUser.id == user.id).values(**values)
                                  .execution_options(synchronize_session=False))
            if unlock_id is not None:
                await session.execute(update(LoginUnlock).where(LoginUnlock.id == unlock_id).values(used_at=now)
                                      .execution_options(synchronize_session=False))
    if not success:
        raise LoginFailed(WRONG_CREDENTIALS)
    await clear(db, [limit.key for limit in limits[:2]])  # this user's failures are forgiven
    if unlock_id is None:
        await give_back(db, limits[2:])
    return await _reload(db, username)


async def issue_unlock(db: Database, username: str, *, now: datetime | None = None) -> str:
    """A one-time code that lets `username` log in once despite the throttle (valid a day);
    the user's failure counts are cleared too. Only the code's SHA-256 is stored."""
    now = now or utcnow()
    code = secrets.token_urlsafe(9)
    async with db.session() as session, session.begin():
        user = await _require_user(session, username)
        session.add(LoginUnlock(username=user.username, code_hash=_token_hash(code), created_at=now,
                                expires_at=now + UNLOCK_VALIDITY))
    await clear_failures(db, user.username)
    return code


async def clear_failures(db: Database, username: str) -> None:
    async with db.session() as session, session.begin():
        await session.execute(delete(RateCounter).where(
            (RateCounter.key == f"login:user:{username}") | RateCounter.key.like(f"login:pair:{username}|%"))
            .execution_options(synchronize_session=False))


# --- API tokens ---------------------------------------------------------------------------

async def create_token(db: Database, username: str, label: str | None = None) -> NewToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with db.session() as session, session.begin():
        user = await _require_user(session, username)
        row = ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label, created_at=utcnow())
        session.add(row)
        await session.flush()
        return NewToken(row.id, token)


async def resolve_key(db: Database, token: str) -> KeyOwner | None:
    """The token and the active account behind it, if it was not revoked; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    async with db.session() as session:
        row = (await session.execute(
            select(StaffUser, ApiToken.id).join(ApiToken, ApiToken.user_id == StaffUser.id)
            .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None),
                   StaffUser.active.is_(True))
        )).one_or_none()
        return KeyOwner(row[1], await _account(session, row[0])) if row else None


async def resolve_token(db: Database, token: str) -> Account | None:
    """The active account behind a token that was not revoked; None otherwise."""
    owner = await resolve_key(db, token)
    return owner.account if owner else None


async def revoke_token(db: Database, token_id: int) -> bool:
    async with db.session() as session, session.begin():
        result = await session.execute(
            update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()).execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


async def list_tokens(db: Database, username: str) -> list[TokenInfo]:
    async with db.session() as session:
        user = await _require_user(session, username)
        rows = (await session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        )).scalars().all()
    return [TokenInfo(r.id, r.label, r.created_at, r.revoked_at) for r in rows]

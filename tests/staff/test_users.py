"""Accounts, logins with throttling, and API tokens, on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.staff import users
from bot.staff.access import ADMIN, SUPERVISOR, WARD_STAFF
from bot.staff.errors import AccountError, LoginFailed, LoginThrottled
from bot.storage.db import Database
from bot.storage.models import LoginAttempt, utcnow
from tests.helpers.staff import PASSWORD, WARD_A, WARD_B

IP = "203.0.113.7"


async def attempts(db: Database, **where: object) -> int:
    async with db.session() as session:
        statement = select(func.count()).select_from(LoginAttempt).filter_by(**where)
        return (await session.execute(statement)).scalar_one()


async def test_accounts_lifecycle(db: Database) -> None:
    account = await users.add_user(db, " Lan.Nguyen ", PASSWORD, WARD_STAFF, [WARD_B, WARD_A], "Nguyễn Thị Lan")
    assert (account.username, account.role, account.wards, account.active) == (
        "lan.nguyen", WARD_STAFF, (WARD_A, WARD_B), True)
    assert account.staff.wards == {WARD_A, WARD_B} and account.staff.display_name == "Nguyễn Thị Lan"
    await users.add_user(db, "giamsat", PASSWORD, SUPERVISOR)
    assert [a.username for a in await users.list_users(db)] == ["giamsat", "lan.nguyen"]

    assert (await users.assign_wards(db, "lan.nguyen", [WARD_B])).wards == (WARD_B,)
    assert not (await users.set_active(db, "lan.nguyen", False)).active
    assert (await users.set_active(db, "LAN.NGUYEN", True)).active
    stamp = account.auth_stamp
    assert (await users.reset_password(db, "lan.nguyen", "mat-khau-moi-hoan-toan")).auth_stamp != stamp


@pytest.mark.parametrize(("username", "role", "wards", "message"), [
    ("lan", WARD_STAFF, [], "ít nhất một phường"),
    ("lan", WARD_STAFF, ["99999"], "99999"),
    ("lan", SUPERVISOR, [WARD_A], "Chỉ tài khoản cán bộ phường"),
    ("lan", "boss", [], "Vai trò"),
    ("Lan Nguyen", ADMIN, [], "Tên đăng nhập"),
])
async def test_add_user_refusals(db: Database, username: str, role: str, wards: list[str], message: str) -> None:
    with pytest.raises(AccountError, match=message):
        await users.add_user(db, username, PASSWORD, role, wards)
    assert await users.list_users(db) == []


async def test_username_taken_and_unknown_user(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, ADMIN)
    with pytest.raises(AccountError, match="đã có người dùng"):
        await users.add_user(db, "LAN", PASSWORD, ADMIN)
    with pytest.raises(AccountError, match="Không có tài khoản"):
        await users.set_active(db, "nobody", False)


async def test_authenticate_records_attempts_and_last_login(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    with pytest.raises(LoginFailed, match="không đúng"):
        await users.authenticate(db, "lan", "sai-mat-khau-roi", IP)
    with pytest.raises(LoginFailed):
        await users.authenticate(db, "khong-co-ai", PASSWORD, IP)
    account = await users.authenticate(db, " LAN ", PASSWORD, IP)
    assert account.username == "lan" and account.last_login_at is not None
    assert await attempts(db, success=False) == 2 and await attempts(db, success=True) == 1

    await users.set_active(db, "lan", False)
    with pytest.raises(LoginFailed):
        await users.authenticate(db, "lan", PASSWORD, IP)


async def test_five_failures_from_one_address_lock_that_pair_for_fifteen_minutes(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    start = utcnow()
    for minute in range(5):
        with pytest.raises(LoginFailed) as failed:
            await users.authenticate(db, "lan", "sai-mat-khau-roi", IP, now=start + timedelta(minutes=minute))
        assert not isinstance(failed.value, LoginThrottled)

    # Even the right password, from that address, is refused until the window is over…
    with pytest.raises(LoginThrottled) as throttled:
        await users.authenticate(db, "lan", PASSWORD, IP, now=start + timedelta(minutes=6))
    assert throttled.value.retry_at == start + timedelta(minutes=15)
    assert "thử lại sau" in throttled.value.message and "9 phút" in throttled.value.message
    assert await attempts(db, username="lan") == 5  # refused attempts check no password
    # …while the officer at another address (behind a trusted proxy: their own) still logs in.
    assert (await users.authenticate(db, "lan", PASSWORD, "198.51.100.7", now=start + timedelta(minutes=6))).username == "lan"
    account = await users.authenticate(db, "lan", PASSWORD, IP, now=start + timedelta(minutes=15, seconds=1))
    assert account.username == "lan"


async def test_success_clears_the_username_count(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    start = utcnow()
    for minute in range(4):
        with pytest.raises(LoginFailed):
            await users.authenticate(db, "lan", "sai-mat-khau-roi", IP, now=start + timedelta(minutes=minute))
    await users.authenticate(db, "lan", PASSWORD, IP, now=start + timedelta(minutes=4))
    for minute in range(4):
        with pytest.raises(LoginFailed) as failed:
            await users.authenticate(db, "lan", "sai-mat-khau-roi", IP, now=start + timedelta(minutes=5 + minute))
        assert not isinstance(failed.value, LoginThrottled)


async def test_many_failures_from_one_address_lock_it_for_every_username(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    start = utcnow()
    for n in range(users.IP_FAILURES):  # password spraying over many usernames
        with pytest.raises(LoginFailed):
            await users.authenticate(db, f"user{n}", "sai-mat-khau-roi", IP, now=start + timedelta(seconds=n))
    with pytest.raises(LoginThrottled) as throttled:
        await users.authenticate(db, "lan", PASSWORD, IP, now=start + timedelta(minutes=1))
    assert throttled.value.retry_at == start + timedelta(minutes=15)
    assert (await users.authenticate(db, "lan", PASSWORD, "198.51.100.1", now=start + timedelta(minutes=1))).username == "lan"


async def test_thirty_parallel_guesses_check_at_most_five_passwords(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    results = await asyncio.gather(*(users.authenticate(db, "lan", f"sai-mat-khau-{n}", IP) for n in range(30)),
                                   return_exceptions=True)
    assert all(isinstance(r, LoginFailed) for r in results)
    assert sum(1 for r in results if not isinstance(r, LoginThrottled)) <= users.PAIR_FAILURES
    assert await attempts(db, username="lan") <= users.PAIR_FAILURES


async def test_an_admins_one_time_code_unlocks_a_locked_user_once(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    for _ in range(users.PAIR_FAILURES):
        with pytest.raises(LoginFailed):
            await users.authenticate(db, "lan", "sai-mat-khau-roi", IP)
    with pytest.raises(LoginThrottled):
        await users.authenticate(db, "lan", PASSWORD, IP)
    code = await users.issue_unlock(db, "lan")
    for _ in range(users.PAIR_FAILURES):  # the attack goes on after the unlock
        with pytest.raises(LoginFailed):
            await users.authenticate(db, "lan", "sai-mat-khau-roi", IP)
    with pytest.raises(LoginThrottled):
        await users.authenticate(db, "lan", PASSWORD, IP, unlock_code="not-the-code")
    assert (await users.authenticate(db, "lan", PASSWORD, IP, unlock_code=code)).username == "lan"
    for _ in range(users.PAIR_FAILURES):
        with pytest.raises(LoginFailed):
            await users.authenticate(db, "lan", "sai-mat-khau-roi", IP)
    with pytest.raises(LoginThrottled):  # used once, never again
        await users.authenticate(db, "lan", PASSWORD, IP, unlock_code=code)
    with pytest.raises(AccountError):
        await users.issue_unlock(db, "khong-co-ai")


async def test_api_tokens(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    first = await users.create_token(db, "lan", "hệ thống một cửa")
    second = await users.create_token(db, "lan")
    assert first.token != second.token and first.token.startswith("pat_")
    assert (await users.resolve_token(db, first.token)).username == "lan"
    assert await users.resolve_token(db, first.token + "x") is None
    assert await users.resolve_token(db, "random") is None

    assert await users.revoke_token(db, first.id)
    assert not await users.revoke_token(db, first.id)
    assert await users.resolve_token(db, first.token) is None
    assert [(t.id, t.revoked_at is not None) for t in await users.list_tokens(db, "lan")] == [
        (first.id, True), (second.id, False)]

    await users.set_active(db, "lan", False)
    assert await users.resolve_token(db, second.token) is None

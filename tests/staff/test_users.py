"""Accounts, logins with throttling, and API tokens, on SQLite and PostgreSQL."""
from __future__ import annotations

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


async def test_five_failures_lock_the_username_for_fifteen_minutes(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    start = utcnow()
    for minute in range(5):
        with pytest.raises(LoginFailed) as failed:
            await users.authenticate(db, "lan", "sai-mat-khau-roi", f"10.0.0.{minute}",
                                     now=start + timedelta(minutes=minute))
        assert not isinstance(failed.value, LoginThrottled)

    # Even the right password, from another address, is refused until the first failure ages out.
    with pytest.raises(LoginThrottled) as throttled:
        await users.authenticate(db, "lan", PASSWORD, "10.9.9.9", now=start + timedelta(minutes=6))
    assert throttled.value.retry_at == start + timedelta(minutes=15)
    assert "thử lại sau" in throttled.value.message and "9 phút" in throttled.value.message
    assert await attempts(db, username="lan") == 5  # refused attempts are not counted

    account = await users.authenticate(db, "lan", PASSWORD, "10.9.9.9", now=start + timedelta(minutes=15, seconds=1))
    assert account.username == "lan"


async def test_success_clears_the_username_count(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    start = utcnow()
    for minute in range(4):
        with pytest.raises(LoginFailed):
            await users.authenticate(db, "lan", "sai-mat-khau-roi", IP, now=start + timedelta(minutes=minute))
    await users.authenticate(db, "lan", PASSWORD, IP, now=start + timedelta(minutes=4))
    with pytest.raises(LoginFailed) as failed:
        await users.authenticate(db, "lan", "sai-mat-khau-roi", IP, now=start + timedelta(minutes=5))
    assert not isinstance(failed.value, LoginThrottled)


async def test_twenty_failures_from_one_address_lock_it(db: Database) -> None:
    await users.add_user(db, "lan", PASSWORD, WARD_STAFF, [WARD_A])
    start = utcnow() - timedelta(minutes=10)
    async with db.session() as session, session.begin():  # a password-spraying run over many usernames
        session.add_all(LoginAttempt(username=f"user{n}", ip=IP, success=False,
                                     attempted_at=start + timedelta(seconds=n)) for n in range(20))
    with pytest.raises(LoginThrottled) as throttled:
        await users.authenticate(db, "lan", PASSWORD, IP)
    assert throttled.value.retry_at == start + timedelta(minutes=15)
    assert (await users.authenticate(db, "lan", PASSWORD, "198.51.100.1")).username == "lan"
    assert await users.locked_until(db, "lan", IP, now=start + timedelta(minutes=15, seconds=1)) is None


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

"""Staff accounts for tests: a ward officer per sample ward, a supervisor and an admin."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from bot.staff import passwords, users
from bot.staff.access import ADMIN, SUPERVISOR, WARD_STAFF, Staff
from bot.storage.db import Database

PASSWORD = "mat-khau-thu-nghiem-1"
WARD_A, WARD_B = "00226", "00229"  # Văn Miếu - Quốc Tử Giám, Kim Liên (tests/helpers/db.py)


def staff(role: str = WARD_STAFF, wards: tuple[str, ...] = (WARD_A,), username: str = "canbo") -> Staff:
    """A Staff value without a database (for access and workflow checks)."""
    return Staff(id=0, username=username, full_name=None, role=role, wards=frozenset(wards))


async def officer(db: Database, username: str, *wards: str) -> Staff:
    account = await users.add_user(db, username, PASSWORD, WARD_STAFF, wards or (WARD_A,),
                                   full_name=f"Cán bộ {username}")
    return account.staff


async def supervisor(db: Database, username: str = "giamsat") -> Staff:
    return (await users.add_user(db, username, PASSWORD, SUPERVISOR, full_name="Giám sát viên")).staff


async def admin(db: Database, username: str = "quantri") -> Staff:
    return (await users.add_user(db, username, PASSWORD, ADMIN, full_name="Quản trị viên")).staff


def use_cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests that log in many times: argon2 at its lowest cost (the real cost is tested
    in tests/staff)."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(passwords, "dummy_hash", lambda: passwords.hash_password("phananh-no-such-user"))

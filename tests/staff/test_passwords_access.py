"""Password hashing and the role rules (no database)."""
from __future__ import annotations

import pytest

from bot.staff import access, passwords
from bot.staff.errors import AccessDenied, AccountError
from tests.helpers.staff import WARD_A, WARD_B, staff


def test_hash_verify_and_rehash() -> None:
    hashed = passwords.hash_password("mot-mat-khau-dai")
    assert hashed.startswith("$argon2id$") and "mot-mat-khau-dai" not in hashed
    assert passwords.verify_password(hashed, "mot-mat-khau-dai")
    assert not passwords.verify_password(hashed, "mot-mat-khau-sai")
    assert not passwords.verify_password("not-a-hash", "mot-mat-khau-dai")
    assert not passwords.needs_rehash(hashed)
    weak = "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ"
    assert passwords.needs_rehash(weak)


def test_password_strength() -> None:
    with pytest.raises(AccountError, match="ít nhất 10 ký tự"):
        passwords.check_strength("ngan")
    passwords.check_strength("du-dai-roi-day")


def test_ward_staff_reads_and_acts_on_own_wards_only() -> None:
    officer = staff(wards=(WARD_A,))
    assert access.can_read(officer, WARD_A) and access.can_act(officer, WARD_A)
    assert not access.can_read(officer, WARD_B) and not access.can_act(officer, WARD_B)
    assert access.readable_wards(officer) == {WARD_A}
    with pytest.raises(AccessDenied, match="phường, xã khác"):
        access.require_read(officer, WARD_B)
    with pytest.raises(AccessDenied):
        access.require_overdue_overview(officer)


def test_supervisor_reads_everything_and_acts_on_nothing() -> None:
    watcher = staff(access.SUPERVISOR, wards=())
    assert access.readable_wards(watcher) is None
    assert access.can_read(watcher, WARD_B) and not access.can_act(watcher, WARD_B)
    with pytest.raises(AccessDenied, match="chỉ được xem"):
        access.require_act(watcher, WARD_A)
    access.require_overdue_overview(watcher)


def test_admin_does_everything() -> None:
    boss = staff(access.ADMIN, wards=())
    assert access.can_read(boss, WARD_B) and access.can_act(boss, WARD_B)
    access.require_act(boss, WARD_B)
    access.require_overdue_overview(boss)

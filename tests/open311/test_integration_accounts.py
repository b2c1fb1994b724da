"""Integration accounts: made with `python -m bot users`, no password, keys stored hashed, only
ever Open311 — never the console, never /api/staff."""
from __future__ import annotations

import hashlib
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.staff import access, users
from bot.staff.errors import AccountError, LoginFailed
from bot.storage.models import ApiToken, StaffUser
from tests.helpers.staff import staff
from tests.open311.conftest import ORGANISATION, Open311Site
from tests.helpers.cli import account, cli_database, run


def test_cli_makes_an_integration_account_and_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with cli_database(tmp_path, monkeypatch) as url:
        cli_makes_an_integration_account(url, monkeypatch, capsys)


def cli_makes_an_integration_account(cli_db: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(monkeypatch, capsys, "add", "--username", "hotline.1022", "--role", "integration",
                       "--full-name", "Tổng đài 1022")
    assert code == 0 and "integration" in out
    made = account(cli_db, "hotline.1022")
    assert made is not None and made.role == "integration" and made.wards == ()
    code, key, err = run(monkeypatch, capsys, "token", "hotline.1022", "--label", "tổng đài")
    assert code == 0 and key.strip().startswith("pat_") and "api_key" in err
    code, _, err = run(monkeypatch, capsys, "add", "--username", "cong.2", "--role", "integration", "--password-stdin",
                       stdin="mat-khau-rat-dai-1\n")
    assert code != 0 and "không có mật khẩu" in err
    code, _, err = run(monkeypatch, capsys, "add", "--username", "lan", "--role", "ward_staff", "--ward", "00226")
    assert code != 0 and "cần mật khẩu" in err
    code, _, err = run(monkeypatch, capsys, "reset", "hotline.1022", "--password-stdin", stdin="mat-khau-rat-dai-1\n")
    assert code != 0 and "không có mật khẩu" in err


async def test_no_console_for_an_integration_account(site: Open311Site) -> None:
    async with site.db.session() as session:
        user = (await session.execute(select(StaffUser).where(StaffUser.username == ORGANISATION))).scalar_one()
        stored = (await session.execute(select(ApiToken.token_hash).where(ApiToken.id == site.key_id))).scalar_one()
    assert user.role == access.INTEGRATION and user.password_hash == users.NO_PASSWORD
    assert stored == hashlib.sha256(site.key.encode()).hexdigest() and site.key not in stored  # hashed at rest
    for password in ("", users.NO_PASSWORD, "phananh-no-such-user"):
        with pytest.raises(LoginFailed):
            await users.authenticate(site.db, ORGANISATION, password, "127.0.0.1")
    with pytest.raises(AccountError):
        await users.reset_password(site.db, ORGANISATION, "mat-khau-rat-dai-1")
    async with aiohttp.ClientSession() as http:
        for path in ("/api/staff/reports", f"/api/staff/reports/{site.chat_report.code}"):
            async with http.get(f"{site.url}{path}", headers={"Authorization": f"Bearer {site.key}"}) as answer:
                assert answer.status == 403
                assert (await answer.json())["error"] == access.INTEGRATION_NOT_CONSOLE
    assert access.readable_wards(staff(access.INTEGRATION, ())) == frozenset()
    assert not access.can_read(staff(access.INTEGRATION, ()), site.chat_report.ward_code)

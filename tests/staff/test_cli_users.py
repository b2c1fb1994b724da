"""`python -m bot users …` against a migrated SQLite file."""
from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Iterator

import pytest

from bot.cli import main
from bot.config import reset_settings
from bot.staff import users
from bot.storage.db import Database
from tests.helpers.db import SAMPLE_WARDS, migrated_database, sqlite_file_url


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = sqlite_file_url(tmp_path)

    async def prepare() -> None:
        async with migrated_database(url):
            pass

    asyncio.run(prepare())
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    yield url
    reset_settings()


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exited:
        main(["users", *argv])
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def account(url: str, username: str) -> users.Account | None:
    async def load() -> users.Account | None:
        db = Database(url)
        try:
            return await users.get_account(db, username)
        finally:
            await db.dispose()
    return asyncio.run(load())


def test_users_commands(cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ward_a, ward_b = SAMPLE_WARDS[0].code, SAMPLE_WARDS[1].code
    code, out, _ = run(monkeypatch, capsys, "add", "--username", "lan", "--role", "ward_staff", "--ward", ward_a,
                       "--ward", ward_b, "--full-name", "Nguyễn Thị Lan", "--password-stdin",
                       stdin="mat-khau-rat-dai-1\n")
    assert code == 0 and "lan" in out
    assert account(cli_db, "lan").wards == (ward_a, ward_b)

    code, _, err = run(monkeypatch, capsys, "add", "--username", "hoa", "--role", "admin", "--password-stdin",
                       stdin="ngan\n")
    assert code == 1 and "ít nhất 10 ký tự" in err and account(cli_db, "hoa") is None

    code, out, _ = run(monkeypatch, capsys, "list")
    assert code == 0 and out.splitlines()[0].startswith("lan") and "Nguyễn Thị Lan" in out

    assert run(monkeypatch, capsys, "disable", "lan")[0] == 0 and not account(cli_db, "lan").active
    assert run(monkeypatch, capsys, "enable", "lan")[0] == 0 and account(cli_db, "lan").active

    stamp = account(cli_db, "lan").auth_stamp
    assert run(monkeypatch, capsys, "reset", "lan", "--password-stdin", stdin="mot-mat-khau-moi-2\n")[0] == 0
    assert account(cli_db, "lan").auth_stamp != stamp

    code, out, err = run(monkeypatch, capsys, "token", "lan", "--label", "một cửa")
    token = out.strip()
    assert code == 0 and token.startswith("pat_") and "shown only now" in err

    async def resolve() -> str | None:
        db = Database(cli_db)
        try:
            found = await users.resolve_token(db, token)
            return found.username if found else None
        finally:
            await db.dispose()
    assert asyncio.run(resolve()) == "lan"

    code, _, err = run(monkeypatch, capsys, "disable", "nobody")
    assert code == 1 and "Không có tài khoản" in err

"""`python -m bot users …` against a migrated SQLite file."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest

from bot.staff import users
from bot.storage.db import Database
from tests.helpers.cli import account, cli_database, run
from tests.helpers.db import SAMPLE_WARDS


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with cli_database(tmp_path, monkeypatch) as url:
        yield url


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

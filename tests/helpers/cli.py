"""`python -m bot users …` in tests: a migrated SQLite file named by DATABASE_URL, the command
run in-process with a given standard input, and an account read back."""
from __future__ import annotations

import asyncio
import io
import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from bot.cli import main
from bot.config import reset_settings
from bot.staff import users
from bot.storage.db import Database
from tests.helpers.db import copy_template, sqlite_file_url


@contextmanager
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = sqlite_file_url(tmp_path)
    copy_template(url)
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    try:
        yield url
    finally:
        reset_settings()


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    root, level = logging.getLogger(), logging.getLogger().level
    try:
        with pytest.raises(SystemExit) as exited:
            main(["users", *argv])
    finally:  # the command line sets the root logger's level (LOG_LEVEL): not for the next tests
        root.setLevel(level)
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

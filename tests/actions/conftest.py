"""Actions run against a real, throw-away SQLite database."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from actions import feedback, report_submit, status
from bot.storage.db import Database
from bot.storage.setup import prepare_database

ACTION_MODULES = (report_submit, status, feedback)  # the ones that open the database


@pytest.fixture
async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    await prepare_database(url)
    db = Database(url)
    for module in ACTION_MODULES:
        monkeypatch.setattr(module, "get_database", lambda: db)
    yield db
    await db.dispose()

"""Actions run against a real, throw-away SQLite database, installed as the action server would."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from actions import services
from bot.storage.db import Database
from bot.storage.setup import prepare_database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    await prepare_database(url)
    db = Database(url)
    services.install(services.ActionServices(db))
    yield db
    services.install(None)
    await db.dispose()

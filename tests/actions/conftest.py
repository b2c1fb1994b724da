"""Actions run against a real, throw-away SQLite database, installed as the action server would."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from actions import services
from bot.storage.db import Database
from tests.helpers.db import GAZETTEER, copy_template


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    copy_template(url, GAZETTEER)
    db = Database(url)
    services.install(services.ActionServices(db))
    yield db
    services.install(None)
    await db.dispose()

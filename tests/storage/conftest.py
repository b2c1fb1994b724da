"""Storage fixtures: every test using `db_url` or `db` runs on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest

from bot.storage.db import Database
from tests.helpers.db import (
    PG_SKIP_MESSAGE,
    migrated_database,
    pg_available,
    sqlite_file_url,
    throwaway_pg_database,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a temp SQLite file, or a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_file_url(tmp_path)
        return
    if not pg_available():
        pytest.skip(PG_SKIP_MESSAGE)
    with throwaway_pg_database() as url:
        yield url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated database with the sample wards."""
    async with migrated_database(db_url) as database:
        yield database

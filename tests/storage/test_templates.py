"""The migrated databases tests start from are copies of one made once per run
(tests/helpers/db.py): each copy is at the newest migration, holds its kind's wards and is a
database of its own."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from bot.gazetteer import get_gazetteer
from bot.storage.db import alembic_config, is_sqlite, sync_url
from bot.storage.wards import WardRow, get_ward, list_wards, seed_wards
from tests.helpers.db import (GAZETTEER, SAMPLE_WARDS, drop_pg_database, migrated_database, random_pg_url,
                              sqlite_file_url)
from tests.storage.test_db import _schema_diff


@pytest.fixture
def second_url(new_db_url: str, tmp_path: Path) -> Iterator[str]:
    """Another database not made yet, on the same backend as `new_db_url`."""
    if is_sqlite(new_db_url):
        yield sqlite_file_url(tmp_path, "second.db")
        return
    url = random_pg_url()
    try:
        yield url
    finally:
        drop_pg_database(url)


def _revision(url: str) -> str | None:
    engine = create_engine(sync_url(url), future=True)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


async def test_a_copy_is_at_the_newest_migration_with_the_sample_wards_and_its_own(
        new_db_url: str, second_url: str) -> None:
    async with migrated_database(new_db_url) as first:
        assert {w.code for w in await list_wards(first)} == {w.code for w in SAMPLE_WARDS}
        await seed_wards(first, [WardRow("00999", "Phường Thử Nghiệm", "Thử Nghiệm", "phuong")])
    assert _revision(new_db_url) == ScriptDirectory.from_config(alembic_config(new_db_url)).get_current_head()
    assert _schema_diff(new_db_url) == []
    async with migrated_database(second_url) as second:
        assert await get_ward(second, "00999") is None
        assert len(await list_wards(second)) == len(SAMPLE_WARDS)


async def test_a_gazetteer_copy_holds_every_ward(new_db_url: str) -> None:
    async with migrated_database(new_db_url, GAZETTEER) as db:
        assert len(await list_wards(db, active_only=False)) == len(get_gazetteer().wards)

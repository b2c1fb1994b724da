"""URLs, engine settings and migrations on both backends."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, create_engine, inspect, text

from bot.storage.db import Database, alembic_config, async_url, migrate, sync_url
from bot.storage.models import Base
from tests.helpers.db import sqlite_file_url

TABLES = {"wards", "reports", "status_history", "attachments"}


@pytest.mark.parametrize(
    ("url", "expected_async", "expected_sync"),
    [
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("postgresql://u:p%40ss@h:5432/d", "postgresql+asyncpg://u:p%40ss@h:5432/d",
         "postgresql+psycopg2://u:p%40ss@h:5432/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+asyncpg://u@h/d",
         "postgresql+psycopg2://u@h/d"),
        ("sqlite+aiosqlite:///rel.db", "sqlite+aiosqlite:///rel.db", "sqlite:///rel.db"),
    ],
)
def test_url_drivers(url: str, expected_async: str, expected_sync: str) -> None:
    assert async_url(url) == expected_async
    assert sync_url(url) == expected_sync


def test_unsupported_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        async_url("mysql://u@h/d")


def _schema_diff(url: str) -> list:
    engine = create_engine(sync_url(url), future=True)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url), future=True)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_creates_the_model_schema(db_url: str) -> None:
    migrate(db_url)
    assert TABLES <= _tables(db_url)
    assert _schema_diff(db_url) == []


def test_migration_names_constraints_like_the_models(db_url: str) -> None:
    # compare_metadata ignores CHECK constraints: check their names directly.
    migrate(db_url)
    engine = create_engine(sync_url(db_url), future=True)
    try:
        inspector = inspect(engine)
        checks = {c["name"] for t in ("wards", "reports") for c in inspector.get_check_constraints(t)}
    finally:
        engine.dispose()
    model_checks = {
        c.name for t in (Base.metadata.tables["wards"], Base.metadata.tables["reports"])
        for c in t.constraints if isinstance(c, CheckConstraint)
    }
    assert checks == model_checks == {"ck_wards_kind", "ck_reports_category", "ck_reports_priority", "ck_reports_satisfaction"}


def test_migrated_checks_list_the_categories_and_priorities_of_the_code(tmp_path: Path) -> None:
    # The models build these CHECKs from bot.statuses; a new category or priority needs a migration.
    url = sqlite_file_url(tmp_path)  # SQLite keeps the constraint's text as written
    migrate(url)
    engine = create_engine(sync_url(url), future=True)
    try:
        migrated = {c["name"]: c["sqltext"] for c in inspect(engine).get_check_constraints("reports")}
    finally:
        engine.dispose()
    assert migrated["ck_reports_category"] == "category IN ('sidewalk', 'construction')"
    for column in ("category", "priority"):
        model = next(c for c in Base.metadata.tables["reports"].constraints if c.name == f"ck_reports_{column}")
        assert migrated[model.name] == str(model.sqltext)


def test_migration_downgrades_and_upgrades_again(db_url: str) -> None:
    migrate(db_url)
    command.downgrade(alembic_config(db_url), "base")
    assert not TABLES & _tables(db_url)
    migrate(db_url)
    assert TABLES <= _tables(db_url)


def test_migrate_creates_the_sqlite_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'deeper' / 'app.db'}"
    migrate(url)
    assert (tmp_path / "nested" / "deeper" / "app.db").exists()


async def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    database = Database(url)
    try:
        async with database.session() as session:
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() > 0
    finally:
        await database.dispose()

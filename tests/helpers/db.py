"""Database helpers for tests: throw-away PostgreSQL databases and migrated Databases.

PostgreSQL is reached at PHANANH_TEST_PG_URL (default
postgresql://postgres@127.0.0.1:5432/postgres, trust auth) with psycopg2.
"""
from __future__ import annotations

import os
import secrets
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import AsyncIterator, Iterator

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import make_url

from bot.storage.db import Database, migrate
from bot.storage.wards import WardRow, seed_wards

PG_ADMIN_URL = os.environ.get(
    "PHANANH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_SKIP_MESSAGE = f"PostgreSQL not reachable at {PG_ADMIN_URL}: PostgreSQL tests SKIPPED"

# A few real wards (GSO codes), enough for storage tests.
SAMPLE_WARDS: tuple[WardRow, ...] = (
    WardRow("00226", "Phường Văn Miếu - Quốc Tử Giám", "Văn Miếu - Quốc Tử Giám", "phuong",
            21.0277, 105.8355),
    WardRow("00229", "Phường Kim Liên", "Kim Liên", "phuong", 21.0063, 105.8376),
    WardRow("00256", "Phường Hai Bà Trưng", "Hai Bà Trưng", "phuong", 21.0118, 105.8496),
    WardRow("00292", "Phường Bạch Mai", "Bạch Mai", "phuong", 20.9985, 105.8505),
)


def _admin_connection() -> "psycopg2.extensions.connection":
    connection = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    connection.autocommit = True
    return connection


def pg_available() -> bool:
    try:
        _admin_connection().close()
    except psycopg2.OperationalError:
        return False
    return True


def create_pg_database(prefix: str = "phananh_test") -> str:
    """Create an empty database with a random name; returns its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a database made by `create_pg_database`, closing its leftover connections."""
    name = make_url(url).database
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()", (name,),
            )
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    finally:
        connection.close()


@contextmanager
def throwaway_pg_database(prefix: str = "phananh_test") -> Iterator[str]:
    url = create_pg_database(prefix)
    try:
        yield url
    finally:
        drop_pg_database(url)


def sqlite_file_url(folder: Path, name: str = "phananh.db") -> str:
    return f"sqlite:///{folder / name}"


@asynccontextmanager
async def migrated_database(url: str, *, seed: bool = True) -> AsyncIterator[Database]:
    """Migrate `url` to head, open it (seeded with SAMPLE_WARDS) and dispose after use."""
    migrate(url)
    database = Database(url)
    try:
        if seed:
            await seed_wards(database, SAMPLE_WARDS)
        yield database
    finally:
        await database.dispose()

"""Database helpers for tests: throw-away PostgreSQL databases and migrated Databases.

Migrating takes about half a second on SQLite and more on PostgreSQL, and hundreds of tests
need a migrated database: each kind of migrated database (TEMPLATES) is made once per test run,
the first time a test asks for it, and every test gets a copy of it — a file copy on SQLite,
`CREATE DATABASE … TEMPLATE` on PostgreSQL. `drop_templates` removes them at the end of the
run. Tests of the migrations themselves migrate an empty database for real.

PostgreSQL is reached at PHANANH_TEST_PG_URL (default
postgresql://postgres@127.0.0.1:5432/postgres, trust auth) with psycopg2.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable, Iterator

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import make_url

from bot.storage.db import Database, is_sqlite, migrate
from bot.storage.setup import prepare_database
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

# The kinds of migrated database tests start from.
SAMPLE = "sample"  # migrated, holding SAMPLE_WARDS: storage, staff and web tests
GAZETTEER = "gazetteer"  # as `bot db` prepares it (bot.storage.setup): every ward of the gazetteer


async def _seed_sample_wards(url: str) -> None:
    migrate(url)
    database = Database(url)
    try:
        await seed_wards(database, SAMPLE_WARDS)
    finally:
        await database.dispose()


TEMPLATES: dict[str, Callable[[str], Awaitable[object]]] = {SAMPLE: _seed_sample_wards, GAZETTEER: prepare_database}


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


def pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def random_pg_url(prefix: str = "phananh_test") -> str:
    """The URL of a database with a random name, not created yet."""
    return pg_url(f"{prefix}_{secrets.token_hex(4)}")


def _create(name: str, template: str | None = None) -> None:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_pg_database(prefix: str = "phananh_test") -> str:
    """Create an empty database with a random name; returns its URL."""
    url = random_pg_url(prefix)
    create_empty_database(url)
    return url


def create_empty_database(url: str) -> None:
    """Make the empty database `url` names: nothing to do for SQLite, which makes its file
    when it first connects."""
    if not is_sqlite(url):
        _create(str(make_url(url).database))


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
def throwaway_pg_database(prefix: str = "phananh_test", template: str | None = None) -> Iterator[str]:
    """A database with a random name, empty or (`template`: SAMPLE, GAZETTEER) migrated; dropped after use."""
    url = random_pg_url(prefix)
    try:
        if template is None:
            create_empty_database(url)
        else:
            copy_template(url, template)
        yield url
    finally:
        drop_pg_database(url)


def sqlite_file_url(folder: Path, name: str = "phananh.db") -> str:
    return f"sqlite:///{folder / name}"


def _sqlite_path(url: str) -> Path:
    return Path(str(make_url(url).database))


class _Templates:
    """The migrated databases of this test run, made on first use: SQLite files in a folder of
    their own, PostgreSQL databases with random names."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.files: dict[str, Path] = {}
        self.databases: dict[str, str] = {}  # kind → database name

    def file(self, kind: str) -> Path:
        if kind not in self.files:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="phananh-templates-"))
            path = self.folder / f"{kind}.db"
            _fill(f"sqlite:///{path}", kind)
            _checkpoint(path)
            self.files[kind] = path
        return self.files[kind]

    def database(self, kind: str) -> str:
        if kind not in self.databases:
            url = create_pg_database(f"phananh_template_{kind}")
            try:
                _fill(url, kind)
            except BaseException:  # never a half-filled template for the next test: gone, and raised
                drop_pg_database(url)
                raise
            self.databases[kind] = str(make_url(url).database)
        return self.databases[kind]

    def drop(self) -> None:
        for name in self.databases.values():
            drop_pg_database(pg_url(name))
        self.databases.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
        self.files.clear()


_templates = _Templates()


def _fill(url: str, kind: str) -> None:
    """Migrate and seed `url` as `kind` asks, in a thread of its own: callers may be running
    an event loop (async fixtures) or not."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, TEMPLATES[kind](url)).result()


def _checkpoint(path: Path) -> None:
    """Write SQLite's WAL back into the file, so that copying the file copies everything."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    assert not Path(f"{path}-wal").exists(), f"{path}: its WAL is still there"


def copy_template(url: str, kind: str = SAMPLE) -> None:
    """Make `url` — a SQLite file or a PostgreSQL database, neither there yet — a copy of the
    run's migrated database of `kind` (SAMPLE, GAZETTEER)."""
    if is_sqlite(url):
        path = _sqlite_path(url)
        assert not path.exists(), f"{path} exists: a template is copied into a new file only"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_templates.file(kind), path)
    else:
        _create(str(make_url(url).database), template=_templates.database(kind))


def drop_templates() -> None:
    """Remove the run's templates (tests/conftest.py, at the end of the session)."""
    _templates.drop()


@asynccontextmanager
async def migrated_database(url: str, kind: str = SAMPLE) -> AsyncIterator[Database]:
    """`url` (a SQLite file or a PostgreSQL database, not there yet) migrated and seeded with
    SAMPLE_WARDS (or as `kind` says), open, and disposed of after use."""
    copy_template(url, kind)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()

"""Engine, sessions and migrations.

The app talks to the database asynchronously (aiosqlite / asyncpg); alembic migrations
run synchronously (sqlite3 / psycopg2). Callers give one plain URL (`sqlite:///...`,
`postgresql://...`) and the driver is picked here.
"""
from __future__ import annotations

import asyncio
import random
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool


T = TypeVar("T")
ALEMBIC_INI = Path(__file__).parent / "alembic.ini"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 5
SQLITE_POOL_OVERFLOW = 10

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg2"}


def _backend(url: URL) -> str:
    backend = url.get_backend_name()
    backend = "postgresql" if backend == "postgres" else backend
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"Unsupported database backend {backend!r}")
    return backend


def _parse(url: str | URL) -> URL:
    text = str(url) if isinstance(url, URL) else url
    if text.startswith("postgres://"):  # Heroku-style alias SQLAlchemy does not know
        text = "postgresql://" + text[len("postgres://"):]
    return make_url(text)


def _with_driver(url: str | URL, drivers: dict[str, str]) -> str:
    parsed = _parse(url)
    return parsed.set(drivername=drivers[_backend(parsed)]).render_as_string(hide_password=False)


def async_url(url: str | URL) -> str:
    """The URL with the async driver: sqlite+aiosqlite or postgresql+asyncpg."""
    return _with_driver(url, _ASYNC_DRIVERS)


def sync_url(url: str | URL) -> str:
    """The URL with the sync driver used by migrations: sqlite or postgresql+psycopg2."""
    return _with_driver(url, _SYNC_DRIVERS)


def is_sqlite(url: str | URL) -> bool:
    return _backend(_parse(url)) == "sqlite"


def ensure_sqlite_folder(url: str | URL) -> None:
    """Create the folder of a file-based SQLite database if it is missing."""
    parsed = _parse(url)
    if _backend(parsed) == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds ASCII only; case-insensitive search (ILIKE) needs
    # "Đ"/"đ", "Ô"/"ô"… to match as on PostgreSQL.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")  # first: the next pragmas may wait too
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs at checkpoints, not at every commit: a crash of the process loses
    # nothing, a power cut may lose the last commits but never corrupts the file. Production
    # runs on PostgreSQL; this keeps development SQLite usable under webhook bursts.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _pool_options(dialect: str) -> dict[str, Any]:
    """SQLAlchemy gives aiosqlite no pool: every session would start a thread, open the file
    and run the pragmas again (tens of milliseconds under load). A small pool reuses them."""
    if dialect != "sqlite":
        return {}
    return {"poolclass": AsyncAdaptedQueuePool, "pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}


def is_sqlite_lock_error(error: BaseException) -> bool:
    """SQLite's "database is locked": another process held the write lock past the busy timeout."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


async def retry_when_locked(write: Callable[[], Awaitable[T]], attempts: int = 5, first_delay: float = 0.05) -> T:
    """Run a write again when SQLite reports its file locked (several processes write to the
    development database); any other error, or the last attempt's, propagates."""
    for attempt in range(attempts):
        try:
            return await write()
        except OperationalError as error:
            if attempt == attempts - 1 or not is_sqlite_lock_error(error):
                raise
            await asyncio.sleep(first_delay * 2 ** attempt * (1 + random.random()))
    raise AssertionError("unreachable")


class Database:
    """An async engine plus a session factory for one database URL."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.dialect = _backend(_parse(url))
        ensure_sqlite_folder(url)
        self.engine: AsyncEngine = create_async_engine(async_url(url), echo=echo, future=True, **_pool_options(self.dialect))
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, future=True
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits (e.g. `async with session.begin():`).

        Anything not committed is rolled back when the block exits.
        """
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def refresh_statistics(self) -> None:
        """Let the query planner know the tables' shapes (which index narrows a queue best).
        PostgreSQL's autovacuum does this by itself; SQLite only when asked."""
        async with self.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")


def alembic_config(url: str) -> Config:
    """Alembic configuration for `url`, independent of the working directory."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not a main option: URLs may contain '%' (ConfigParser).
    config.attributes["database_url"] = sync_url(url)
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (synchronous)."""
    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)

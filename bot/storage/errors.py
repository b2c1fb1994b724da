"""Exceptions raised by the storage layer."""
from __future__ import annotations


class StorageError(Exception):
    """Base class for storage errors."""


class ReportNotFound(StorageError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"No report with code {code!r}")
        self.code = code


class UnknownWard(StorageError, LookupError):
    def __init__(self, ward_code: str) -> None:
        super().__init__(f"No ward with code {ward_code!r}")
        self.ward_code = ward_code


class InvalidTransition(StorageError, ValueError):
    def __init__(self, code: str, from_status: str, to_status: str) -> None:
        super().__init__(f"Report {code}: cannot go from {from_status!r} to {to_status!r}")
        self.code = code
        self.from_status = from_status
        self.to_status = to_status


class InvalidReport(StorageError, ValueError):
    """A draft that cannot be stored as it is (unknown category, priority...)."""


class ConcurrentUpdate(StorageError):
    """The report changed while we were changing it; reload and try again."""


def _database_errors() -> tuple[type[BaseException], ...]:
    """Every error a database call may raise past SQLAlchemy: its own, the drivers' (asyncpg's
    InternalClientError and InterfaceError are not SQLAlchemy errors), and the network's."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    errors: list[type[BaseException]] = [SQLAlchemyError, sqlite3.Error, OSError, ConnectionError, TimeoutError]
    try:
        import asyncpg.exceptions

        errors += [asyncpg.exceptions.PostgresError, asyncpg.exceptions.InterfaceError,
                   asyncpg.exceptions.InternalClientError]
    except ImportError:  # SQLite-only installs
        pass
    return tuple(errors)


DATABASE_ERRORS = _database_errors()

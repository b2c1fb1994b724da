"""Alembic environment: synchronous migrations on SQLite (batch mode) or PostgreSQL."""
from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from bot.config import get_settings
from bot.storage.db import ensure_sqlite_folder, is_sqlite, sync_url
from bot.storage.models import Base

config = context.config

# bot.storage.db.migrate() passes the URL as an attribute and keeps the app's logging;
# the alembic command line configures logging from alembic.ini and reads DATABASE_URL.
url = config.attributes.get("database_url")
if url is None:
    url = sync_url(get_settings().database_url)
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(url),
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    ensure_sqlite_folder(url)
    engine = create_engine(url, poolclass=pool.NullPool, future=True)
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

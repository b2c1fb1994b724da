"""Bring a database to the current schema and fill the ward table from the gazetteer."""
from __future__ import annotations

from typing import Iterator

from bot.gazetteer import get_gazetteer
from bot.storage.db import Database, migrate
from bot.storage.wards import WardRow, seed_wards


def gazetteer_wards() -> Iterator[WardRow]:
    for w in get_gazetteer().wards.values():
        yield WardRow(code=w.code, name=w.name, short_name=w.short_name, kind=w.kind, latitude=w.lat, longitude=w.lon)


async def prepare_database(url: str) -> int:
    """Migrate (synchronously, alembic) and seed the wards; returns the number of wards."""
    migrate(url)
    db = Database(url)
    try:
        return await seed_wards(db, gazetteer_wards())
    finally:
        await db.dispose()

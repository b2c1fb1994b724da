"""Wards (phường/xã): seeding and lookup."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.collation import sort_key
from bot.storage.db import Database
from bot.storage.models import Ward

# Rows per INSERT: keeps SQLite under its bound-parameter limit.
_BATCH = 100
_UPSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql_insert,
    "sqlite": sqlite_insert,
}


@dataclass(frozen=True)
class WardRow:
    code: str
    name: str
    short_name: str
    kind: str  # "phuong" or "xa"
    latitude: float | None = None
    longitude: float | None = None
    active: bool = True


def _batches(rows: Iterable[WardRow]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(asdict(row))
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _upsert(dialect: str, batch: list[dict[str, Any]]) -> Any:
    statement = _UPSERTS[dialect](Ward.__table__).values(batch)
    updates = {key: statement.excluded[key] for key in batch[0] if key != "code"}
    return statement.on_conflict_do_update(index_elements=["code"], set_=updates)


async def seed_wards(db: Database, wards: Iterable[WardRow]) -> int:
    """Insert or update wards by code; returns how many rows were written."""
    count = 0
    async with db.session() as session, session.begin():
        for batch in _batches(wards):
            await session.execute(_upsert(db.dialect, batch))
            count += len(batch)
    return count


def _row(ward: Ward) -> WardRow:
    return WardRow(
        code=ward.code, name=ward.name, short_name=ward.short_name, kind=ward.kind,
        latitude=ward.latitude, longitude=ward.longitude, active=ward.active,
    )


async def get_ward(db: Database, code: str) -> WardRow | None:
    async with db.session() as session:
        ward = await session.get(Ward, code)
        return _row(ward) if ward else None


async def list_wards(db: Database, *, active_only: bool = True) -> list[WardRow]:
    """Wards in Vietnamese alphabetical order of their names (`bot.collation`: the database's
    own collation would put "Đống Đa" after "Yên Hòa"), e.g. the targets of a transfer."""
    statement = select(Ward)
    if active_only:
        statement = statement.where(Ward.active.is_(True))
    async with db.session() as session:
        rows = [_row(ward) for ward in (await session.execute(statement)).scalars()]
    return sorted(rows, key=lambda ward: sort_key(ward.name))

"""Rate limits that hold under concurrency, on SQLite and PostgreSQL, across processes.

An attempt *reserves* a place under a key before doing its work (checking a password,
storing an upload) with a single conditional UPDATE: the count grows only while it is below
the limit, or starts again when the window is over. Thirty parallel attempts against a limit
of five get five places, whatever the interleaving: PostgreSQL re-checks the WHERE clause of
a row another transaction just updated, and SQLite has one writer at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database, retry_when_locked
from bot.storage.models import RateCounter, utcnow


@dataclass(frozen=True)
class Limit:
    key: str
    count: int
    window: timedelta


class LimitReached(Exception):
    def __init__(self, key: str, retry_at: datetime) -> None:
        super().__init__(f"{key}: limit reached until {retry_at.isoformat()}")
        self.key = key
        self.retry_at = retry_at


async def _try_reserve(db: Database, limit: Limit, now: datetime) -> bool:
    since = now - limit.window
    fresh = RateCounter.window_start < since
    take = (update(RateCounter)
            .where(RateCounter.key == limit.key, fresh | (RateCounter.count < limit.count))
            .values(count=case((fresh, 1), else_=RateCounter.count + 1),
                    window_start=case((fresh, now), else_=RateCounter.window_start))
            .execution_options(synchronize_session=False))
    async with db.session() as session, session.begin():
        if (await session.execute(take)).rowcount == 1:
            return True
        exists = (await session.execute(select(RateCounter.key).where(RateCounter.key == limit.key))).first()
        if exists:
            # The row may have been inserted and committed by a concurrent first attempt after our
            # UPDATE looked (PostgreSQL, READ COMMITTED): only a second UPDATE that sees it and
            # still finds no place means the limit is reached.
            return (await session.execute(take)).rowcount == 1
        session.add(RateCounter(key=limit.key, count=1, window_start=now))
    return True


async def _retry_at(db: Database, limit: Limit) -> datetime:
    async with db.session() as session:
        start = (await session.execute(select(RateCounter.window_start).where(RateCounter.key == limit.key))).scalar()
    return (start or utcnow()) + limit.window


async def reserve(db: Database, limit: Limit, now: datetime | None = None) -> None:
    """Take a place under `limit`, or raise LimitReached with when to try again."""
    now = now or utcnow()
    for _ in range(3):  # a concurrent first insert of the same key: go round again
        try:
            if await retry_when_locked(lambda: _try_reserve(db, limit, now)):
                return
            raise LimitReached(limit.key, await _retry_at(db, limit))
        except IntegrityError:
            continue
    raise LimitReached(limit.key, now + limit.window)


async def reserve_all(db: Database, limits: Sequence[Limit], now: datetime | None = None) -> None:
    """Take a place under every limit, or none: places taken before a refusal are given back."""
    taken: list[Limit] = []
    try:
        for limit in limits:
            await reserve(db, limit, now)
            taken.append(limit)
    except LimitReached:
        await give_back(db, taken)
        raise


async def give_back(db: Database, limits: Sequence[Limit]) -> None:
    """Return one place under each limit (the attempt turned out not to count)."""
    if not limits:
        return
    async with db.session() as session, session.begin():
        await session.execute(
            update(RateCounter).where(RateCounter.key.in_([lim.key for lim in limits]), RateCounter.count > 0)
            .values(count=RateCounter.count - 1).execution_options(synchronize_session=False))


async def clear(db: Database, keys: Sequence[str]) -> None:
    async with db.session() as session, session.begin():
        await session.execute(delete(RateCounter).where(RateCounter.key.in_(list(keys)))
                              .execution_options(synchronize_session=False))

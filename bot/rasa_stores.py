"""Rasa's conversation and lock stores in production, configured from our own variables.

`endpoints.production.yml` names these classes, so production needs no second copy of the
database or Redis settings: conversations go to the PostgreSQL of DATABASE_URL (or
TRACKER_DATABASE_URL), locks to the Redis of REDIS_URL (`rediss://` for TLS, password and
database number in the URL). SQL_POOL_SIZE / SQL_MAX_OVERFLOW size the tracker's pool (Rasa's
own variables).

`RetryingTrackerStore` replaces Rasa's `FailSafeTrackerStore`, which falls back to an
in-memory store when the database fails: the conversation then silently starts over, and its
turns are never saved. Ours retries for a few seconds, then raises, so the channel answers
that the service is unavailable (`bot.channels.inbound.pass_on`) and nothing is lost.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Iterable, Text

from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from sqlalchemy.engine import make_url

from bot.config import tracker_database_url

logger = logging.getLogger(__name__)
RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0)  # seconds between attempts: about 4 s in all
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"


class TrackerStoreUnavailable(RuntimeError):
    """The conversation store failed after every retry."""


class PostgresTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the PostgreSQL server of TRACKER_DATABASE_URL / DATABASE_URL."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **_: Any) -> None:
        url = make_url(tracker_database_url())
        if not url.drivername.startswith("postgresql"):
            raise ValueError("the production tracker store needs a PostgreSQL DATABASE_URL")
        super().__init__(domain, dialect="postgresql", host=url.host or "127.0.0.1", port=url.port or 5432,
                         db=url.database, username=url.username, password=url.password, event_broker=event_broker)


def redis_settings(url_text: str) -> dict:
    """RedisLockStore's arguments from a redis:// or rediss:// URL."""
    url = make_url(url_text.replace("rediss://", "redis+tls://", 1) if url_text.startswith("rediss://") else url_text)
    if url.drivername not in ("redis", "redis+tls"):
        raise ValueError(f"REDIS_URL must be redis:// or rediss://, got {url.drivername}://")
    return {"host": url.host or "127.0.0.1", "port": url.port or 6379, "db": int(url.database or 0),
            "username": url.username, "password": url.password, "use_ssl": url.drivername == "redis+tls",
            "key_prefix": os.environ.get("REDIS_KEY_PREFIX") or None}


class UrlRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store on REDIS_URL."""

    def __init__(self, endpoint_config: Any = None) -> None:
        super().__init__(**redis_settings(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL))


class RetryingTrackerStore(TrackerStore):
    """A tracker store that retries its store briefly and then raises (never forgets)."""

    def __init__(self, tracker_store: TrackerStore, delays: Iterable[float] = RETRY_DELAYS) -> None:
        self._store = tracker_store
        self._delays = tuple(delays)
        super().__init__(tracker_store.domain, tracker_store.event_broker)

    @property
    def domain(self) -> Any:
        return self._store.domain

    @domain.setter
    def domain(self, domain: Any) -> None:
        self._store.domain = domain

    async def _retried(self, what: str, call: Any) -> Any:
        for attempt, delay in enumerate((*self._delays, None)):
            try:
                return await call()
            except Exception as error:  # any driver's error: asyncpg, psycopg2, sqlite3, OSError
                if delay is None:
                    logger.error("Tracker store %s failed %d times; giving up: %s", what, attempt + 1, error)
                    raise TrackerStoreUnavailable(f"tracker store {what} failed: {error}") from error
                logger.warning("Tracker store %s failed (attempt %d), retrying in %.2f s: %s",
                               what, attempt + 1, delay, error)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def retrieve(self, sender_id: Text) -> Any:
        return await self._retried("retrieve", lambda: self._store.retrieve(sender_id))

    async def retrieve_full_tracker(self, sender_id: Text) -> Any:
        return await self._retried("retrieve", lambda: self._store.retrieve_full_tracker(sender_id))

    async def save(self, tracker: Any) -> None:
        await self._retried("save", lambda: self._store.save(tracker))

    async def keys(self) -> Iterable[Text]:
        return await self._retried("keys", lambda: self._store.keys())

    async def delete(self, sender_id: Text) -> None:
        await self._retried("delete", lambda: self._store.delete(sender_id))

"""Production stores for Rasa: Redis from one URL, a conversation store that retries and never forgets."""
from __future__ import annotations

import asyncio

import pytest

from bot.rasa_stores import RetryingTrackerStore, TrackerStoreUnavailable, redis_settings


def test_redis_urls_carry_database_password_and_tls() -> None:
    plain = redis_settings("redis://:s3cret@cache.internal:6380/3")
    assert (plain["host"], plain["port"], plain["db"], plain["password"], plain["use_ssl"]) == (
        "cache.internal", 6380, 3, "s3cret", False)
    assert redis_settings("rediss://cache.internal/2")["use_ssl"] is True
    with pytest.raises(ValueError):
        redis_settings("http://cache.internal")


class FlakyStore:
    """A conversation store that fails `failures` times, then works."""

    def __init__(self, failures: int) -> None:
        self.failures, self.saved, self.domain, self.event_broker = failures, [], None, None

    async def save(self, tracker: object) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("connection refused")
        self.saved.append(tracker)


def test_the_conversation_store_is_retried_then_fails_loudly_never_forgets() -> None:
    store = FlakyStore(failures=2)
    asyncio.run(RetryingTrackerStore(store, delays=(0.01, 0.01, 0.01)).save("tracker"))  # type: ignore[arg-type]
    assert store.saved == ["tracker"]
    down = FlakyStore(failures=10)
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(RetryingTrackerStore(down, delays=(0.01,)).save("tracker"))  # type: ignore[arg-type]
    assert down.saved == []

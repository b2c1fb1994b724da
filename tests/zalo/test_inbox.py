"""Events arriving together are stored in one transaction, each answered once stored."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.storage.db import Database
from bot.storage.models import ZaloInbound
from bot.zalo.events import parse_event
from bot.zalo.inbox import InboundBatcher
from tests.helpers import zalo_webhook


async def test_a_burst_is_stored_once_each_and_redeliveries_are_recognised(db: Database) -> None:
    batcher = InboundBatcher(db)
    events = [parse_event(zalo_webhook.text_event(f"user-{i % 5}", "xin chào")) for i in range(30)]
    fresh = await asyncio.gather(*(batcher.remember(e) for e in events + events[:3]))
    assert fresh[:30] == [True] * 30 and fresh[30:] == [False] * 3
    assert await asyncio.gather(*(batcher.remember(e) for e in events[:5])) == [False] * 5
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ZaloInbound)) == 30

"""Storing webhook events before answering Zalo, many per transaction (group commit).

Fifty events arriving together would otherwise make fifty commits in a row, and the last
answer would wait for all of them. Requests that arrive while a commit runs share the next
one; each request still gets its answer only once its event is durably stored.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import List, Tuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database, retry_when_locked
from bot.storage.models import ZaloInbound, utcnow
from bot.zalo.events import ZaloEvent
from bot.zalo.inbound import event_key, remember

logger = logging.getLogger(__name__)


class InboundBatcher:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: List[Tuple[ZaloEvent, "asyncio.Future[bool]"]] = []
        self._flushing = False
        self._flush_task: "asyncio.Task[None] | None" = None  # kept: the loop holds tasks only weakly

    async def remember(self, event: ZaloEvent) -> bool:
        """True when the event is new and now stored; False for a redelivery."""
        future: "asyncio.Future[bool]" = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if not self._flushing:
            self._flushing = True
            self._flush_task = asyncio.ensure_future(self._flush_all())
        return await future

    async def _flush_all(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                await self._flush(batch)
        finally:
            self._flushing = False

    async def _flush(self, batch: List[Tuple[ZaloEvent, "asyncio.Future[bool]"]]) -> None:
        try:
            fresh = await retry_when_locked(lambda: self._insert_new([e for e, _ in batch]))
        except IntegrityError:  # another process stored one of them meanwhile: go one by one
            for event, future in batch:
                await self._settle_alone(event, future)
            return
        except Exception as error:  # noqa: BLE001 — every waiting request must hear of it
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for event, future in batch:
            if not future.done():
                future.set_result(fresh.pop(event_key(event), None) is event)

    async def _insert_new(self, events: List[ZaloEvent]) -> dict:
        """Insert the events not stored yet; returns key → the event that was stored for it."""
        firsts: dict = {}
        for event in events:
            firsts.setdefault(event_key(event), event)  # a key twice in one batch: the first wins
        async with self._db.session() as session, session.begin():
            known = set(await session.scalars(select(ZaloInbound.event_key).where(ZaloInbound.event_key.in_(list(firsts)))))
            now = utcnow()
            for key, event in firsts.items():
                if key not in known:
                    session.add(ZaloInbound(event_key=key, user_id=event.user_id, event_name=event.name,
                                            payload=json.dumps(dict(event.raw), ensure_ascii=False), received_at=now))
        return {key: event for key, event in firsts.items() if key not in known}

    async def _settle_alone(self, event: ZaloEvent, future: "asyncio.Future[bool]") -> None:
        try:
            future.set_result(await remember(self._db, event))
        except Exception as error:  # noqa: BLE001
            future.set_exception(error)

"""The OA's tokens, kept in the database and refreshed by one process at a time.

Zalo's refresh tokens are single-use: two replicas refreshing at once would leave one of
them with a dead token. A lease on the token row (`lock_owner`, `lock_until`) makes one
process the refresher; the others wait for it and read what it saved. The new pair is
written in one statement as soon as Zalo returns it, so the old refresh token is dropped
only once its successor is stored.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from bot.storage.models import ZaloToken, utcnow
from bot.zalo.api import TokenPair, ZaloOAuth, mask

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(hours=1)  # refresh this long before the access token expires
LEASE = timedelta(seconds=30)
WAIT_STEP_SECONDS = 0.2
INITIAL_LIFETIME = timedelta(hours=1)  # tokens from the environment: refresh them soon


class NoTokens(RuntimeError):
    """No tokens in the database: set them with `python -m bot zalo set-tokens`."""


class DatabaseTokens:
    """A `bot.zalo.api.TokenProvider` backed by the `zalo_tokens` table."""

    def __init__(self, db: Database, app_id: str, oauth: ZaloOAuth) -> None:
        self._db = db
        self._app_id = app_id
        self._oauth = oauth
        self._owner = uuid.uuid4().hex

    async def access_token(self) -> str:
        row = await self._row()
        if row.expires_at - utcnow() <= REFRESH_MARGIN:
            return await self._refresh(row.access_token)
        return row.access_token

    async def refresh_after_rejection(self, rejected_token: str) -> str:
        return await self._refresh(rejected_token)

    async def refresh_if_due(self) -> bool:
        """For a periodic task: refresh ahead of expiry. True when a refresh happened here."""
        row = await self._row()
        if row.expires_at - utcnow() > REFRESH_MARGIN:
            return False
        return await self._refresh(row.access_token) != row.access_token

    async def _row(self) -> ZaloToken:
        async with self._db.session() as session:
            row = await session.get(ZaloToken, self._app_id)
        if row is None:
            raise NoTokens(f"No Zalo tokens stored for app {self._app_id}")
        return row

    async def _refresh(self, stale_token: str) -> str:
        """Refresh unless another process already replaced `stale_token`; return the current one."""
        deadline = utcnow() + LEASE * 2
        while True:
            row = await self._row()
            if row.access_token != stale_token:
                return row.access_token  # someone refreshed meanwhile
            if await self._take_lease():
                break
            if utcnow() > deadline:
                raise TimeoutError("Another process holds the Zalo token refresh lease for too long")
            await asyncio.sleep(WAIT_STEP_SECONDS)
        try:
            row = await self._row()
            if row.access_token != stale_token:
                return row.access_token
            pair = await self._oauth.refresh(row.refresh_token)
            await self._save(pair)
            logger.info("Zalo access token refreshed (%s → %s)", mask(stale_token), mask(pair.access_token))
            return pair.access_token
        finally:
            await self._release_lease()

    async def _take_lease(self) -> bool:
        now = utcnow()
        async with self._db.session() as session, session.begin():
            result = await session.execute(
                update(ZaloToken)
                .where(ZaloToken.app_id == self._app_id,
                       or_(ZaloToken.lock_until.is_(None), ZaloToken.lock_until < now))
                .values(lock_owner=self._owner, lock_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
        return result.rowcount == 1

    async def _release_lease(self) -> None:
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(ZaloToken)
                .where(ZaloToken.app_id == self._app_id, ZaloToken.lock_owner == self._owner)
                .values(lock_owner=None, lock_until=None)
                .execution_options(synchronize_session=False)
            )

    async def _save(self, pair: TokenPair) -> None:
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(ZaloToken)
                .where(ZaloToken.app_id == self._app_id)
                .values(access_token=pair.access_token, refresh_token=pair.refresh_token,
                        expires_at=pair.expires_at, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )


async def store_tokens(db: Database, app_id: str, access_token: str, refresh_token: str,
                       expires_at: datetime | None = None, *, replace: bool = True) -> bool:
    """Store a token pair. With replace=False, only when none is stored yet (first start).
    Returns True when the pair was written."""
    expires_at = expires_at or utcnow() + INITIAL_LIFETIME
    values = dict(access_token=access_token, refresh_token=refresh_token, expires_at=expires_at, updated_at=utcnow())
    async with db.session() as session:
        exists = await session.scalar(select(ZaloToken.app_id).where(ZaloToken.app_id == app_id))
    if exists and not replace:
        return False
    try:
        async with db.session() as session, session.begin():
            if exists:
                await session.execute(update(ZaloToken).where(ZaloToken.app_id == app_id).values(**values))
            else:
                session.add(ZaloToken(app_id=app_id, **values))
    except IntegrityError:
        return False  # another process stored the first pair at the same time
    return True

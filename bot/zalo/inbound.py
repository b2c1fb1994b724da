"""What a Zalo webhook event means for us: de-duplication, the user's state, the bot's input."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database, retry_when_locked
from bot.storage.models import ZaloInbound, ZaloUser, utcnow
from bot.zalo.events import USER_SEND_IMAGE, USER_SEND_LOCATION, USER_SEND_TEXT, ZaloEvent

REPLY_WINDOW = timedelta(hours=48)  # free customer-service replies after the user's last message
STALE_AFTER = timedelta(minutes=2)  # an event still unhandled after this was interrupted


def event_key(event: ZaloEvent) -> str:
    """Zalo's msg_id; follow/unfollow have none, so their name, user and time stand in."""
    return event.msg_id or f"{event.name}:{event.user_id}:{event.timestamp_ms}"


async def remember(db: Database, event: ZaloEvent) -> bool:
    """Record the event; False when it was seen before (a redelivery, even after a restart)."""
    async def insert() -> None:
        async with db.session() as session, session.begin():
            session.add(ZaloInbound(event_key=event_key(event), user_id=event.user_id, event_name=event.name,
                                    payload=json.dumps(dict(event.raw), ensure_ascii=False), received_at=utcnow()))
    try:
        await retry_when_locked(insert)
    except IntegrityError:
        return False
    return True


def within_window(event: ZaloEvent, window: timedelta, now: datetime | None = None) -> bool:
    """Was the event sent within `window` of now (either way)? An old, correctly signed event
    replayed later is refused, so the de-duplication table need only remember the window."""
    if event.timestamp_ms <= 0:
        return False
    sent = event.timestamp_ms / 1000
    return abs((now or utcnow()).timestamp() - sent) <= window.total_seconds()


async def prune(db: Database, older_than: timedelta, now: datetime | None = None) -> int:
    """Forget handled events received more than `older_than` ago; how many."""
    cutoff = (now or utcnow()) - older_than
    async with db.session() as session, session.begin():
        result = await session.execute(delete(ZaloInbound).where(
            ZaloInbound.received_at < cutoff, ZaloInbound.processed_at.is_not(None)))
    return result.rowcount or 0


async def mark_processed(db: Database, event: ZaloEvent) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(ZaloInbound).where(ZaloInbound.event_key == event_key(event))
                              .values(processed_at=utcnow()).execution_options(synchronize_session=False))


async def claim_unprocessed(db: Database, older_than: timedelta = STALE_AFTER) -> list[dict]:
    """Events accepted but never handled (the process stopped): each is claimed by one
    process, then handled again. Returns their bodies."""
    cutoff = utcnow() - older_than
    async with db.session() as session:
        rows = (await session.execute(
            select(ZaloInbound.event_key, ZaloInbound.payload)
            .where(ZaloInbound.processed_at.is_(None), ZaloInbound.received_at < cutoff)
            .order_by(ZaloInbound.received_at)
        )).all()
    claimed = []
    for key, payload in rows:
        async with db.session() as session, session.begin():
            result = await session.execute(
                update(ZaloInbound).where(ZaloInbound.event_key == key, ZaloInbound.processed_at.is_(None))
                .values(processed_at=utcnow()).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(json.loads(payload))
    return claimed


async def record_user(db: Database, event: ZaloEvent, now: datetime | None = None) -> bool:
    """Update what we know of the user. True when a message reopened a closed reply window
    (so notifications held for them can go out now)."""
    now = now or utcnow()
    async with db.session() as session, session.begin():
        user = await session.get(ZaloUser, event.user_id)
        if user is None:
            user = ZaloUser(user_id=event.user_id, following=True)
            session.add(user)
        window_was_closed = user.last_message_at is None or now - user.last_message_at >= REPLY_WINDOW
        if event.is_follow:
            user.following, user.followed_at = True, now
        elif event.is_unfollow:
            user.following, user.unfollowed_at = False, now
        if event.is_message:
            user.last_message_at = now
    return event.is_message and window_was_closed


async def within_reply_window(db: Database, user_id: str, now: datetime | None = None) -> bool:
    async with db.session() as session:
        user = await session.get(ZaloUser, user_id)
    if user is None or user.last_message_at is None or not user.following:
        return False
    return (now or utcnow()) - user.last_message_at < REPLY_WINDOW


def bot_input(event: ZaloEvent, photo_url: str | None = None) -> str | None:
    """The message Rasa should get for an event, in the web chat's own formats; None when
    the event carries nothing the bot can read (stickers, files, voice...)."""
    if event.name == USER_SEND_TEXT and (event.text or "").strip():
        return event.text
    if event.name == USER_SEND_IMAGE and photo_url:
        return "/inform" + json.dumps({"photo_url": photo_url})
    if event.name == USER_SEND_LOCATION and event.has_location:
        return "/inform" + json.dumps({"latitude": event.latitude, "longitude": event.longitude})
    if event.is_follow:
        return "/greet"
    return None

"""The notifications outbox: rows written in the same transaction as the change they announce.

Push channels (Zalo) are delivered by `bot.notifications.worker`, at least once, with backoff.
Pull channels (the web chat over socket.io, REST clients) have no way to reach a browser
that is not there: their notifications wait until the citizen's page fetches them, which it
does while connected and on the next visit.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Database
from bot.storage.models import Notification, utcnow

PENDING, SENT, HELD, FAILED = "pending", "sent", "held", "failed"
# No citizen of ours to message: an Open311 caller follows its requests with GET requests.
SILENT_CHANNELS = frozenset({"open311"})
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30),
                timedelta(hours=2), timedelta(hours=6))
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class NotificationView:
    id: int
    channel: str
    recipient_id: str
    text: str
    buttons: tuple[tuple[str, str], ...]
    attempts: int
    report_id: int | None
    created_at: datetime
    zns_status: str | None = None  # see Notification: the ZNS fallback's state


def _view(row: Notification) -> NotificationView:
    buttons = tuple((b["title"], b["payload"]) for b in json.loads(row.buttons or "[]"))
    return NotificationView(row.id, row.channel, row.recipient_id, row.text, buttons, row.attempts,
                            row.report_id, row.created_at, row.zns_status)


def add_notification(session: AsyncSession, key: str, channel: str, recipient_id: str, text: str, *,
                     report_id: int | None = None, buttons: Sequence[tuple[str, str]] = ()) -> None:
    """Queue a message inside the caller's transaction (commits or rolls back with it)."""
    session.add(Notification(
        idempotency_key=key, channel=channel, recipient_id=recipient_id, report_id=report_id, text=text,
        buttons=json.dumps([{"title": t, "payload": p} for t, p in buttons], ensure_ascii=False) if buttons else None,
        status=PENDING, attempts=0, next_attempt_at=utcnow(), created_at=utcnow(),
    ))


async def enqueue(db: Database, key: str, channel: str, recipient_id: str, text: str, **kw: object) -> bool:
    """Queue a message in its own transaction; False when that key was queued before."""
    try:
        async with db.session() as session, session.begin():
            add_notification(session, key, channel, recipient_id, text, **kw)  # type: ignore[arg-type]
    except IntegrityError:
        return False
    return True


async def take_for_recipient(db: Database, channels: Sequence[str], recipient_id: str) -> list[NotificationView]:
    """A pull channel's pending messages for one citizen, oldest first, marked sent as they go."""
    async with db.session() as session, session.begin():
        rows = (await session.scalars(
            select(Notification)
            .where(Notification.channel.in_(channels), Notification.recipient_id == recipient_id,
                   Notification.status == PENDING)
            .order_by(Notification.id)
        )).all()
        now = utcnow()
        taken = []
        for row in rows:
            result = await session.execute(
                update(Notification).where(Notification.id == row.id, Notification.status == PENDING)
                .values(status=SENT, sent_at=now, attempts=Notification.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                taken.append(_view(row))
    return taken


async def claim_due(db: Database, channels: Sequence[str], owner_until: datetime | None = None,
                    limit: int = 20) -> list[NotificationView]:
    """Lease up to `limit` due push messages to this worker; another worker skips them."""
    now = utcnow()
    lease_until = owner_until or now + LEASE
    async with db.session() as session:
        candidates = (await session.scalars(
            select(Notification.id)
            .where(Notification.channel.in_(channels), Notification.status == PENDING,
                   Notification.next_attempt_at <= now,
                   or_(Notification.lease_until.is_(None), Notification.lease_until < now))
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit)
        )).all()
    claimed: list[NotificationView] = []
    for notification_id in candidates:
        async with db.session() as session, session.begin():
            result = await session.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.status == PENDING,
                       or_(Notification.lease_until.is_(None), Notification.lease_until < now))
                .values(lease_until=lease_until)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                row = await session.get(Notification, notification_id)
                claimed.append(_view(row))
    return claimed


async def _set(db: Database, notification_id: int, **values: object) -> None:
    async with db.session() as session, session.begin():
        await session.execute(
            update(Notification).where(Notification.id == notification_id).values(lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )


async def mark_sent(db: Database, n: NotificationView) -> None:
    await _set(db, n.id, status=SENT, sent_at=utcnow(), attempts=n.attempts + 1, last_error=None)


async def mark_held(db: Database, n: NotificationView, reason: str) -> None:
    await _set(db, n.id, status=HELD, last_error=reason)


async def mark_retry(db: Database, n: NotificationView, error: str) -> str:
    """Schedule the next attempt, or give up after the last delay. Returns the new status."""
    attempts = n.attempts + 1
    if attempts > len(RETRY_DELAYS):
        await _set(db, n.id, status=FAILED, attempts=attempts, last_error=error[:2000])
        return FAILED
    await _set(db, n.id, attempts=attempts, last_error=error[:2000], next_attempt_at=utcnow() + RETRY_DELAYS[attempts - 1])
    return PENDING


async def mark_zns(db: Database, notification_id: int, **values: object) -> None:
    """Record the ZNS fallback's progress (inside the worker's lease, which it keeps)."""
    async with db.session() as session, session.begin():
        await session.execute(update(Notification).where(Notification.id == notification_id).values(**values)
                              .execution_options(synchronize_session=False))


async def newer_news_waiting(db: Database, n: NotificationView) -> bool:
    """Is a later message about the same report still to be delivered? (It will say more.)"""
    if n.report_id is None:
        return False
    async with db.session() as session:
        found = await session.scalar(
            select(Notification.id).where(Notification.report_id == n.report_id, Notification.channel == n.channel,
                                          Notification.id > n.id, Notification.status.in_((PENDING, HELD))).limit(1))
    return found is not None


async def release_capped(db: Database, zns_capped: str, now: datetime | None = None) -> int:
    """Messages held by the ZNS cap (or Zalo's quota) whose day has passed: back in line."""
    async with db.session() as session, session.begin():
        result = await session.execute(
            update(Notification)
            .where(Notification.status == HELD, Notification.zns_status == zns_capped,
                   Notification.next_attempt_at <= (now or utcnow()))
            .values(status=PENDING, zns_status=None, lease_until=None, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return result.rowcount or 0


async def release_held(db: Database, channel: str, recipient_id: str) -> int:
    """The citizen wrote again (Zalo's reply window reopened): deliver what was held."""
    async with db.session() as session, session.begin():
        result = await session.execute(
            update(Notification)
            .where(and_(Notification.channel == channel, Notification.recipient_id == recipient_id,
                        Notification.status == HELD))
            .values(status=PENDING, next_attempt_at=utcnow(), lease_until=None)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount or 0

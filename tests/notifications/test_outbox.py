"""The outbox and its worker on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot import statuses
from bot.notifications.worker import HoldDelivery, OutboxWorker
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import Notification, utcnow
from bot.storage.outbox import NotificationView
from bot.storage.reports import change_status
from tests.helpers.reports import stored_report


async def rows(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list((await session.scalars(select(Notification).order_by(Notification.id))).all())


class Recorder:
    def __init__(self, fail: int = 0, hold: bool = False) -> None:
        self.sent: list[NotificationView] = []
        self.fail, self.hold = fail, hold

    async def deliver(self, n: NotificationView) -> None:
        if self.hold:
            raise HoldDelivery("outside the reply window")
        if self.fail:
            self.fail -= 1
            raise ConnectionError("network down")
        self.sent.append(n)


async def make_due(db: Database) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(Notification).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


async def test_every_status_change_queues_one_message_on_the_reporting_channel(db: Database) -> None:
    report = await stored_report(db, channel="zalo", sender_id="zalo-user-1")
    await change_status(db, report.code, statuses.ACKNOWLEDGED, "staff-1")
    await change_status(db, report.code, statuses.HANDLED, "staff-1", note="Đã yêu cầu dọn bàn ghế, vỉa hè thông thoáng")
    [ack, handled] = await rows(db)
    assert (ack.channel, ack.recipient_id, ack.status) == ("zalo", "zalo-user-1", "pending")
    assert report.code in ack.text and "tiếp nhận" in ack.text
    assert "Kết quả: Đã yêu cầu dọn bàn ghế" in handled.text and ack.idempotency_key != handled.idempotency_key


async def test_the_same_key_is_queued_once(db: Database) -> None:
    assert await outbox.enqueue(db, "k-1", "zalo", "u-1", "xin chào")
    assert not await outbox.enqueue(db, "k-1", "zalo", "u-1", "xin chào")
    assert len(await rows(db)) == 1


async def test_web_messages_wait_for_the_page_and_are_taken_once(db: Database) -> None:
    report = await stored_report(db, channel="socketio", sender_id="browser-1")
    await change_status(db, report.code, statuses.IN_PROGRESS, "staff-1")
    assert await OutboxWorker(db, {"zalo": Recorder()}).run_once() == 0  # not a push channel
    [taken] = await outbox.take_for_recipient(db, ["socketio", "rest"], "browser-1")
    assert "đang xử lý" in taken.text
    assert await outbox.take_for_recipient(db, ["socketio", "rest"], "browser-1") == []


async def test_worker_delivers_and_a_second_worker_does_not_resend(db: Database) -> None:
    await outbox.enqueue(db, "k-1", "zalo", "u-1", "tin 1")
    first, second = Recorder(), Recorder()
    claimed = await outbox.claim_due(db, ["zalo"])
    assert await outbox.claim_due(db, ["zalo"]) == []  # leased to the first worker
    for n in claimed:
        await first.deliver(n)
        await outbox.mark_sent(db, n)
    await OutboxWorker(db, {"zalo": second}).run_once()
    assert [n.text for n in first.sent] == ["tin 1"] and second.sent == []
    assert (await rows(db))[0].status == "sent"


async def test_failures_back_off_then_deliver(db: Database) -> None:
    await outbox.enqueue(db, "k-1", "zalo", "u-1", "tin 1")
    deliverer = Recorder(fail=2)
    worker = OutboxWorker(db, {"zalo": deliverer})
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # not due yet: backing off
    [row] = await rows(db)
    assert row.attempts == 1 and "network down" in row.last_error
    await make_due(db)
    await worker.run_once()
    await make_due(db)
    await worker.run_once()
    assert [n.text for n in deliverer.sent] == ["tin 1"] and (await rows(db))[0].status == "sent"


async def test_after_the_last_retry_the_message_is_marked_failed_not_lost(db: Database) -> None:
    await outbox.enqueue(db, "k-1", "zalo", "u-1", "tin 1")
    worker = OutboxWorker(db, {"zalo": Recorder(fail=100)})
    for _ in range(len(outbox.RETRY_DELAYS) + 1):
        await make_due(db)
        await worker.run_once()
    [row] = await rows(db)
    assert row.status == "failed" and row.attempts == len(outbox.RETRY_DELAYS) + 1


async def test_held_messages_go_out_when_the_citizen_writes_again(db: Database) -> None:
    await outbox.enqueue(db, "k-1", "zalo", "u-1", "tin 1")
    await OutboxWorker(db, {"zalo": Recorder(hold=True)}).run_once()
    assert (await rows(db))[0].status == "held"
    assert await outbox.release_held(db, "zalo", "u-1") == 1
    later = Recorder()
    await OutboxWorker(db, {"zalo": later}).run_once()
    assert [n.text for n in later.sent] == ["tin 1"]

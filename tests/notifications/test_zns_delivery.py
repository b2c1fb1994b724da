"""The outbox's Zalo delivery around the 48-hour reply window: a customer-service message inside
it, a ZNS template message (once) outside it for a consenting citizen with a phone number, held
otherwise; the daily cap, Zalo's error answers and lost answers. Real database (SQLite and
PostgreSQL), the real worker and clients, the fake Zalo."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from sqlalchemy import select, update

from bot import statuses
from bot.config import ZnsSettings
from bot.notifications import zns as fallback
from bot.notifications.worker import OutboxWorker
from bot.notifications.zalo_delivery import ZaloDeliverer
from bot.notifications.zns import ZnsFallback, used_on
from bot.staff.localtime import local_today
from bot.storage.db import Database
from bot.storage.models import Notification, ZaloUser, utcnow
from bot.storage.outbox import release_held
from bot.storage.reports import change_status
from bot.zalo import zns
from bot.zalo.api import ZaloClient, ZaloOAuth
from bot.zalo.zns import ZnsClient
from tests.helpers.fake_zalo import FakeZalo, MemoryTokens
from tests.helpers.reports import stored_report

BASE = "https://phananh.example"
PHONE, PHONE_84 = "0912345678", "84912345678"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_fallback(db: Database, fake: FakeZalo, session: aiohttp.ClientSession, clock: Clock, cap: int = 10,
                  timeout: float = 5.0) -> ZnsFallback:
    tokens = MemoryTokens(ZaloOAuth(session, fake.url, fake.app_id, fake.app_secret), fake.access_token, fake.refresh_token)
    return ZnsFallback(ZnsClient(session, fake.url, tokens, timeout=timeout), db,
                       ZnsSettings("fake-zns-template", 300, cap, fake.url), BASE, clock)


def make_worker(db: Database, fake: FakeZalo, session: aiohttp.ClientSession, clock: Clock, cap: int = 10,
                timeout: float = 5.0, zns_on: bool = True, zns_fallback: ZnsFallback | None = None) -> OutboxWorker:
    tokens = MemoryTokens(ZaloOAuth(session, fake.url, fake.app_id, fake.app_secret), fake.access_token, fake.refresh_token)
    if zns_on and zns_fallback is None:
        zns_fallback = make_fallback(db, fake, session, clock, cap, timeout)
    deliverer = ZaloDeliverer(ZaloClient(session, fake.url, tokens, retry_delays=()), db, zns_fallback)
    return OutboxWorker(db, {"zalo": deliverer})


async def last_wrote(db: Database, user_id: str, ago: timedelta) -> None:
    async with db.session() as session, session.begin():
        session.add(ZaloUser(user_id=user_id, following=True, last_message_at=utcnow() - ago))


async def zalo_citizen(db: Database, user: str, *, consent: bool = True, phone: str | None = PHONE,
                       ago: timedelta = timedelta(days=5)) -> str:
    await last_wrote(db, user, ago)
    report = await stored_report(db, channel="zalo", sender_id=user, phone=phone, notify_consent=consent)
    return report.code


async def handled(db: Database, code: str) -> None:
    await change_status(db, code, statuses.HANDLED, "staff-1", note="Đã dọn bàn ghế, vỉa hè thông thoáng")


async def rows(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list((await session.scalars(select(Notification).order_by(Notification.id))).all())


async def make_due(db: Database) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(Notification).where(Notification.status == "pending")
                              .values(next_attempt_at=utcnow() - timedelta(seconds=1)))


async def test_inside_the_window_the_news_is_a_normal_message(db: Database, fake: FakeZalo, session, clock) -> None:
    code = await zalo_citizen(db, "u-in", ago=timedelta(hours=3))
    await handled(db, code)
    await make_worker(db, fake, session, clock).run_once()
    assert any(code in text for text in fake.texts_to("u-in"))
    assert fake.zns_requests == [] and (await rows(db))[0].status == "sent"


async def test_outside_the_window_a_consenting_citizen_gets_one_zns_with_the_public_link(
        db: Database, fake: FakeZalo, session, clock) -> None:
    code = await zalo_citizen(db, "u-out")
    await handled(db, code)
    worker = make_worker(db, fake, session, clock)
    assert await worker.run_once() == 1
    [message] = fake.zns_to(PHONE_84)
    assert message["template_id"] == "fake-zns-template" and message["tracking_id"].startswith(code)
    assert message["template_data"]["ma_phan_anh"] == code
    assert message["template_data"]["trang_thai"] == statuses.citizen_label(statuses.HANDLED)
    assert message["template_data"]["lien_ket"] == f"{BASE}/tra-cuu?ma={code}"
    [row] = await rows(db)
    assert (row.status, row.zns_status, row.zns_msg_id, row.zns_cost_vnd) == ("sent", "sent", message["msg_id"], 300)
    assert row.zns_tracking_id == message["tracking_id"] and row.zns_sent_at is not None
    await make_due(db)
    assert await worker.run_once() == 0
    assert len(fake.zns_requests) == 1 and fake.texts_to("u-out") == []


@pytest.mark.parametrize(("consent", "phone"), [(False, PHONE), (True, None)])
async def test_without_consent_or_phone_the_news_stays_held(db: Database, fake: FakeZalo, session, clock,
                                                           consent: bool, phone: str | None) -> None:
    code = await zalo_citizen(db, "u-no", consent=consent, phone=phone)
    await handled(db, code)
    await make_worker(db, fake, session, clock).run_once()
    [row] = await rows(db)
    assert (row.status, row.zns_status) == ("held", None) and "no consent" in row.last_error
    assert fake.zns_requests == [] and fake.delivered == []


async def test_without_zns_configured_the_news_stays_held(db: Database, fake: FakeZalo, session, clock) -> None:
    await handled(db, await zalo_citizen(db, "u-off"))
    await make_worker(db, fake, session, clock, zns_on=False).run_once()
    assert (await rows(db))[0].status == "held" and fake.zns_requests == []


async def test_the_daily_cap_holds_news_until_the_next_day(db: Database, fake: FakeZalo, session, clock) -> None:
    first, second = await zalo_citizen(db, "u-1"), await zalo_citizen(db, "u-2")
    await handled(db, first)
    await handled(db, second)
    zns_fallback = make_fallback(db, fake, session, clock, cap=1)
    worker = make_worker(db, fake, session, clock, zns_fallback=zns_fallback)
    await worker.run_once()
    assert [m["template_data"]["ma_phan_anh"] for m in fake.zns_delivered] == [first]
    held = (await rows(db))[1]
    assert (held.status, held.zns_status) == ("held", "capped") and "cap" in held.last_error
    assert await used_on(db, local_today(clock.now)) == 1
    assert await zns_fallback.release_due() == 0  # still today
    clock.now += timedelta(days=1)
    assert await zns_fallback.release_due() == 1
    await worker.run_once()
    assert [m["template_data"]["ma_phan_anh"] for m in fake.zns_delivered] == [first, second]


async def test_only_the_latest_news_of_a_report_goes_by_zns(db: Database, fake: FakeZalo, session, clock) -> None:
    code = await zalo_citizen(db, "u-many")
    await change_status(db, code, statuses.ACKNOWLEDGED, "staff-1")
    await handled(db, code)
    await make_worker(db, fake, session, clock).run_once()
    assert [m["template_data"]["trang_thai"] for m in fake.zns_delivered] == [statuses.citizen_label(statuses.HANDLED)]
    older, newer = await rows(db)
    assert (older.status, older.zns_status, newer.status) == ("held", None, "sent")


@pytest.mark.parametrize(("setup", "zns_status"), [
    (lambda f: f.zns_no_zalo.add(PHONE_84), "rejected"),  # the number has no Zalo account
    (lambda f: f.zns_queued_errors.append((zns.PHONE_INVALID, "Phone number invalid")), "rejected"),
    (lambda f: setattr(f, "zns_daily_quota", 0), "capped"),  # Zalo's own quota
])
async def test_error_answers_are_logged_marked_and_not_retried(db: Database, fake: FakeZalo, session, clock,
                                                               setup, zns_status: str) -> None:
    setup(fake)
    await handled(db, await zalo_citizen(db, "u-err"))
    worker = make_worker(db, fake, session, clock)
    await worker.run_once()
    [row] = await rows(db)
    assert (row.status, row.zns_status) == ("held", zns_status) and "ZNS" in row.last_error
    assert await used_on(db, local_today(clock.now)) == 0  # a refused message is not counted
    await make_due(db)
    await worker.run_once()
    assert len(fake.zns_requests) == 1 and fake.zns_delivered == []


async def test_a_lost_answer_is_never_sent_twice(db: Database, fake: FakeZalo, session, clock) -> None:
    fake.zns_delay = 1.0  # Zalo sends (and bills) it, the answer comes after our timeout
    await handled(db, await zalo_citizen(db, "u-slow"))
    worker = make_worker(db, fake, session, clock, timeout=0.3)
    await worker.run_once()
    [row] = await rows(db)
    assert (row.status, row.zns_status) == ("held", "unknown")
    # Even put back in line (the citizen's window, a release, another worker), ZNS is not repeated.
    async with db.session() as s, s.begin():
        await s.execute(update(Notification).values(status="pending", next_attempt_at=utcnow()))
    await worker.run_once()
    assert len(fake.zns_requests) == 1 and len(fake.zns_delivered) == 1
    assert (await rows(db))[0].zns_status == "unknown"


async def test_a_crash_after_sending_is_not_followed_by_a_second_send(db: Database, fake: FakeZalo, session,
                                                                      clock) -> None:
    await handled(db, await zalo_citizen(db, "u-crash"))
    async with db.session() as s, s.begin():  # a worker marked it and died before the answer
        await s.execute(update(Notification).values(zns_status="sending", lease_until=utcnow() - timedelta(seconds=1)))
    await make_worker(db, fake, session, clock).run_once()
    [row] = await rows(db)
    assert (row.status, row.zns_status) == ("held", "unknown") and fake.zns_requests == []


async def test_an_unreachable_zns_is_retried_with_backoff(db: Database, fake: FakeZalo, session, clock) -> None:
    fake.zns_queued_errors.append((zns.UNKNOWN_ERROR, "Unknown error"))  # "try again later"
    await handled(db, await zalo_citizen(db, "u-retry"))
    worker = make_worker(db, fake, session, clock)
    await worker.run_once()
    [row] = await rows(db)
    assert (row.status, row.zns_status, row.attempts) == ("pending", None, 1)
    await make_due(db)
    await worker.run_once()
    assert len(fake.zns_delivered) == 1 and (await rows(db))[0].zns_status == "sent"


async def test_a_zns_sent_but_not_marked_in_the_outbox_is_not_sent_again(db: Database, fake: FakeZalo, session,
                                                                         clock) -> None:
    await handled(db, await zalo_citizen(db, "u-marked"))
    async with db.session() as s, s.begin():  # ZNS went out and was recorded; the worker died before mark_sent
        await s.execute(update(Notification).values(zns_status="sent", lease_until=utcnow() - timedelta(seconds=1)))
    await make_worker(db, fake, session, clock).run_once()
    [row] = await rows(db)
    assert (row.status, row.zns_status) == ("sent", "sent") and fake.zns_requests == []


async def test_zns_unreachable_through_every_retry_holds_the_news_instead_of_losing_it(
        db: Database, fake: FakeZalo, session, clock) -> None:
    from bot.storage.outbox import RETRY_DELAYS

    await handled(db, await zalo_citizen(db, "u-down"))
    worker = make_worker(db, fake, session, clock)
    for _ in range(len(RETRY_DELAYS) + 2):
        fake.zns_queued_errors.append((zns.UNKNOWN_ERROR, "Unknown error"))
        await make_due(db)
        await worker.run_once()
    [row] = await rows(db)
    assert row.status == "held" and row.zns_status == "capped"  # tried again tomorrow, never "failed"
    assert fake.zns_delivered == []


async def test_a_citizen_writing_again_gets_held_news_as_a_normal_message(db: Database, fake: FakeZalo, session,
                                                                          clock) -> None:
    code = await zalo_citizen(db, "u-back", consent=False)
    await handled(db, code)
    worker = make_worker(db, fake, session, clock)
    await worker.run_once()
    async with db.session() as s, s.begin():
        await s.execute(update(ZaloUser).values(last_message_at=utcnow()))
    assert await release_held(db, "zalo", "u-back") == 1
    await worker.run_once()
    assert any(code in text for text in fake.texts_to("u-back")) and fake.zns_requests == []


def test_template_values_are_cut_to_zns_lengths() -> None:
    spec = fallback.Template({"p": "ward"}, {"ward": 10})

    class Ward:
        name = "Phường Văn Miếu - Quốc Tử Giám"

    class Report:
        code, status, ward = "PA-7K2Q9X", statuses.HANDLED, Ward()

    data = fallback.template_data(Report(), BASE, datetime(2026, 12, 1, tzinfo=timezone.utc).date(), spec)
    assert data == {"p": "Phường Vă…"}

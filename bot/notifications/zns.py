"""News that Zalo's 48-hour reply window keeps from going out, sent as ZNS instead.

A Zalo status message outside the window used to wait (`held`) until the citizen wrote again.
When the citizen gave a phone number and agreed to be notified (`Report.notify_consent`), the
news goes out once as a ZNS template message: the report's code, its status in the citizens'
words, the ward and the link to its public page. Otherwise it is held, as before.

At most once: before the request the row is marked `sending` (committed), so a retry, another
worker or a restart never sends it again; a request without a usable answer is `unknown` and is
not repeated either (the message may have gone out and been billed). Each Hanoi day has a cap
(ZNS_DAILY_CAP): a slot is reserved atomically before each request and given back when Zalo
refuses the message; beyond the cap, or when Zalo's quota is used up, the news is held
(`capped`) and tried again from the next day.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Callable, NoReturn

import yaml
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from bot import statuses
from bot.config import ZnsSettings
from bot.notifications.worker import HoldDelivery
from bot.publication import page_url
from bot.staff.localtime import local_day_end, local_today
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import Report, ZnsDailyUsage, utcnow
from bot.storage.outbox import NotificationView
from bot.text import DATA_DIR
from bot.zalo import zns
from bot.zalo.zns import ZnsClient, ZnsError

logger = logging.getLogger(__name__)

SENDING, SENT, UNKNOWN, REJECTED, CAPPED = "sending", "sent", "unknown", "rejected", "capped"
NO_CONSENT = "outside_zalo_48h_reply_window; no ZNS: no phone number or no consent"
SUPERSEDED = "outside_zalo_48h_reply_window; no ZNS: newer news about the report is waiting"


@dataclass(frozen=True)
class Template:
    parameters: dict[str, str]  # template parameter → code | status | ward | updated | link
    max_length: dict[str, int]


@lru_cache(maxsize=1)
def template() -> Template:
    raw = yaml.safe_load((DATA_DIR / "zns_template.yml").read_text(encoding="utf-8"))
    return Template(dict(raw["parameters"]), dict(raw.get("max_length") or {}))


def template_data(report: Report, base_url: str, day: date, spec: Template | None = None) -> dict[str, str]:
    spec = spec or template()
    values = {"code": report.code, "status": statuses.citizen_label(report.status), "ward": report.ward.name,
              "updated": day.strftime("%d/%m/%Y"), "link": page_url(base_url, report.code)}
    data = {}
    for name, field in spec.parameters.items():
        value, limit = values[field], spec.max_length.get(field)
        data[name] = value if not limit or len(value) <= limit else value[: limit - 1] + "…"
    return data


async def reserve(db: Database, day: date, cap: int, _again: bool = True) -> bool:
    """Take one of the day's `cap` ZNS slots; False when they are all taken (any process)."""
    try:
        async with db.session() as session, session.begin():
            taken = await session.execute(
                update(ZnsDailyUsage).where(ZnsDailyUsage.day == day, ZnsDailyUsage.used < cap)
                .values(used=ZnsDailyUsage.used + 1).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                return True
            if cap <= 0 or await session.get(ZnsDailyUsage, day) is not None:
                return False
            session.add(ZnsDailyUsage(day=day, used=1))
        return True
    except IntegrityError:  # another process opened the day at the same moment
        if not _again:
            raise
        return await reserve(db, day, cap, _again=False)


async def give_back(db: Database, day: date) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(ZnsDailyUsage).where(ZnsDailyUsage.day == day, ZnsDailyUsage.used > 0)
                              .values(used=ZnsDailyUsage.used - 1).execution_options(synchronize_session=False))


async def used_on(db: Database, day: date) -> int:
    async with db.session() as session:
        row = await session.get(ZnsDailyUsage, day)
    return row.used if row else 0


class ZnsFallback:
    """Sends a held Zalo message as ZNS, or raises HoldDelivery saying why it stays held."""

    def __init__(self, client: ZnsClient, db: Database, settings: ZnsSettings, public_base_url: str,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._client = client
        self._db = db
        self._settings = settings
        self._base_url = public_base_url
        self._clock = clock

    async def deliver(self, n: NotificationView) -> None:
        if n.zns_status == SENT:  # sent, but the outbox row was not marked (a crash just after): done
            return
        if n.zns_status in (SENDING, UNKNOWN):  # started before (a crash or a lost answer): never again
            await outbox.mark_zns(self._db, n.id, zns_status=UNKNOWN)
            raise HoldDelivery("ZNS sent before without an answer: not sent again")
        if n.zns_status == REJECTED:
            raise HoldDelivery("ZNS refused before: not sent again")
        report = await self._report(n.report_id)
        if report is None or not report.phone or not report.notify_consent:
            raise HoldDelivery(NO_CONSENT)
        if await outbox.newer_news_waiting(self._db, n):
            raise HoldDelivery(SUPERSEDED)
        now = self._clock()
        day = local_today(now)
        if not await reserve(self._db, day, self._settings.daily_cap):
            await self._hold_until_tomorrow(n, now, f"ZNS daily cap of {self._settings.daily_cap} reached")
        tracking_id = f"{report.code}-{n.id}"
        await outbox.mark_zns(self._db, n.id, zns_status=SENDING, zns_tracking_id=tracking_id)
        try:
            receipt = await self._client.send(report.phone, self._settings.template_id,
                                              template_data(report, self._base_url, day), tracking_id)
        except ValueError as error:  # a stored number that is not a mobile number
            await self._refused(n, day, f"phone number not usable for ZNS: {error}")
        except ZnsError as error:
            await self._failed(n, day, now, error)
        await outbox.mark_zns(self._db, n.id, zns_status=SENT, zns_msg_id=receipt.msg_id,
                              zns_cost_vnd=self._settings.price_vnd, zns_sent_at=receipt.sent_at or now)
        logger.info("Notification %s sent as ZNS %s (report %s; %s VND; quota left %s)", n.id, receipt.msg_id,
                    report.code, self._settings.price_vnd, receipt.remaining_quota)

    async def release_due(self) -> int:
        """News held by the cap or Zalo's quota on a day that has passed: tried again."""
        return await outbox.release_capped(self._db, CAPPED, self._clock())

    async def _report(self, report_id: int | None) -> Report | None:
        if report_id is None:
            return None
        async with self._db.session() as session:
            return (await session.execute(
                select(Report).options(joinedload(Report.ward)).where(Report.id == report_id))).scalar_one_or_none()

    async def _hold_until_tomorrow(self, n: NotificationView, now: datetime, why: str) -> NoReturn:
        await outbox.mark_zns(self._db, n.id, zns_status=CAPPED, next_attempt_at=local_day_end(local_today(now)))
        raise HoldDelivery(f"outside_zalo_48h_reply_window; {why}: held until tomorrow")

    async def _refused(self, n: NotificationView, day: date, why: str) -> NoReturn:
        await give_back(self._db, day)
        await outbox.mark_zns(self._db, n.id, zns_status=REJECTED, last_error=why[:2000])
        raise HoldDelivery(f"outside_zalo_48h_reply_window; ZNS refused: {why}")

    async def _failed(self, n: NotificationView, day: date, now: datetime, error: ZnsError) -> NoReturn:
        if error.kind == zns.UNCERTAIN:
            await outbox.mark_zns(self._db, n.id, zns_status=UNKNOWN)
            logger.error("Notification %s: ZNS outcome unknown (%s); it is not sent again", n.id, error)
            raise HoldDelivery(f"outside_zalo_48h_reply_window; ZNS outcome unknown: {error}")
        if error.kind == zns.RETRY:  # nothing went out: the outbox's backoff tries again…
            await give_back(self._db, day)
            if n.attempts + 1 >= len(outbox.RETRY_DELAYS):  # …but its last try would fail the news for good
                await self._hold_until_tomorrow(n, now, f"ZNS unavailable through every retry ({error})")
            await outbox.mark_zns(self._db, n.id, zns_status=None)
            raise error
        if error.kind == zns.QUOTA:
            await give_back(self._db, day)
            await self._hold_until_tomorrow(n, now, f"Zalo's ZNS quota used up ({error})")
        await self._refused(n, day, str(error))

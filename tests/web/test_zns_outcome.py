"""End to end at the web server: a report handled after Zalo's reply window reaches the
consenting citizen once, as ZNS through the fake Zalo, with the link to its public page; a
citizen without consent gets nothing outside the window. The real web server (its background
outbox worker), a migrated database, the staff API, the fake Zalo; no Rasa."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot import statuses
from bot.staff import users
from bot.storage.models import Notification, ZaloUser, utcnow
from tests.helpers.console import running_console
from tests.helpers.fake_zalo import FakeZalo
from tests.helpers.reports import stored_report
from tests.helpers.staff import WARD_A

PUBLIC = "https://phananh.example"


def zalo_env(fake: FakeZalo) -> dict[str, str]:
    return {"ZALO_APP_ID": fake.app_id, "ZALO_APP_SECRET": fake.app_secret, "ZALO_OA_SECRET_KEY": "oa-secret",
            "ZALO_API_BASE": fake.url, "ZALO_OAUTH_BASE": fake.url, "ZALO_ACCESS_TOKEN": fake.access_token,
            "ZALO_REFRESH_TOKEN": fake.refresh_token, "ZNS_TEMPLATE_ID": "fake-zns-template",
            "ZNS_PRICE_VND": "330", "ZNS_DAILY_CAP": "50", "ZNS_API_BASE": fake.url}


async def outbox(db) -> dict[str, tuple[str, str | None]]:
    async with db.session() as session:
        rows = (await session.execute(select(Notification.recipient_id, Notification.status, Notification.zns_status)
                                      .where(Notification.channel == "zalo"))).all()
    return {recipient: (status, zns) for recipient, status, zns in rows}


async def test_news_after_the_window_reaches_a_consenting_citizen_once(tmp_path: Path) -> None:
    async with FakeZalo() as fake, running_console(tmp_path, public_base_url=PUBLIC, **zalo_env(fake)) as console:
        db = console.db
        async with db.session() as session, session.begin():
            for user in ("zalo-agrees", "zalo-declined"):
                session.add(ZaloUser(user_id=user, following=True, last_message_at=utcnow() - timedelta(days=3)))
        agrees = await stored_report(db, ward_code=WARD_A, channel="zalo", sender_id="zalo-agrees",
                                     phone="0987654321", notify_consent=True)
        declined = await stored_report(db, ward_code=WARD_A, channel="zalo", sender_id="zalo-declined",
                                       phone="0911222333", notify_consent=False)
        token = (await users.create_token(db, "canbo.a")).token
        async with console.client() as http:
            for report in (agrees, declined):
                response = await http.post(f"/api/staff/reports/{report.code}/actions/handle",
                                           headers={"Authorization": f"Bearer {token}"},
                                           json={"note": "Đã yêu cầu dọn bàn ghế, vỉa hè đã thông thoáng"})
                assert response.status == 200, await response.text()

        for _ in range(100):  # the server's worker polls every 2 s
            if len(await outbox(db)) == 2 and all(status != "pending" for status, _ in (await outbox(db)).values()):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2.5)  # one more round of the worker: nothing more goes out

        assert await outbox(db) == {"zalo-agrees": ("sent", "sent"), "zalo-declined": ("held", None)}
        [message] = fake.zns_delivered
        assert message["phone"] == "84987654321" and message["template_id"] == "fake-zns-template"
        assert message["template_data"]["ma_phan_anh"] == agrees.code
        assert message["template_data"]["trang_thai"] == statuses.citizen_label(statuses.HANDLED)
        assert message["template_data"]["lien_ket"] == f"{PUBLIC}/tra-cuu?ma={agrees.code}"
        assert len(fake.zns_requests) == 1
        assert fake.delivered == []  # no customer-service message to either: both windows are closed
        async with db.session() as session:
            cost = await session.scalar(select(Notification.zns_cost_vnd).where(Notification.zns_status == "sent"))
        assert cost == 330

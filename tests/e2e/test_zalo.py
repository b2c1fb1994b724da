"""The Zalo channel end to end: the real Rasa, action and web servers, and a fake Zalo."""
from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta

import pytest

from bot import statuses
from bot.stack import Stack
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.storage.reports import change_status
from tests.helpers import zalo_webhook
from tests.helpers.chat import CODE_RE
from tests.helpers.fake_zalo_process import FakeZaloProcess, text_of, wait_for
from tests.helpers.zalo_chat import ZaloChat, post_event

pytestmark = pytest.mark.e2e


def rows(stack: Stack, sql: str, *params) -> list:
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql, params).fetchall()


def run(coro_fn, stack: Stack):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        db = Database(stack.database_url)
        try:
            return await coro_fn(db)
        finally:
            await db.dispose()
    return asyncio.run(main())


def complete_report(chat: ZaloChat) -> str:
    chat.say("Quán nhậu bày bàn ghế chiếm hết vỉa hè trước số 12 phố Hàng Bông, phường Hoàn Kiếm, người đi bộ phải xuống đường")
    assert "Bỏ qua" in chat.buttons, chat.last
    chat.tap("Bỏ qua")
    assert "Ẩn danh" in chat.buttons, chat.last
    chat.tap("Ẩn danh")
    assert "Gửi phản ánh" in chat.buttons, chat.last
    chat.tap("Gửi phản ánh")
    match = CODE_RE.search(chat.text)
    assert match, chat.last
    return match.group(0)


def test_a_signed_text_gets_a_reply(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    chat.say("xin chào")
    assert "Xin chào" in chat.text
    assert {"Lấn chiếm vỉa hè, lòng đường", "Tra cứu phản ánh"} <= set(chat.buttons)  # Zalo template buttons


def test_a_forged_signature_is_refused_and_nothing_happens(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    user = "zalo-forger"
    body = zalo_webhook.text_event(user, "xin chào", app_id=fake_zalo.app_id)
    status, _ = post_event(stack.rasa_url, body, fake_zalo.app_id, secret="not-the-oa-secret")
    assert status == 401
    time.sleep(3)
    assert fake_zalo.delivered_to(user) == []
    assert rows(stack, "SELECT count(*) FROM zalo_inbound WHERE user_id = ?", user) == [(0,)]


def test_a_whole_report_over_zalo_ends_with_its_code(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    code = complete_report(chat)
    [(channel, sender, ward)] = rows(stack, "SELECT channel, sender_id, ward_code FROM reports WHERE code = ?", code)
    assert (channel, sender, ward) == ("zalo", chat.user_id, "00070")


def test_a_redelivered_event_changes_nothing(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    chat.say("Nhà bên cạnh đang xây thêm 2 tầng không phép ở số 5 ngõ 12 phố Khâm Thiên, phường Văn Miếu - Quốc Tử Giám")
    chat.tap("Bỏ qua")
    chat.tap("Ẩn danh")
    confirm = zalo_webhook.text_event(chat.user_id, chat.buttons["Gửi phản ánh"], app_id=fake_zalo.app_id)
    chat.send(confirm)
    replies = len(fake_zalo.delivered_to(chat.user_id))
    status, answer = post_event(stack.rasa_url, confirm, fake_zalo.app_id)  # Zalo delivers it again
    assert (status, answer["status"]) == (200, "duplicate")
    time.sleep(3)
    assert len(fake_zalo.delivered_to(chat.user_id)) == replies
    assert rows(stack, "SELECT count(*) FROM reports WHERE sender_id = ?", chat.user_id) == [(1,)]


def test_a_photo_and_a_shared_location_feed_the_report(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    chat.say("có người đổ vật liệu xây dựng chiếm hết vỉa hè, mọi người phải đi xuống lòng đường")
    chat.send(zalo_webhook.location_event(chat.user_id, 21.0175, 105.8305, app_id=fake_zalo.app_id))
    assert any("Phường" in title for title in chat.buttons), chat.last  # the nearest wards, to confirm
    chat.tap(next(title for title in chat.buttons if "Phường" in title))
    chat.send(zalo_webhook.image_event(chat.user_id, f"{fake_zalo.url}/_fake/photo.png", app_id=fake_zalo.app_id))
    assert "Ẩn danh" in chat.buttons, chat.last
    chat.tap("Ẩn danh")
    chat.tap("Gửi phản ánh")
    code = CODE_RE.search(chat.text).group(0)  # type: ignore[union-attr]
    [(url,)] = rows(stack, "SELECT a.url FROM attachments a JOIN reports r ON r.id = a.report_id WHERE r.code = ?", code)
    assert url.startswith(f"http://localhost:{stack.web_port}/uploads/")  # copied out of Zalo's CDN
    [(lat,)] = rows(stack, "SELECT latitude FROM reports WHERE code = ?", code)
    assert lat == pytest.approx(21.0175)


def test_follow_sticker_and_unfollow(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    chat.send(zalo_webhook.follow_event(chat.user_id, app_id=fake_zalo.app_id))
    assert "phản ánh" in chat.text.lower()
    chat.send(zalo_webhook.message_event("user_send_sticker", chat.user_id, app_id=fake_zalo.app_id,
                                         attachments=[{"type": "sticker", "payload": {"id": "x"}}]))
    assert "sticker" in chat.text
    chat.send(zalo_webhook.follow_event(chat.user_id, unfollow=True, app_id=fake_zalo.app_id), expect_reply=False)
    wait_for(lambda: rows(stack, "SELECT following FROM zalo_users WHERE user_id = ?", chat.user_id) == [(0,)])


def test_an_expired_token_is_refreshed_mid_conversation(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    chat.say("xin chào")
    refreshes = len(fake_zalo.state()["token_requests"])
    fake_zalo.control("expire")
    chat.say("tôi muốn phản ánh lấn chiếm vỉa hè")
    assert chat.last and len(fake_zalo.state()["token_requests"]) == refreshes + 1
    [(stored,)] = rows(stack, "SELECT refresh_token FROM zalo_tokens")
    assert stored == fake_zalo.state()["refresh_token"]  # the new single-use refresh token is kept


def test_two_server_errors_still_deliver(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    fake_zalo.control("fail", n=2, status=500)
    chat.say("xin chào")
    assert "Xin chào" in chat.text


def test_status_changes_reach_the_citizen_on_zalo_and_wait_outside_the_window(stack: Stack, fake_zalo: FakeZaloProcess) -> None:
    chat = ZaloChat(stack.rasa_url, fake_zalo)
    code = complete_report(chat)
    before = len(fake_zalo.delivered_to(chat.user_id))
    run(lambda db: change_status(db, code, statuses.ACKNOWLEDGED, "staff-test"), stack)
    news = wait_for(lambda: fake_zalo.delivered_to(chat.user_id)[before:])
    assert code in text_of(news[0]) and "tiếp nhận" in text_of(news[0])

    three_days_ago = (utcnow() - timedelta(days=3)).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        connection.execute("UPDATE zalo_users SET last_message_at = ? WHERE user_id = ?", (three_days_ago, chat.user_id))
    run(lambda db: change_status(db, code, statuses.IN_PROGRESS, "staff-test"), stack)
    wait_for(lambda: rows(stack, "SELECT status FROM notifications WHERE recipient_id = ? ORDER BY id DESC LIMIT 1",
                          chat.user_id) == [("held",)])
    chat.say("phản ánh của tôi")  # the citizen writes again: the held news goes out
    wait_for(lambda: any("đang xử lý phản ánh" in text_of(m) for m in fake_zalo.delivered_to(chat.user_id)))

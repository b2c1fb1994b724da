import asyncio

import aiohttp
import pytest

from bot.stack import free_port
from bot.zalo.api import MAX_TEXT_LENGTH, MORE_BUTTONS_TEXT, ZaloClient, ZaloSendError
from tests.helpers.fake_zalo import FakeZalo, MemoryTokens

USER = "user-1"
SENTENCE = "Tổ dân phố 5 báo cáo rác thải ùn ứ tại chợ đầu mối, đề nghị xử lý sớm. "


async def test_send_text(fake: FakeZalo, client: ZaloClient) -> None:
    ids = await client.send_text(USER, "Cảm ơn bạn đã phản ánh.")
    assert ids == ["msg-1"]
    assert fake.texts_to(USER) == ["Cảm ơn bạn đã phản ánh."]
    request = fake.send_requests[0]
    assert request.headers["access_token"] == "access-0"
    assert request.json == {"recipient": {"user_id": USER}, "message": {"text": "Cảm ơn bạn đã phản ánh."}}


async def test_long_text_goes_out_in_pieces(fake: FakeZalo, client: ZaloClient) -> None:
    text = SENTENCE * 70  # ~5000 characters
    ids = await client.send_text(USER, text)
    texts = fake.texts_to(USER)
    assert len(ids) == len(texts) == 3
    assert all(len(t) <= MAX_TEXT_LENGTH for t in texts)
    assert " ".join(texts).split() == text.split()


async def test_buttons(fake: FakeZalo, client: ZaloClient) -> None:
    await client.send_buttons(USER, "Bạn muốn làm gì?", [("Gửi phản ánh", "/report"), ("Tra cứu", "/lookup")])
    message = fake.messages_to(USER)[0]
    assert message["text"] == "Bạn muốn làm gì?"
    assert message["attachment"]["payload"]["buttons"][0] == {
        "title": "Gửi phản ánh", "type": "oa.query.hide", "payload": "/report"}
    assert fake.buttons_to(USER) == [[("Gửi phản ánh", "/report"), ("Tra cứu", "/lookup")]]


async def test_more_than_five_buttons_use_follow_up_messages(fake: FakeZalo, client: ZaloClient) -> None:
    buttons = [(f"Phường {i}", f"/ward{{\"n\": {i}}}") for i in range(12)]
    ids = await client.send_buttons(USER, "Chọn phường:", buttons)
    assert len(ids) == 3
    assert fake.texts_to(USER) == ["Chọn phường:", MORE_BUTTONS_TEXT, MORE_BUTTONS_TEXT]
    groups = fake.buttons_to(USER)
    assert [len(g) for g in groups] == [5, 5, 2]
    assert [b for g in groups for b in g] == buttons


async def test_long_button_title_is_shortened(fake: FakeZalo, client: ZaloClient) -> None:
    await client.send_buttons(USER, "?", [("Đ" * 150, "/x")])
    title = fake.buttons_to(USER)[0][0][0]
    assert len(title) == 100 and title.endswith("…")


async def test_buttons_after_long_text_ride_on_the_last_piece(fake: FakeZalo, client: ZaloClient) -> None:
    await client.send_buttons(USER, SENTENCE * 40, [("Có", "/affirm")])
    messages = fake.messages_to(USER)
    assert len(messages) == 2 and "attachment" not in messages[0]
    assert fake.buttons_to(USER) == [[("Có", "/affirm")]]


async def test_no_buttons_is_plain_text(fake: FakeZalo, client: ZaloClient) -> None:
    await client.send_buttons(USER, "Chỉ chữ", [])
    assert fake.messages_to(USER) == [{"text": "Chỉ chữ"}]


async def test_image(fake: FakeZalo, client: ZaloClient) -> None:
    await client.send_image(USER, "https://cdn.example/a.jpg")
    await client.send_image(USER, "https://cdn.example/b.jpg", caption="Ảnh hiện trường")
    assert fake.images_to(USER) == ["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"]
    first = fake.messages_to(USER)[0]
    assert first["attachment"]["payload"]["template_type"] == "media" and "text" not in first
    assert fake.texts_to(USER) == ["Ảnh hiện trường"]


async def test_retries_after_two_server_errors(fake: FakeZalo, client: ZaloClient) -> None:
    fake.fail_sends(2)
    assert await client.send_text(USER, "Lần ba") == ["msg-1"]
    assert len(fake.send_requests) == 3 and fake.texts_to(USER) == ["Lần ba"]


async def test_too_many_requests_is_retried(fake: FakeZalo, client: ZaloClient) -> None:
    fake.fail_sends(1, status=429)
    await client.send_text(USER, "ok")
    assert fake.texts_to(USER) == ["ok"]


async def test_gives_up_when_the_delays_are_exhausted(fake: FakeZalo, client: ZaloClient) -> None:
    fake.fail_sends(100)
    with pytest.raises(ZaloSendError) as caught:
        await client.send_text(USER, "không tới")
    assert caught.value.transient and caught.value.status == 500 and caught.value.code is None
    assert len(fake.send_requests) == 4  # three fast retries


async def test_timeouts_are_transient(fake: FakeZalo, session: aiohttp.ClientSession,
                                      tokens: MemoryTokens) -> None:
    fake.delay = 0.5
    client = ZaloClient(session, fake.url, tokens, retry_delays=(0.001,), timeout=0.05)
    with pytest.raises(ZaloSendError) as caught:
        await client.send_text(USER, "chậm")
    assert caught.value.transient and len(fake.send_requests) == 2


async def test_unreachable_server(session: aiohttp.ClientSession, tokens: MemoryTokens) -> None:
    client = ZaloClient(session, f"http://127.0.0.1:{free_port()}", tokens, retry_delays=(0.001,))
    with pytest.raises(ZaloSendError) as caught:
        await client.send_text(USER, "xa")
    assert caught.value.transient and caught.value.status is None


async def test_expired_token_is_refreshed_once(fake: FakeZalo, client: ZaloClient, tokens: MemoryTokens) -> None:
    fake.expire_access_token()
    assert await client.send_text(USER, "sau khi làm mới") == ["msg-1"]
    assert [r.headers["access_token"] for r in fake.send_requests] == ["access-0", "access-1"]
    assert tokens.refreshes == 1 and len(fake.token_requests) == 1
    await client.send_text(USER, "lần nữa")
    assert tokens.refreshes == 1 and fake.send_requests[-1].headers["access_token"] == "access-1"


async def test_invalid_token_twice_raises(fake: FakeZalo, client: ZaloClient, tokens: MemoryTokens) -> None:
    fake.queue_error(-216, "Access token is invalid")
    fake.queue_error(-124, "Access token expired")
    with pytest.raises(ZaloSendError) as caught:
        await client.send_text(USER, "không được")
    assert caught.value.code == -124 and caught.value.invalid_token
    assert tokens.refreshes == 1 and len(fake.send_requests) == 2


async def test_failed_refresh_becomes_a_send_error(fake: FakeZalo, client: ZaloClient,
                                                   tokens: MemoryTokens) -> None:
    fake.expire_access_token()
    tokens.refresh = "already-used"
    with pytest.raises(ZaloSendError) as caught:
        await client.send_text(USER, "x")
    assert caught.value.code == -216 and not caught.value.transient


async def test_outside_window_error_is_distinguishable(fake: FakeZalo, client: ZaloClient,
                                                       tokens: MemoryTokens) -> None:
    fake.queue_error(-230, "User has not interacted with the OA in the past 7 days")
    with pytest.raises(ZaloSendError) as caught:
        await client.send_text(USER, "thông báo")
    assert caught.value.code == -230 and caught.value.outside_window and not caught.value.transient
    assert len(fake.send_requests) == 1 and tokens.refreshes == 0


async def test_partial_failure_reports_sent_pieces(fake: FakeZalo, client: ZaloClient) -> None:
    fake.queue_error(-230, "outside window", skip=1)
    with pytest.raises(ZaloSendError) as caught:
        await client.send_text(USER, SENTENCE * 40)
    assert caught.value.sent_message_ids == ("msg-1",)


async def test_fake_control_endpoints(fake: FakeZalo, session: aiohttp.ClientSession,
                                      client: ZaloClient) -> None:
    async with session.post(f"{fake.url}/_fake/error?code=-230") as answer:
        assert answer.status == 200
    with pytest.raises(ZaloSendError):
        await client.send_text(USER, "a")
    await client.send_text(USER, "b")
    async with session.get(f"{fake.url}/_fake/state") as answer:
        state = await answer.json()
    assert [d["message"]["text"] for d in state["delivered"]] == ["b"]
    assert len(state["send_requests"]) == 2


async def test_concurrent_rejections_refresh_once(fake: FakeZalo, client: ZaloClient,
                                                  tokens: MemoryTokens) -> None:
    fake.expire_access_token()
    await asyncio.gather(*(client.send_text(f"user-{i}", "song song") for i in range(5)))
    assert tokens.refreshes == 1 and len(fake.delivered) == 5

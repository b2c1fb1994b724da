"""The ZNS client against the fake Zalo, which speaks ZNS's documented format."""
from __future__ import annotations

import aiohttp
import pytest

from bot.stack import free_port
from bot.zalo import zns
from bot.zalo.zns import ZnsClient, ZnsError, zns_phone
from tests.helpers.fake_zalo import FakeZalo, MemoryTokens

TEMPLATE = "fake-zns-template"
DATA = {"ma_phan_anh": "PA-7K2Q9X", "trang_thai": "Đã xử lý", "lien_ket": "https://x/tra-cuu?ma=PA-7K2Q9X"}


@pytest.fixture
def zns_client(fake: FakeZalo, session: aiohttp.ClientSession, tokens: MemoryTokens) -> ZnsClient:
    return ZnsClient(session, fake.url, tokens, timeout=2)


@pytest.mark.parametrize(("stored", "sent"), [("0912345678", "84912345678"), ("84912345678", "84912345678"),
                                             ("+84 912 345 678", "84912345678")])
def test_phone_numbers_go_in_the_84_form(stored: str, sent: str) -> None:
    assert zns_phone(stored) == sent


@pytest.mark.parametrize("bad", ["", "12345", "091234567", "0912 345 6789"])
def test_what_is_not_a_mobile_number_is_refused_before_sending(bad: str) -> None:
    with pytest.raises(ValueError):
        zns_phone(bad)


async def test_a_message_is_sent_in_the_documented_format(fake: FakeZalo, zns_client: ZnsClient) -> None:
    receipt = await zns_client.send("0912345678", TEMPLATE, DATA, "PA-7K2Q9X-1")
    [request] = fake.zns_requests
    assert request.path == "/message/template" and request.headers["access_token"] == fake.access_token
    assert request.json == {"phone": "84912345678", "template_id": TEMPLATE, "template_data": DATA,
                            "tracking_id": "PA-7K2Q9X-1"}
    assert receipt.msg_id == fake.zns_delivered[0]["msg_id"] and receipt.sent_at is not None
    assert (receipt.daily_quota, receipt.remaining_quota) == (500, 499)


async def test_an_expired_token_is_refreshed_once(fake: FakeZalo, zns_client: ZnsClient, tokens: MemoryTokens) -> None:
    fake.expire_access_token()
    await zns_client.send("0912345678", TEMPLATE, DATA, "t-1")
    assert tokens.refreshes == 1 and len(fake.zns_delivered) == 1
    assert [r.headers["access_token"] for r in fake.zns_requests] == ["access-0", "access-1"]


@pytest.mark.parametrize(("setup", "kind", "code"), [
    (lambda f: f.zns_no_zalo.add("84912345678"), zns.RECIPIENT, zns.ZALO_ACCOUNT_NOT_EXISTED),
    (lambda f: setattr(f, "zns_daily_quota", 0), zns.QUOTA, zns.OUT_OF_QUOTA),
    (lambda f: f.zns_templates.clear(), zns.REFUSED, zns.TEMPLATE_INVALID),
    (lambda f: f.zns_queued_errors.append((zns.UNKNOWN_ERROR, "Unknown error")), zns.RETRY, zns.UNKNOWN_ERROR),
])
async def test_error_answers_say_what_kind_of_failure(fake: FakeZalo, zns_client: ZnsClient, setup, kind: str,
                                                      code: int) -> None:
    setup(fake)
    with pytest.raises(ZnsError) as raised:
        await zns_client.send("0912345678", TEMPLATE, DATA, "t-1")
    assert (raised.value.kind, raised.value.code) == (kind, code)
    assert fake.zns_delivered == [] and len(fake.zns_requests) == 1  # asked once, never repeated


async def test_an_invalid_phone_is_what_zalo_says(fake: FakeZalo, zns_client: ZnsClient) -> None:
    fake.zns_queued_errors.append((zns.PHONE_INVALID, "Phone number invalid"))
    with pytest.raises(ZnsError) as raised:
        await zns_client.send("0912345678", TEMPLATE, DATA, "t-1")
    assert raised.value.kind == zns.RECIPIENT


async def test_a_timeout_is_uncertain_and_not_repeated(fake: FakeZalo, session: aiohttp.ClientSession,
                                                       tokens: MemoryTokens) -> None:
    fake.zns_delay = 1.0  # Zalo accepts (and bills) the message, the answer comes too late
    client = ZnsClient(session, fake.url, tokens, timeout=0.3)
    with pytest.raises(ZnsError) as raised:
        await client.send("0912345678", TEMPLATE, DATA, "t-1")
    assert raised.value.kind == zns.UNCERTAIN
    assert len(fake.zns_requests) == 1 and len(fake.zns_delivered) == 1


async def test_no_connection_means_nothing_was_sent(session: aiohttp.ClientSession, tokens: MemoryTokens) -> None:
    client = ZnsClient(session, f"http://127.0.0.1:{free_port()}", tokens, timeout=2)
    with pytest.raises(ZnsError) as raised:
        await client.send("0912345678", TEMPLATE, DATA, "t-1")
    assert raised.value.kind == zns.RETRY

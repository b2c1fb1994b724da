from datetime import datetime, timedelta, timezone

import aiohttp
import pytest

from bot.zalo.api import ZaloAuthError, ZaloOAuth
from tests.helpers.fake_zalo import FakeZalo
from bot.stack import free_port


async def test_refresh_returns_a_new_pair(fake: FakeZalo, oauth: ZaloOAuth) -> None:
    pair = await oauth.refresh("refresh-0")
    assert (pair.access_token, pair.refresh_token) == (fake.access_token, fake.refresh_token)
    assert pair.refresh_token != "refresh-0"
    expected = datetime.now(timezone.utc) + timedelta(seconds=90000)
    assert abs(pair.expires_at - expected) < timedelta(seconds=5)
    request = fake.token_requests[0]
    assert request.headers["secret_key"] == fake.app_secret
    assert request.form == {"app_id": fake.app_id, "grant_type": "refresh_token", "refresh_token": "refresh-0"}
    assert pair.access_token not in repr(pair)


async def test_refresh_token_is_single_use(oauth: ZaloOAuth) -> None:
    await oauth.refresh("refresh-0")
    with pytest.raises(ZaloAuthError) as caught:
        await oauth.refresh("refresh-0")
    assert caught.value.code == -14014 and not caught.value.transient


async def test_wrong_secret(fake: FakeZalo, session: aiohttp.ClientSession) -> None:
    with pytest.raises(ZaloAuthError) as caught:
        await ZaloOAuth(session, fake.url, fake.app_id, "wrong").refresh("refresh-0")
    assert caught.value.code == -14002
    assert fake.refresh_token == "refresh-0"


async def test_unreachable_server_is_transient(session: aiohttp.ClientSession) -> None:
    with pytest.raises(ZaloAuthError) as caught:
        await ZaloOAuth(session, f"http://127.0.0.1:{free_port()}", "a", "s", timeout=2).refresh("r")
    assert caught.value.transient


async def test_odd_expires_in_keeps_the_new_tokens(fake: FakeZalo, oauth: ZaloOAuth) -> None:
    fake.expires_in = "soon"  # type: ignore[assignment]
    pair = await oauth.refresh("refresh-0")
    assert pair.refresh_token == fake.refresh_token
    assert pair.expires_at > datetime.now(timezone.utc)

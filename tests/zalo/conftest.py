"""Fixtures for the Zalo protocol layer: clients wired to the fake Zalo server (tests/conftest.py)."""
from __future__ import annotations

import aiohttp
import pytest

from bot.zalo.api import ZaloClient, ZaloOAuth
from tests.helpers.fake_zalo import FakeZalo, MemoryTokens

FAST_RETRIES = (0.001, 0.001, 0.001)


@pytest.fixture
def oauth(fake: FakeZalo, session: aiohttp.ClientSession) -> ZaloOAuth:
    return ZaloOAuth(session, fake.url, fake.app_id, fake.app_secret)


@pytest.fixture
def tokens(fake: FakeZalo, oauth: ZaloOAuth) -> MemoryTokens:
    return MemoryTokens(oauth, fake.access_token, fake.refresh_token)


@pytest.fixture
def client(fake: FakeZalo, session: aiohttp.ClientSession, tokens: MemoryTokens) -> ZaloClient:
    return ZaloClient(session, fake.url, tokens, retry_delays=FAST_RETRIES)

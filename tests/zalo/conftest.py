"""Fixtures for the Zalo protocol layer: the fake Zalo server and a client wired to it."""
from __future__ import annotations

from typing import AsyncIterator

import aiohttp
import pytest

from bot.zalo.api import ZaloClient, ZaloOAuth
from tests.helpers.fake_zalo import FakeZalo, MemoryTokens

FAST_RETRIES = (0.001, 0.001, 0.001)


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def oauth(fake: FakeZalo, session: aiohttp.ClientSession) -> ZaloOAuth:
    return ZaloOAuth(session, fake.url, fake.app_id, fake.app_secret)


@pytest.fixture
def tokens(fake: FakeZalo, oauth: ZaloOAuth) -> MemoryTokens:
    return MemoryTokens(oauth, fake.access_token, fake.refresh_token)


@pytest.fixture
def client(fake: FakeZalo, session: aiohttp.ClientSession, tokens: MemoryTokens) -> ZaloClient:
    return ZaloClient(session, fake.url, tokens, retry_delays=FAST_RETRIES)

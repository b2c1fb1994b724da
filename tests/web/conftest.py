"""Web tests log in many times: a cheap argon2 setting keeps them fast (the real cost is
tested in tests/staff). The console tests share the running console and a client."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from tests.helpers.console import RunningConsole, running_console
from tests.helpers.staff import use_cheap_hashing


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_hashing(monkeypatch)


@pytest_asyncio.fixture
async def console(tmp_path: Path) -> AsyncIterator[RunningConsole]:
    async with running_console(tmp_path) as running:
        yield running


@pytest_asyncio.fixture
async def http(console: RunningConsole) -> AsyncIterator[aiohttp.ClientSession]:
    async with console.client() as session:
        yield session

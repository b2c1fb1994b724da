"""Web tests log in many times: a cheap argon2 setting keeps them fast (the real cost is
tested in tests/staff)."""
from __future__ import annotations

import pytest

from tests.helpers.staff import use_cheap_hashing


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_hashing(monkeypatch)

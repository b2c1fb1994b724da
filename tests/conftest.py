"""Fixtures that start the real system: action server, Rasa server and web server."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest

from bot.cli.route import newest_model
from bot.stack import Stack, free_port
from bot.storage.setup import prepare_database


def start_stack(tmp: Path, database_url: str | None = None, prepare: bool = True) -> Stack:
    url = database_url or f"sqlite:///{tmp / 'phananh.db'}"
    if prepare:
        asyncio.run(prepare_database(url))
    stack = Stack(
        url, free_port(), free_port(), free_port(), newest_model(), log_dir=tmp / "log",
        extra_env={"TRACKER_SQLITE_PATH": str(tmp / "tracker.db"), "UPLOAD_DIR": str(tmp / "uploads")},
    )
    return stack.start()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole system on free ports with a throw-away SQLite database, shared by a session."""
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()

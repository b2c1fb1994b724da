"""Fixtures that start the real system: action server, Rasa server and web server."""
from __future__ import annotations

import faulthandler
import os
import sys
import threading
from pathlib import Path
from typing import AsyncIterator, Iterator

import aiohttp
import pytest

from bot.modelops.agent import newest_model
from bot.stack import Replicas, Stack, free_port
from bot.storage.db import Database
from tests.helpers.fake_zalo import FakeZalo
from tests.helpers.fake_zalo_process import FakeZaloProcess
from tests.helpers.db import (GAZETTEER, PG_SKIP_MESSAGE, copy_template, create_empty_database, drop_pg_database,
                              drop_templates, migrated_database, pg_available, random_pg_url, sqlite_file_url)


EXIT_WATCHDOG_SECONDS = 60


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The run's template databases are removed (tests/helpers/db.py).

    Watchdog for the end of the run: a thread left running (an engine never disposed, a
    server never stopped) would keep the interpreter from exiting after the summary. If the
    process is still alive a minute later, print every thread's stack and exit with a failure."""
    def expire() -> None:
        threading.Event().wait(EXIT_WATCHDOG_SECONDS)
        names = [t.name for t in threading.enumerate() if not t.daemon and t is not threading.main_thread()]
        sys.stderr.write(f"\npytest did not exit {EXIT_WATCHDOG_SECONDS} s after the run: threads {names} are "
                         "still running. Their stacks:\n")
        faulthandler.dump_traceback(all_threads=True)
        os._exit(exitstatus or 3)

    threading.Thread(target=expire, name="exit-watchdog", daemon=True).start()
    try:
        drop_templates()
    except Exception as error:  # noqa: BLE001 — the run's verdict stands; say what was left behind
        sys.stderr.write(f"\nthe run's template databases could not all be dropped: {error!r}\n")


SHARED_SYSTEM = ("stack", "fake_zalo")  # session fixtures that start processes: started once per run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`: two workers), the tests that use the running system
    all go to one worker, so it starts once, while the other worker runs the rest."""
    for item in items:
        if any(name in getattr(item, "fixturenames", ()) for name in SHARED_SYSTEM):
            item.add_marker(pytest.mark.xdist_group("shared-system"))


def start_stack(tmp: Path, database_url: str | None = None,
                extra_env: dict[str, str] | None = None, replicas: Replicas = Replicas()) -> Stack:
    """The system on free ports; its database is `database_url`, prepared by the caller, or else
    a SQLite file under `tmp` holding every ward, as `bot run` prepares it."""
    url = database_url or sqlite_file_url(tmp)
    if database_url is None:
        copy_template(url, GAZETTEER)
    env = {"TRACKER_SQLITE_PATH": str(tmp / "tracker.db"), "UPLOAD_DIR": str(tmp / "uploads"), **(extra_env or {})}
    stack = Stack(url, free_port(), free_port(), free_port(), newest_model(), log_dir=tmp / "log", extra_env=env,
                  replicas=replicas)
    return stack.start()


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    """Zalo's API, faked in this test's event loop (OA messages, OAuth, ZNS)."""
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture(scope="session")
def fake_zalo() -> Iterator[FakeZaloProcess]:
    """Zalo's API, faked in its own process for the whole session."""
    with FakeZaloProcess.start() as fake:
        yield fake


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, fake_zalo: FakeZaloProcess) -> Iterator[Stack]:
    """The whole system on free ports with a throw-away SQLite database, shared by a session;
    its Zalo channel talks to the fake Zalo."""
    running = start_stack(tmp_path_factory.mktemp("stack"), extra_env=fake_zalo.env())
    yield running
    running.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database not made yet: a temp SQLite file, or a PostgreSQL database with a
    random name, dropped after the test."""
    if request.param == "sqlite":
        yield sqlite_file_url(tmp_path)
        return
    if not pg_available():
        pytest.skip(PG_SKIP_MESSAGE)
    url = random_pg_url()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def db_url(new_db_url: str) -> str:
    """An empty database (tests of the migrations themselves)."""
    create_empty_database(new_db_url)
    return new_db_url


@pytest.fixture
async def db(new_db_url: str) -> AsyncIterator[Database]:
    """A migrated database with the sample wards (a copy of the run's template); every test
    using it runs on SQLite and PostgreSQL."""
    async with migrated_database(new_db_url) as database:
        yield database

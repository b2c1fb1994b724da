"""`python -m bot run` keeps its servers running and leaves nothing behind: a killed server is
restarted alone, SIGTERM stops everything within 10 s, and a killed `bot run` takes its
servers with it."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from bot.config import PROJECT_ROOT
from bot.modelops.agent import newest_model
from bot.stack import answers, free_port
from tests.helpers.models import activate_variant
from tests.helpers.processes import children_of, waited

# slow: a `bot run` of its own per test (three whole deployments), about 4 minutes
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]
SERVER_MODULES = ("bot.action_server", "bot.rasa_server", "bot.web")


def children(pid: int) -> Dict[str, int]:
    """The servers `bot run` started: module → pid."""
    found = {}
    for child, argv in children_of(pid):
        module = next((m for m in SERVER_MODULES if m.encode() in argv.split(b"\0")), None)
        if module:
            found[module] = child
    return found


def alive(pids: List[int]) -> List[int]:
    living = []
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.append(pid)
    return living


def wait_for(condition, timeout: float, step: float = 0.2) -> float:  # type: ignore[no-untyped-def]
    took = waited(condition, timeout, step)
    if took is None:
        raise AssertionError(f"not within {timeout} s")
    return took


class BotRun:
    def __init__(self, tmp: Path) -> None:
        self.ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "CONSOLE_PORT": free_port()}
        self.tmp = tmp
        (tmp / "models").mkdir()
        shutil.copy(newest_model(), tmp / "models")  # its registry's copies go under tmp, not models/
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_URL": f"sqlite:///{tmp / 'phananh.db'}",
               "TRACKER_SQLITE_PATH": str(tmp / "tracker.db"), "UPLOAD_DIR": str(tmp / "uploads"),
               "SECRETS_DIR": str(tmp / "secrets"), "MODELS_DIR": str(tmp / "models"),
               **{k: str(v) for k, v in self.ports.items()}}
        env.pop("APP_ENV", None)
        self.log = (tmp / "bot_run.log").open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.urls = {"bot.action_server": f"http://127.0.0.1:{self.ports['ACTION_PORT']}/health",
                     "bot.rasa_server": f"http://127.0.0.1:{self.ports['RASA_PORT']}/",
                     "bot.web": f"http://127.0.0.1:{self.ports['CONSOLE_PORT']}/healthz"}
        wait_for(lambda: all(answers(u) for u in self.urls.values()), 300, 1.0)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in alive(list(children(self.process.pid).values())):
            os.kill(pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture
def bot_run(tmp_path: Path) -> Iterator[BotRun]:
    running = BotRun(tmp_path)
    yield running
    running.stop()


def test_a_killed_server_is_restarted_alone_and_sigterm_stops_everything(bot_run: BotRun) -> None:
    before = children(bot_run.process.pid)
    assert set(before) == set(SERVER_MODULES)
    os.kill(before["bot.action_server"], signal.SIGKILL)
    wait_for(lambda: children(bot_run.process.pid).get("bot.action_server") not in (None, before["bot.action_server"]), 10)
    wait_for(lambda: answers(bot_run.urls["bot.action_server"]), 30)
    after = children(bot_run.process.pid)
    assert after["bot.rasa_server"] == before["bot.rasa_server"] and after["bot.web"] == before["bot.web"]
    assert bot_run.process.poll() is None

    servers = list(after.values())
    bot_run.process.send_signal(signal.SIGTERM)
    took = wait_for(lambda: bot_run.process.poll() is not None and not alive(servers), 10)
    assert bot_run.process.returncode == 0, took


def test_a_killed_bot_run_takes_its_servers_with_it(bot_run: BotRun) -> None:
    servers = list(children(bot_run.process.pid).values())
    assert len(servers) == 3
    bot_run.process.kill()
    bot_run.process.wait()
    wait_for(lambda: not alive(servers), 10)


def test_a_restarted_rasa_serves_the_model_an_admin_activated(bot_run: BotRun) -> None:
    """`bot run` pins no model file: a Rasa server started again loads the registry's active
    model, not the one the system started with."""
    version = activate_variant(f"sqlite:///{bot_run.tmp / 'phananh.db'}", bot_run.tmp / "models" / "history",
                               bot_run.tmp)
    rasa = children(bot_run.process.pid)["bot.rasa_server"]
    os.kill(rasa, signal.SIGKILL)
    wait_for(lambda: children(bot_run.process.pid).get("bot.rasa_server") not in (None, rasa), 10)
    wait_for(lambda: answers(bot_run.urls["bot.rasa_server"]), 300, 1.0)
    token = (bot_run.tmp / "secrets" / "rasa_token").read_text().strip()
    status = f"http://127.0.0.1:{bot_run.ports['RASA_PORT']}/status?token={token}"
    with urllib.request.urlopen(status, timeout=10) as answer:
        assert json.loads(answer.read())["model_file"] == version.name

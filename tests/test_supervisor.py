"""The supervisor of `bot run`: restarts, backoff, giving up — on stand-in processes and a clock."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

from bot.stack import Service, Stack, stop_all
from bot.supervisor import RestartPolicy, Supervisor, exit_reason


class FakeStack(Stack):
    """A stack whose "servers" are short Python processes; `spawn` counts the starts."""

    def __init__(self, names: List[str], script: str) -> None:
        super().__init__("sqlite://", 1, 2, 3, Path("model.tar.gz"))
        self.script = script
        self.services = [Service(name, [sys.executable, "-c", script], "") for name in names]
        self.starts: List[str] = []
        for service in self.services:
            self.spawn(service)

    def spawn(self, service: Service, env: object = None) -> None:  # type: ignore[override]
        self.starts.append(service.name)
        service.process = subprocess.Popen(service.argv, start_new_session=True)


def test_a_crashed_server_is_restarted_alone_after_a_growing_delay() -> None:
    stack = FakeStack(["crashes", "stays"], "import sys, time; sys.argv and time.sleep(30)")
    now = [0.0]
    supervisor = Supervisor(stack, RestartPolicy(delays=(1.0, 2.0), window=100, max_restarts=3), clock=lambda: now[0])
    try:
        crashed = stack.services[0].process
        crashed.kill()
        crashed.wait()
        assert supervisor.check() and stack.starts.count("crashes") == 1  # scheduled, not yet
        now[0] = 1.0
        assert supervisor.check() and stack.starts.count("crashes") == 2
        second = stack.services[0].process
        second.kill()
        second.wait()
        now[0] = 1.5
        supervisor.check()
        now[0] = 3.0  # 1.5 + 2 s: not yet
        supervisor.check()
        assert stack.starts.count("crashes") == 2
        now[0] = 3.6
        supervisor.check()
        assert stack.starts.count("crashes") == 3 and stack.starts.count("stays") == 1
    finally:
        stop_all([s.process for s in stack.services], grace=2)


def test_too_many_restarts_in_the_window_gives_up() -> None:
    stack = FakeStack(["flaky"], "raise SystemExit(3)")
    now = [0.0]
    supervisor = Supervisor(stack, RestartPolicy(delays=(0.0,), window=60, max_restarts=2), clock=lambda: now[0])
    results = []
    for step in range(8):
        stack.services[0].process.wait()
        now[0] = float(step)
        results.append(supervisor.check())
    assert results[-1] is False and "exit code 3" in (supervisor.gave_up or "")
    assert stack.starts.count("flaky") == 3  # the first start and two restarts


def test_exit_reasons_are_said_in_words() -> None:
    assert exit_reason(-9) == "killed by SIGKILL" and exit_reason(2) == "exit code 2"

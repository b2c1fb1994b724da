"""Keeping the servers of `bot run` running: a crashed server is started again, alone.

A server that exits is restarted after a short, growing delay (1 s, 2 s, 4 s, then 8 s); the
others keep running. More than `max_restarts` restarts of one server within `window` seconds
means something is wrong that restarting will not fix: the supervisor gives up, and `bot run`
stops everything and exits non-zero, so systemd (`Restart=on-failure`) or an operator sees it.
"""
from __future__ import annotations

import logging
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Deque, Dict, Optional

from bot.stack import Service, Stack

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestartPolicy:
    delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    window: float = 300.0
    max_restarts: int = 5


@dataclass
class _History:
    restarts: Deque[float] = field(default_factory=deque)
    due: Optional[float] = None  # when the pending restart may happen


def exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    def __init__(self, stack: Stack, policy: RestartPolicy = RestartPolicy(),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stack, self.policy, self.clock = stack, policy, clock
        self.history: Dict[str, _History] = {s.name: _History() for s in stack.services}
        self.gave_up: Optional[str] = None

    def check(self) -> bool:
        """One round: restart what is due. False once a server has crashed too often."""
        now = self.clock()
        for service in self.stack.services:
            if service.process is None or service.process.poll() is None:
                continue
            if not self._due(service, now):
                continue
            if self.gave_up:
                return False
            logger.warning("Restarting %s", service.name)
            self.stack.spawn(service)
        return self.gave_up is None

    def _due(self, service: Service, now: float) -> bool:
        """Is a crashed server's restart due now? The first look schedules it."""
        history = self.history[service.name]
        if history.due is None:
            while history.restarts and now - history.restarts[0] > self.policy.window:
                history.restarts.popleft()
            count = len(history.restarts)
            code = service.process.returncode if service.process else 0
            if count >= self.policy.max_restarts:
                self.gave_up = (f"{service.name} stopped ({exit_reason(code)}) after {count} restarts "
                                f"in {self.policy.window:.0f} s")
                logger.error("Giving up: %s", self.gave_up)
                return True
            delay = self.policy.delays[min(count, len(self.policy.delays) - 1)]
            logger.error("%s stopped (%s); restarting it in %.0f s", service.name, exit_reason(code), delay)
            history.due = now + delay
        if now < history.due:
            return False
        history.restarts.append(now)
        history.due = None
        return True

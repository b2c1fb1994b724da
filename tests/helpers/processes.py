"""Watching processes from outside: a parent's children from /proc, and waiting for a condition
(the supervision tests and `bench.faults_bench`)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, List, Optional, Tuple


def children_of(parent: int) -> List[Tuple[int, bytes]]:
    """The processes whose parent is `parent`: (pid, command line with its NUL separators)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent:
            found.append((int(entry.name), argv))
    return found


def waited(condition: Callable[[], object], timeout: float, step: float = 0.2) -> Optional[float]:
    """Seconds until `condition()` held, or None once `timeout` seconds have passed."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None

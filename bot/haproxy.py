"""HAProxy in front of several Rasa, action and web servers: its configuration, from the
template `deploy/haproxy/haproxy.cfg.j2`.

`python -m bot run --rasa-replicas N …` renders it for one machine (replicas on loopback ports);
`python -m bot haproxy-config` renders it for servers on several machines (README "Scaling out").
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import jinja2

from bot.config import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "deploy" / "haproxy" / "haproxy.cfg.j2"
HEALTH_PATH = "/haproxy-health"  # HAProxy can serve: one server of each kind is up
READY_PATH = "/haproxy-ready"  # every server is up


@dataclass(frozen=True)
class Layout:
    """Where HAProxy listens (host:port) and where the replicas of each server are (host:port)."""

    rasa_bind: str
    action_bind: str
    web_bind: str
    monitor_bind: str
    rasa: Sequence[str]
    action: Sequence[str]
    web: Sequence[str]
    maxconn: int = 4096
    system: bool = False  # Debian's haproxy.service (root at start): drop to the haproxy user, chroot

    def problems(self) -> list[str]:
        return [f"no {name} server given" for name in ("rasa", "action", "web") if not getattr(self, name)]


def render(layout: Layout, template: Path = TEMPLATE) -> str:
    if problems := layout.problems():
        raise ValueError("; ".join(problems))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    return env.from_string(template.read_text(encoding="utf-8")).render(**layout.__dict__)


def binary() -> str | None:
    """Debian's haproxy (`apt-get install haproxy`), or HAPROXY_BIN."""
    import os

    return os.environ.get("HAPROXY_BIN") or shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)


def check(config: Path) -> str:
    """HAProxy's own verdict on a configuration file: "" if valid, else what it said."""
    haproxy = binary()
    if haproxy is None:
        return "haproxy is not installed (apt-get install haproxy)"
    result = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    if result.returncode == 0:
        return ""
    said = (result.stderr + result.stdout).splitlines()
    return "\n".join(line for line in said if "ALERT" in line or "WARNING" in line) or "\n".join(said)

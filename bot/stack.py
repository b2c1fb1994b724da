"""Start and stop the whole system: action server, Rasa server and our web server.

Used by `python -m bot run` (make run), by the end-to-end tests and by the benchmark, so
all three start the system the same way.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot import haproxy
from bot.config import PROJECT_ROOT, TRACKER_SQLITE, Settings, python_path
from bot.modelops.delivery import MODEL_PATH
from bot.secret_files import REQUIRED, generate

logger = logging.getLogger(__name__)
VENV_BIN = Path(sys.executable).parent
STOP_GRACE_SECONDS = 8.0  # a stop takes at most this (and a kill): within the 10 s systemd allows
PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    name: str
    argv: List[str]
    health_url: str
    process: Optional[subprocess.Popen] = None
    log_path: Optional[Path] = None
    env: Dict[str, str] = field(default_factory=dict)  # this server's own variables (its port…)


@dataclass(frozen=True)
class Replicas:
    """How many of each server run. More than one of any: HAProxy listens on the public ports
    and spreads the work over replicas on loopback ports of their own (`bot.haproxy`)."""

    rasa: int = 1
    action: int = 1
    web: int = 1

    @property
    def scaled(self) -> bool:
        return max(self.rasa, self.action, self.web) > 1


def fresh_secrets() -> Dict[str, str]:
    """A new value for every secret: a stack of its own for a test or a benchmark."""
    return {spec.env: generate() for spec in REQUIRED}


def resolved_secrets(settings: Settings) -> Dict[str, str]:
    """The configured secrets (generated into var/secrets/ in development), for `bot run`."""
    return {spec.env: settings.secrets(spec) for spec in REQUIRED}


@dataclass
class Stack:
    database_url: str
    rasa_port: int
    action_port: int
    web_port: int
    model: Optional[Path]  # None: each Rasa server loads the registry's active model when it (re)starts
    secrets: Dict[str, str] = field(default_factory=fresh_secrets)
    log_dir: Path = PROJECT_ROOT / "var" / "log"
    extra_env: Dict[str, str] = field(default_factory=dict)
    services: List[Service] = field(default_factory=list)
    inherit_output: bool = False
    replicas: Replicas = field(default_factory=Replicas)
    replica_ports: Dict[str, List[int]] = field(default_factory=dict)  # scaled: loopback ports behind HAProxy

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def token(self) -> str:
        """Rasa's HTTP API token."""
        return self.secrets["RASA_TOKEN"]

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url,
            RASA_PORT=str(self.rasa_port),
            ACTION_PORT=str(self.action_port),
            CONSOLE_PORT=str(self.web_port),
            ACTION_ENDPOINT_URL=f"{self.action_url}/webhook",
            TRACKER_SQLITE_PATH=env.get("TRACKER_SQLITE_PATH", str(PROJECT_ROOT / TRACKER_SQLITE)),
            RASA_PUBLIC_URL=env.get("RASA_PUBLIC_URL", f"http://localhost:{self.rasa_port}"),
            PUBLIC_BASE_URL=env.get("PUBLIC_BASE_URL", f"http://localhost:{self.web_port}"),
            MODEL_SERVER_URL=env.get("MODEL_SERVER_URL", f"{self.web_url}{MODEL_PATH}"),
            PYTHONPATH=python_path(env),
            TF_CPP_MIN_LOG_LEVEL="2",
            SANIC_NO_UVLOOP="true",
            RASA_TELEMETRY_ENABLED="false",
        )
        env.update(self.secrets)
        env.update(self.extra_env)
        return env

    def _services(self) -> List[Service]:
        if self.replicas.scaled:
            return self._scaled_services()
        python = str(VENV_BIN / "python")
        return [
            Service("action server", [python, "-m", "bot.action_server", "--port", str(self.action_port)],
                    f"{self.action_url}/health"),
            Service("rasa server", [python, "-m", "bot.rasa_server", "--port", str(self.rasa_port),
                                    *self._model_argument()], f"{self.rasa_url}/"),
            Service("web server", [python, "-m", "bot.web"], f"{self.web_url}/healthz"),
        ]

    def _scaled_services(self) -> List[Service]:
        """Every replica on a loopback port of its own, HAProxy on the public ports. A Rasa
        replica calls the actions through HAProxy and pulls new models from the web servers
        through it; the web servers swap models on every Rasa replica (RASA_INTERNAL_URLS)."""
        python = str(VENV_BIN / "python")
        ports = self.replica_ports = self.replica_ports or {
            "rasa": [free_port() for _ in range(self.replicas.rasa)],
            "action": [free_port() for _ in range(self.replicas.action)],
            "web": [free_port() for _ in range(self.replicas.web)],
            "monitor": [free_port()],
        }
        threads = self._tensorflow_threads()
        rasa_urls = ",".join(f"http://127.0.0.1:{port}" for port in ports["rasa"])
        services = [Service(f"action server {i}", [python, "-m", "bot.action_server", "--host", "127.0.0.1",
                                                   "--port", str(port)], f"http://127.0.0.1:{port}/health") for i, port in enumerate(ports["action"], 1)]
        services += [Service(f"rasa server {i}", [python, "-m", "bot.rasa_server", "--port", str(port),
                                                  *self._model_argument()], f"http://127.0.0.1:{port}/",
                             env={"RASA_HOST": "127.0.0.1", "RASA_PORT": str(port), **threads})
                     for i, port in enumerate(ports["rasa"], 1)]
        proxies = ",".join(filter(None, [self.env().get("TRUSTED_PROXIES"), "127.0.0.1/32"]))
        services += [Service(f"web server {i}", [python, "-m", "bot.web"], f"http://127.0.0.1:{port}/healthz",
                             env={"CONSOLE_HOST": "127.0.0.1", "CONSOLE_PORT": str(port), "RASA_INTERNAL_URLS": rasa_urls,
                                  "TRUSTED_PROXIES": proxies})
                     for i, port in enumerate(ports["web"], 1)]
        config = self.log_dir / f"haproxy_{self.rasa_port}.cfg"
        layout = self.layout()
        config.write_text(haproxy.render(layout), encoding="utf-8")
        services.append(Service("haproxy", [haproxy.binary() or "haproxy", "-db", "-f", str(config)],
                                f"http://{layout.monitor_bind}{haproxy.READY_PATH}"))
        return services

    def _model_argument(self) -> List[str]:
        return ["--model", str(self.model)] if self.model is not None else []

    def _tensorflow_threads(self) -> Dict[str, str]:
        """TensorFlow's thread pools for one of N Rasa replicas on this machine: the cores
        shared out, so that N replicas do not each run a pool as wide as the machine (they
        would then take turns on the cores instead of using them). The operator's own
        TF_*_PARALLELISM_THREADS win."""
        env = self.env()
        cores = max(1, (os.cpu_count() or 1) // max(1, self.replicas.rasa))
        wanted = {"TF_INTRA_OP_PARALLELISM_THREADS": str(cores), "TF_INTER_OP_PARALLELISM_THREADS": "1"}
        return {name: value for name, value in wanted.items() if name not in env}

    def layout(self) -> haproxy.Layout:
        """HAProxy's layout for the replicas' ports: the public ports on the configured hosts
        (loopback unless told otherwise), the replicas and the monitor on loopback."""
        ports, env = self.replica_ports, self.env()
        return haproxy.Layout(
            rasa_bind=f"{env.get('RASA_HOST', '127.0.0.1')}:{self.rasa_port}",
            action_bind=f"127.0.0.1:{self.action_port}",
            web_bind=f"{env.get('CONSOLE_HOST', '127.0.0.1')}:{self.web_port}",
            monitor_bind=f"127.0.0.1:{ports['monitor'][0]}",
            rasa=[f"127.0.0.1:{p}" for p in ports["rasa"]], action=[f"127.0.0.1:{p}" for p in ports["action"]],
            web=[f"127.0.0.1:{p}" for p in ports["web"]])

    def start(self, timeout: float = 240.0) -> "Stack":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.services = self._services()
        for service in self.services:
            service.log_path = self.log_dir / f"{service.name.replace(' ', '_')}_{self.rasa_port}.log"
            self.spawn(service)
        deadline = time.monotonic() + timeout
        for service in self.services:
            self._wait_healthy(service, deadline)
        return self

    def _wait_healthy(self, service: Service, deadline: float) -> None:
        while time.monotonic() < deadline:
            if service.process and service.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{service.name} exited early; see {service.log_path}")
            if answers(service.health_url):
                return
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"{service.name} did not become healthy; see {service.log_path}")

    def spawn(self, service: Service) -> None:
        """Start (or start again) one server, in a process group of its own that dies with us."""
        output = None if self.inherit_output else (service.log_path or Path(os.devnull)).open("ab")
        service.process = subprocess.Popen(
            service.argv, cwd=PROJECT_ROOT, env={**self.env(), **service.env}, stdout=output,
            stderr=subprocess.STDOUT if output else None, start_new_session=True, preexec_fn=die_with_parent,
        )

    def restart_service(self, name: str, timeout: float = 120.0) -> None:
        """Start one stopped server again and wait until it answers (tests and benchmarks)."""
        service = next(s for s in self.services if s.name == name)
        stop_all([service.process])
        self.spawn(service)
        self._wait_healthy(service, time.monotonic() + timeout)

    def stop_service(self, name: str) -> None:
        stop_all([s.process for s in self.services if s.name == name])

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Every server told to stop at once; what is still running after `grace` is killed."""
        stop_all([s.process for s in reversed(self.services)], grace)




def answers(url: str) -> bool:
    """Does the server answer 200 at this (health check) URL?"""
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def die_with_parent() -> None:
    """In the child, before exec: the kernel sends SIGKILL when the parent dies, so a killed
    `bot run` leaves no server behind holding its port (Linux; a no-op elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def stop_all(processes: List[Optional[subprocess.Popen]], grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM to each process group, one shared deadline, then SIGKILL to what is left."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in running:
        _signal_group(process, signal.SIGKILL)  # the group: whatever the server started, too
        if process.poll() is None:
            process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_group(process: Optional[subprocess.Popen], grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop a process started with `start_new_session=True`, and everything it started."""
    stop_all([process], grace)

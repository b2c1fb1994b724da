"""`python -m bot run`: the whole system on this machine, until Ctrl-C or SIGTERM.

A server that crashes is restarted alone (`bot.supervisor`); SIGTERM/SIGINT stop every server
within 10 s; the servers die with this process even when it is killed (`bot.stack`)."""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import threading
from typing import Any, Optional

from bot import haproxy
from bot.config import Settings, endpoint_problems, get_settings, production_problems
from bot.modelops.service import startup_model
from bot.stack import Replicas, Stack, resolved_secrets
from bot.supervisor import Supervisor
from bot.storage.setup import prepare_database

PRODUCTION_RASA_REPLICAS = 2


def register(commands: Any) -> None:
    p = commands.add_parser("run", help="start the action server, the Rasa server and the web server")
    for server, variable in (("rasa", "RASA_REPLICAS"), ("action", "ACTION_REPLICAS"), ("web", "WEB_REPLICAS")):
        # a string default: argparse converts it when `run` is parsed, and says so if it is not a number
        p.add_argument(f"--{server}-replicas", type=int, default=os.environ.get(variable) or None,
                       metavar="N", help=f"how many {server} servers, behind HAProxy if more than one "
                                         f"(default: {variable}; else {_default_help(server)})")
    p.set_defaults(handler=_run)


def _default_help(server: str) -> str:
    return f"{PRODUCTION_RASA_REPLICAS} in production with HAProxy installed, else 1" if server == "rasa" else "1"


def chosen_replicas(args: argparse.Namespace, settings: Settings, haproxy_installed: bool) -> Replicas:
    """What the command line or the variables ask for; otherwise one of each, and in production
    two Rasa servers behind HAProxy when it is installed: one that dies is started again
    (10-20 s to load TensorFlow and the model) while the other answers its conversations."""
    def given(value: Optional[int], default: int) -> int:
        return default if value is None else value

    rasa_default = PRODUCTION_RASA_REPLICAS if settings.production and haproxy_installed else 1
    return Replicas(given(args.rasa_replicas, rasa_default), given(args.action_replicas, 1), given(args.web_replicas, 1))


def replica_problems(replicas: Replicas, settings: Settings) -> list[str]:
    """Why these replicas cannot run here (nothing for the usual one of each)."""
    problems = [f"--{name}-replicas must be at least 1" for name in ("rasa", "action", "web")
                if getattr(replicas, name) < 1]
    if not replicas.scaled:
        return problems
    if haproxy.binary() is None:
        problems.append("several replicas run behind HAProxy, which is not installed (apt-get install haproxy)")
    if replicas.rasa > 1:
        problems += [f"several Rasa replicas share conversations and locks: {p} (RASA_ENDPOINTS="
                     "endpoints.production.yml)" for p in endpoint_problems(settings.rasa_endpoints)]
    return problems


def _run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if problems := production_problems(settings):
        print("Refusing to start in production mode:\n" + "\n".join(f"  - {p}" for p in problems), flush=True)
        return 2
    replicas = chosen_replicas(args, settings, haproxy.binary() is not None)
    if settings.production and replicas.rasa == 1 and args.rasa_replicas is None:
        print("HAProxy is not installed: one Rasa server, so a crash of it interrupts conversations while it "
              "restarts (apt-get install haproxy: two by default)", flush=True)
    if problems := replica_problems(replicas, settings):
        print("Cannot start these replicas:\n" + "\n".join(f"  - {p}" for p in problems), flush=True)
        return 2
    asyncio.run(prepare_database(settings.database_url))
    model = asyncio.run(startup_model(settings))
    # no model file pinned: a server restarted after an admin activated a model loads that one
    stack = Stack(settings.database_url, settings.rasa_port, settings.action_port, settings.console_port,
                  None, secrets=resolved_secrets(settings), inherit_output=True, replicas=replicas)
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    print("Starting phananh (the first start loads TensorFlow: about a minute)…", flush=True)
    stack.start()
    print(
        "\nphananh is running:\n"
        f"  web chat            http://localhost:{settings.console_port}/\n"
        f"  staff console       http://localhost:{settings.console_port}/console/  (accounts: python -m bot users)\n"
        f"  public page         http://localhost:{settings.console_port}/tra-cuu  (look-up by code, wards' figures)\n"
        f"  Rasa (REST, socket.io, HTTP API with RASA_TOKEN)  http://{settings.rasa_host}:{settings.rasa_port}/\n"
        f"  action server       http://{settings.action_host}:{settings.action_port}/health  (Rasa only)\n"
        f"  database            {settings.database_url}\n"
        f"  model               {model.name}  (python -m bot model list)\n"
        f"  secrets             {'from the environment' if settings.production else settings.secrets.directory}\n"
        + (f"  replicas            {replicas.rasa} Rasa, {replicas.action} action, {replicas.web} web, "
           f"behind HAProxy (monitor: http://{stack.layout().monitor_bind}/haproxy-health)\n" if replicas.scaled else "")
        + "Press Ctrl-C to stop.",
        flush=True,
    )
    supervisor = Supervisor(stack)
    healthy = True
    try:
        while healthy and not stopped.wait(0.5):
            healthy = supervisor.check()
    finally:
        print("Stopping…", flush=True)
        stack.stop()
    if not healthy:
        print(f"phananh stopped: {supervisor.gave_up}", flush=True)
        return 1
    return 0

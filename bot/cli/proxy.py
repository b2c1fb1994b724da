"""`python -m bot haproxy-config`: HAProxy's configuration for servers on several machines.

    python -m bot haproxy-config --rasa 10.0.0.11:5005 --rasa 10.0.0.12:5005 \\
        --action 10.0.0.11:5055 --action 10.0.0.12:5055 --web 10.0.0.10:8080 > /etc/haproxy/haproxy.cfg

The output is checked with `haproxy -c` before it is printed (README "Scaling out").
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot import haproxy
from bot.config import DEFAULT_ACTION_PORT, DEFAULT_CONSOLE_PORT, DEFAULT_RASA_PORT


def register(commands: Any) -> None:
    p = commands.add_parser("haproxy-config", help="print HAProxy's configuration for replicas on several machines")
    for server, port in (("rasa", DEFAULT_RASA_PORT), ("action", DEFAULT_ACTION_PORT), ("web", DEFAULT_CONSOLE_PORT)):
        p.add_argument(f"--{server}", action="append", default=[], metavar="HOST:PORT", required=True,
                       help=f"a {server} server (repeat for each replica)")
        p.add_argument(f"--{server}-bind", default=f"127.0.0.1:{port}", metavar="HOST:PORT",
                       help=f"where HAProxy listens for the {server} servers (default 127.0.0.1:{port})")
    p.add_argument("--monitor-bind", default="127.0.0.1:8404", metavar="HOST:PORT",
                   help=f"HAProxy's own health check, {haproxy.HEALTH_PATH} (default 127.0.0.1:8404)")
    p.set_defaults(handler=_print)


def _print(args: argparse.Namespace) -> int:
    layout = haproxy.Layout(rasa_bind=args.rasa_bind, action_bind=args.action_bind, web_bind=args.web_bind,
                            monitor_bind=args.monitor_bind, rasa=args.rasa, action=args.action, web=args.web,
                            system=True)
    text = haproxy.render(layout)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "haproxy.cfg"
        config.write_text(text, encoding="utf-8")
        if verdict := haproxy.check(config):
            print(f"HAProxy refuses this configuration:\n{verdict}", file=sys.stderr)
            return 1
    sys.stdout.write(text)
    return 0

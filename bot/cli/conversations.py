"""`python -m bot eval-conversations`: simulated citizens (`bot.evaluation.conversations`) over
REST against the whole system, started on a scratch database."""
from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bot.evaluation.conversations import GOALS, Services, load_goals, print_figures, run_goals
from bot.modelops.agent import newest_model
from bot.stack import Stack, free_port
from bot.storage.setup import prepare_database


def _command(args: argparse.Namespace) -> int:
    goals = load_goals(Path(args.goals))
    if args.only:
        goals = [g for g in goals if g.get("id") in set(args.only.split(","))]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/phananh.db"
        asyncio.run(prepare_database(url))
        env = {"TRACKER_SQLITE_PATH": f"{tmp}/tracker.db", "UPLOAD_DIR": f"{tmp}/uploads"}
        stack = Stack(url, free_port(), free_port(), free_port(), newest_model(), log_dir=Path(tmp) / "log",
                      extra_env=env).start()
        try:
            services = Services(stack.rasa_url, url, stack.env()["PUBLIC_BASE_URL"])
            figures = asyncio.run(run_goals(goals, services, strict=not args.lenient))
        finally:
            stack.stop()
    print_figures(figures, args.show_failures)
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser("eval-conversations", help="simulated citizens over REST against the whole system")
    parser.add_argument("--goals", default=str(GOALS))
    parser.add_argument("--only", default="", help="comma-separated goal ids")
    parser.add_argument("--lenient", action="store_true", help="click 'Gửi phản ánh' when a typed confirmation fails")
    parser.add_argument("--show-failures", action="store_true", help="print the transcript of each failure")
    parser.set_defaults(handler=_command)

"""`python -m bot …`: the project's command line."""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from bot.cli import conversations, db, model, proxy, route, run, users, validate, zalo
from bot.config import log_level
from bot.evaluation import fallback_tuning, intents, run as evaluation
from bot.logs import configure_logging


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description="phananh command line")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (route, db, run, proxy, zalo, users, model, validate, evaluation, fallback_tuning, conversations, intents):
        module.register(commands)
    args = parser.parse_args(argv)
    try:
        configure_logging(log_level(os.environ))
    except ValueError as error:
        parser.exit(2, f"{error}\n")
    sys.exit(args.handler(args) or 0)

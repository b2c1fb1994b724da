"""`python -m bot …`: the project's command line."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from bot.cli import db, model, proxy, route, run, users, validate, zalo
from bot.evaluation import conversations, fallback_tuning, intents, run as evaluation


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description="phananh command line")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (route, db, run, proxy, zalo, users, model, validate, evaluation, fallback_tuning, conversations, intents):
        module.register(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    sys.exit(args.handler(args) or 0)

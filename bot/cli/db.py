"""`python -m bot db init`: migrate the database and seed Hanoi's wards."""
from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.config import get_settings
from bot.storage.setup import prepare_database


def register(commands: Any) -> None:
    p = commands.add_parser("db", help="database maintenance")
    sub = p.add_subparsers(dest="db_command", required=True)
    init = sub.add_parser("init", help="migrate to the newest schema and seed the wards")
    init.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    init.set_defaults(handler=_init)


def _init(args: argparse.Namespace) -> int:
    url = args.url or get_settings().database_url
    count = asyncio.run(prepare_database(url))
    print(f"Database ready: {count} wards.")
    return 0

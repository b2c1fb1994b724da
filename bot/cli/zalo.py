"""`python -m bot zalo set-tokens`: replace the OA's stored tokens (e.g. after re-authorising).

Tokens are read from standard input, two lines (access token, then refresh token), so they
stay out of the shell history and the process list.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from typing import Any

from bot.config import get_settings
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.storage.setup import prepare_database
from bot.zalo.api import mask
from bot.zalo.tokens import store_tokens


def register(commands: Any) -> None:
    p = commands.add_parser("zalo", help="Zalo Official Account maintenance")
    sub = p.add_subparsers(dest="zalo_command", required=True)
    tokens = sub.add_parser("set-tokens", help="store a new access and refresh token (two lines on stdin)")
    tokens.add_argument("--expires-in", type=int, default=90000, help="access token lifetime in seconds")
    tokens.set_defaults(handler=_set_tokens)


async def _store(access: str, refresh: str, expires_in: int) -> None:
    settings = get_settings()
    await prepare_database(settings.database_url)
    db = Database(settings.database_url)
    try:
        await store_tokens(db, settings.zalo.app_id, access, refresh, utcnow() + timedelta(seconds=expires_in))
    finally:
        await db.dispose()


def _set_tokens(args: argparse.Namespace) -> int:
    if not get_settings().zalo.enabled:
        print("ZALO_APP_ID is not set: tokens belong to an app.", file=sys.stderr)
        return 2
    lines = [line.strip() for line in sys.stdin.read().splitlines() if line.strip()]
    if len(lines) != 2:
        print("Give two lines on standard input: the access token, then the refresh token.", file=sys.stderr)
        return 2
    access, refresh = lines
    asyncio.run(_store(access, refresh, args.expires_in))
    print(f"Stored Zalo tokens {mask(access)} / {mask(refresh)} for app {get_settings().zalo.app_id}.")
    return 0

"""What the database-backed commands share."""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Awaitable, Callable

from bot.config import get_settings
from bot.storage.db import Database, migrate

Command = Callable[[Database, argparse.Namespace], Awaitable[int]]


def run_with_database(command: Command, args: argparse.Namespace,
                      refusals: tuple[type[Exception], ...] = ()) -> int:
    """Migrate, run `command` with a database, print a refusal's `message` and exit 1."""
    url = get_settings().database_url
    migrate(url)

    async def run() -> int:
        db = Database(url)
        try:
            return await command(db, args)
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except refusals as refused:
        print(f"error: {getattr(refused, 'message', refused)}", file=sys.stderr)
        return 1

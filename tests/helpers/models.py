"""A second model for tests of model swaps: the build model under another checksum, activated
in a registry as an admin would."""
from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

from bot.modelops import registry
from bot.modelops.agent import newest_model
from bot.storage.db import Database


def variant_model(path: Path) -> Path:
    """The build model with a second gzip member after its tar: the same model when loaded
    (the extra bytes follow the tar's end), another SHA-256 and so another registry version."""
    path.write_bytes(newest_model().read_bytes() + gzip.compress(b"\0" * 1024))
    return path


def activate_variant(database_url: str, history_dir: Path, folder: Path) -> registry.Version:
    async def activate() -> registry.Version:
        db = Database(database_url)
        try:
            version = await registry.register(db, history_dir, variant_model(folder / "variant.tar.gz"),
                                              registry.BUILD)
            await registry.record_activation(db, version.id, registry.ACTIVATE, "test")
            return version
        finally:
            await db.dispose()

    return asyncio.run(activate())

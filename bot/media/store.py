"""Stores images on disk under random, unguessable names, cleaned of their metadata."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from pathlib import Path

from bot.media.images import TYPES_BY_EXTENSION, ImageType, clean_image

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

_NAME_PATTERN = re.compile(
    r"^[0-9a-f]{32}\.(?P<ext>" + "|".join(TYPES_BY_EXTENSION) + r")$"
)


class UploadStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def save_clean(self, data: bytes) -> str | None:
        """Clean the image (`clean_image`, off the event loop) and store it; None when it is
        not an image we accept."""
        loop = asyncio.get_running_loop()
        cleaned = await loop.run_in_executor(None, clean_image, data)
        if cleaned is None:
            return None
        return await self.save(cleaned.data, cleaned.image_type)

    def stored_before(self, seconds_ago: float) -> list[str]:
        """Names of the stored files last changed more than `seconds_ago` seconds ago."""
        if not self.directory.is_dir():
            return []
        cutoff = time.time() - seconds_ago
        return [p.name for p in self.directory.iterdir()
                if _NAME_PATTERN.fullmatch(p.name) and p.stat().st_mtime < cutoff]

    async def save(self, data: bytes, image_type: ImageType) -> str:
        """Write ``data`` atomically and return the new file name."""
        name = f"{secrets.token_hex(16)}.{image_type.extension}"
        await asyncio.get_running_loop().run_in_executor(None, self._write, name, data)
        return name

    def resolve(self, name: str) -> tuple[Path, ImageType] | None:
        """Return the stored file and its type, or None for unknown/unsafe names."""
        match = _NAME_PATTERN.fullmatch(name)
        if match is None:
            return None
        path = self.directory / name
        if not path.is_file():
            return None
        return path, TYPES_BY_EXTENSION[match["ext"]]

    def discard(self, name: str) -> None:
        """Remove a stored file (e.g. a photo whose report change was refused)."""
        if _NAME_PATTERN.fullmatch(name):
            (self.directory / name).unlink(missing_ok=True)

    def _write(self, name: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.part"
        partial.write_bytes(data)
        os.replace(partial, self.directory / name)

"""Stores uploaded images on disk under random, unguessable names."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from pathlib import Path

from bot.web.images import TYPES_BY_EXTENSION, ImageType

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

_NAME_PATTERN = re.compile(
    r"^[0-9a-f]{32}\.(?P<ext>" + "|".join(TYPES_BY_EXTENSION) + r")$"
)


class UploadStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

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

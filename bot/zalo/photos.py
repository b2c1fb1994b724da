"""Copy a photo a citizen sent on Zalo into our own upload store.

Zalo's CDN links are not ours to keep: staff must see the evidence months later. The copy
is checked and cleaned like a web upload (size cap, a real image, its metadata removed) and
registered under the Zalo user, who alone may attach it to a report. If the copy fails, the
photo is not kept: a link to Zalo's CDN would expire, and is not ours to show staff.
"""
from __future__ import annotations

import asyncio
import logging

import aiohttp

from bot.media.links import photo_url
from bot.media.store import MAX_UPLOAD_BYTES, UploadStore
from bot.storage.db import Database
from bot.storage.uploads import record_upload

logger = logging.getLogger(__name__)
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=20)


async def keep_photo(session: aiohttp.ClientSession, url: str, store: UploadStore, db: Database,
                     user_id: str, public_base_url: str) -> str | None:
    """Our copy's URL, or None when the photo could not be copied."""
    try:
        async with session.get(url, timeout=DOWNLOAD_TIMEOUT) as response:
            response.raise_for_status()
            data = await response.content.read(MAX_UPLOAD_BYTES + 1)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        logger.warning("Could not copy the Zalo photo %s: %r", url, error)
        return None
    name = await store.save_clean(data) if len(data) <= MAX_UPLOAD_BYTES else None
    if name is None:
        logger.warning("Zalo photo %s is not an image we accept (%d bytes)", url, len(data))
        return None
    await record_upload(db, name, user_id, "zalo")
    return photo_url(public_base_url, name)

"""Copy a photo a citizen sent on Zalo into our own upload store.

Zalo's CDN links are not ours to keep: staff must see the evidence months later. The copy
is checked like a web upload (size cap, image type by magic bytes). If the copy fails, the
report keeps Zalo's link rather than losing the photo.
"""
from __future__ import annotations

import asyncio
import logging

import aiohttp

from bot.web.images import sniff_image_type
from bot.web.upload_store import MAX_UPLOAD_BYTES, UploadStore

logger = logging.getLogger(__name__)
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=20)


async def keep_photo(session: aiohttp.ClientSession, url: str, store: UploadStore, public_base_url: str) -> str:
    try:
        async with session.get(url, timeout=DOWNLOAD_TIMEOUT) as response:
            response.raise_for_status()
            data = await response.content.read(MAX_UPLOAD_BYTES + 1)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.warning("Could not copy the Zalo photo %s: %r; keeping Zalo's link", url, error)
        return url
    image_type = sniff_image_type(data[:16])
    if len(data) > MAX_UPLOAD_BYTES or image_type is None:
        logger.warning("Zalo photo %s is not an image we accept (%d bytes); keeping Zalo's link", url, len(data))
        return url
    name = await store.save(data, image_type)
    return f"{public_base_url.rstrip('/')}/uploads/{name}"

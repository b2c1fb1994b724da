"""`GET /internal/model`: the active model for Rasa servers that pull it (bot.modelops.delivery).

Only Rasa servers may ask: `Authorization: Bearer <RASA_TOKEN>`. The answer is streamed from
the file (a model is a few hundred MB); its ETag is the model's SHA-256 from the registry.
"""
from __future__ import annotations

import asyncio
import hmac

from aiohttp import web

from bot.modelops import registry
from bot.modelops.delivery import MODEL_PATH, etag, not_modified
from bot.web.keys import DATABASE_KEY, SETTINGS_KEY

routes = web.RouteTableDef()
CHUNK = 1 << 20


def _authorised(request: web.Request) -> bool:
    expected = f"Bearer {request.app[SETTINGS_KEY].rasa_token}".encode()
    return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected)


@routes.get(MODEL_PATH)
async def active_model(request: web.Request) -> web.StreamResponse:
    if not _authorised(request):
        raise web.HTTPUnauthorized(text="Rasa's token is required")
    version = await registry.active(request.app[DATABASE_KEY])
    if version is None or not version.file.exists():
        raise web.HTTPNotFound(text="no active model")
    if not_modified(request.headers.get("If-None-Match"), version.sha256):
        return web.Response(status=304, headers={"ETag": etag(version.sha256)})
    size = version.file.stat().st_size
    response = web.StreamResponse(headers={
        "ETag": etag(version.sha256), "filename": version.file.name,
        "Content-Type": "application/gzip", "Content-Length": str(size), "Cache-Control": "no-store"})
    await response.prepare(request)
    with version.file.open("rb") as handle:
        while block := await asyncio.to_thread(handle.read, CHUNK):
            await response.write(block)
    await response.write_eof()
    return response

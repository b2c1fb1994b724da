"""The citizens' chat page."""

from __future__ import annotations

from aiohttp import web

from bot.web.keys import SETTINGS_KEY, TEMPLATES_KEY
from bot.web.upload_store import MAX_UPLOAD_BYTES

routes = web.RouteTableDef()

MAX_MESSAGE_CHARS = 2000
RASA_SOCKET_PATH = "/socket.io/"


@routes.get("/")
async def chat_page(request: web.Request) -> web.Response:
    template = request.app[TEMPLATES_KEY].get_template("chat.html")
    html = template.render(
        rasa_url=request.app[SETTINGS_KEY].rasa_public_url,
        socket_path=RASA_SOCKET_PATH,
        max_upload_bytes=MAX_UPLOAD_BYTES,
        max_chars=MAX_MESSAGE_CHARS,
    )
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})

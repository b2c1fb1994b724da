"""The citizens' chat page, and the identity each browser keeps (see `bot.identity`)."""

from __future__ import annotations

from aiohttp import web

from bot.identity import new_citizen, verified
from bot.media.store import MAX_UPLOAD_BYTES
from bot.messages_vi import MAX_PHOTOS
from bot.statuses import CATEGORY_LABELS
from bot.web.guard import BadInput
from bot.web.keys import SETTINGS_KEY, TEMPLATES_KEY

routes = web.RouteTableDef()

RASA_SOCKET_PATH = "/socket.io/"
CITIZEN_HEADER, KEY_HEADER = "X-Citizen", "X-Citizen-Key"
NOT_YOURS = "Thiếu hoặc sai mã nhận diện trình duyệt. Bạn tải lại trang chat giúp mình nhé."


@routes.get("/")
async def chat_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    template = request.app[TEMPLATES_KEY].get_template("chat.html")
    html = template.render(
        rasa_url=settings.rasa_public_url,
        socket_path=RASA_SOCKET_PATH,
        max_upload_bytes=MAX_UPLOAD_BYTES,
        max_chars=settings.max_message_chars,
        max_photos=MAX_PHOTOS,
        categories=CATEGORY_LABELS,
    )
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


@routes.post("/api/chat/identity")
async def issue_identity(request: web.Request) -> web.Response:
    """A new citizen id and its key, for a browser that has none yet."""
    citizen = new_citizen(request.app[SETTINGS_KEY].link_secret)
    return web.json_response({"citizen": citizen.id, "key": citizen.key}, headers={"Cache-Control": "no-store"})


def proven_citizen(request: web.Request) -> str:
    """The citizen whose id and key the request carries; BadInput (400) otherwise."""
    citizen = verified(request.app[SETTINGS_KEY].link_secret, request.headers.get(CITIZEN_HEADER),
                       request.headers.get(KEY_HEADER))
    if citizen is None:
        raise BadInput(NOT_YOURS)
    return citizen

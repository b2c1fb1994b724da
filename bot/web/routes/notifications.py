"""News about a citizen's reports for the web chat: the page fetches what is waiting.

The browser has no address we can push to when it is closed, so status notifications for
web-chat reports wait in the outbox; the page asks on connecting and every few seconds
while open, and each message is handed out once. The page proves which citizen it is with
the id and key our server issued it (headers X-Citizen and X-Citizen-Key): knowing a
citizen's id is not enough to read, or consume, their news.
"""
from __future__ import annotations

from aiohttp import web

from bot.storage.outbox import take_for_recipient
from bot.web.keys import DATABASE_KEY
from bot.web.routes.chat import proven_citizen

routes = web.RouteTableDef()
WEB_CHANNELS = ("socketio",)


@routes.get("/api/notifications")
async def waiting_notifications(request: web.Request) -> web.Response:
    citizen = proven_citizen(request)
    taken = await take_for_recipient(request.app[DATABASE_KEY], WEB_CHANNELS, citizen)
    messages = [{"text": n.text, "buttons": [{"title": t, "payload": p} for t, p in n.buttons],
                 "created_at": n.created_at.isoformat()} for n in taken]
    return web.json_response({"messages": messages}, headers={"Cache-Control": "no-store"})

"""News about a citizen's reports for the web chat: the page fetches what is waiting.

The browser has no address we can push to when it is closed, so status notifications for
web-chat reports wait in the outbox; the page asks on connecting and every few seconds
while open, and each message is handed out once. The session id is the page's random,
unguessable conversation id: it identifies the citizen's own chat and nothing else.
"""
from __future__ import annotations

import re

from aiohttp import web

from bot.notifications.outbox import PULL_CHANNELS, take_for_recipient
from bot.storage.db import get_database

routes = web.RouteTableDef()
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,100}$")


@routes.get("/api/notifications")
async def waiting_notifications(request: web.Request) -> web.Response:
    session_id = request.query.get("session_id", "")
    if not _SESSION.fullmatch(session_id):
        return web.json_response({"error": "session_id is missing or malformed"}, status=400)
    taken = await take_for_recipient(get_database(), sorted(PULL_CHANNELS), session_id)
    messages = [{"text": n.text, "buttons": [{"title": t, "payload": p} for t, p in n.buttons],
                 "created_at": n.created_at.isoformat()} for n in taken]
    return web.json_response({"messages": messages}, headers={"Cache-Control": "no-store"})

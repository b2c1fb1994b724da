"""Web-chat identities: who a browser is, and which conversations are its own.

Our web server issues each browser a random citizen id and a key, `HMAC(LINK_SECRET, id)`;
the browser keeps both (localStorage). A conversation id (Rasa's sender id on the socket.io
channel) is `<citizen id>.<conversation part>`, so "Trò chuyện mới" starts a new conversation
while the citizen stays the same one ("phản ánh của tôi", notifications). Rasa's socket.io
channel lets a browser into a conversation only with the key of the citizen it belongs to,
and the notifications and upload endpoints ask for the same key: knowing an id is not enough.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

CITIZEN_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
CONVERSATION_PART = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
_DOMAIN = b"phananh-citizen:"


@dataclass(frozen=True)
class Citizen:
    id: str
    key: str


def citizen_key(secret: str, citizen_id: str) -> str:
    digest = hmac.new(secret.encode(), _DOMAIN + citizen_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_citizen(secret: str) -> Citizen:
    citizen_id = secrets.token_urlsafe(16)
    return Citizen(citizen_id, citizen_key(secret, citizen_id))


def verified(secret: str, citizen_id: object, key: object) -> str | None:
    """The citizen id when `key` is its key, else None."""
    if not isinstance(citizen_id, str) or not isinstance(key, str) or not CITIZEN_ID.match(citizen_id):
        return None
    return citizen_id if hmac.compare_digest(citizen_key(secret, citizen_id).encode(), key.encode()) else None


def new_conversation_id(citizen_id: str) -> str:
    return f"{citizen_id}.{secrets.token_urlsafe(9)}"


def conversation_of(citizen_id: str, conversation_id: object) -> str | None:
    """`conversation_id` when it is one of this citizen's, else None."""
    if not isinstance(conversation_id, str):
        return None
    owner, dot, part = conversation_id.partition(".")
    return conversation_id if dot and owner == citizen_id and CONVERSATION_PART.match(part) else None


def citizen_of(channel: str, sender_id: str) -> str:
    """Who sent a message: the citizen of a web-chat conversation, the sender elsewhere."""
    if channel == "socketio":
        owner, dot, _ = sender_id.partition(".")
        if dot and CITIZEN_ID.match(owner):
            return owner
    return sender_id

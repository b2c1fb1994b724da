"""Rasa's socket.io channel for the web chat, with identities that hold (see `bot.identity`).

Rasa's own channel lets any browser join any conversation's room by naming its id, and takes
the sender of each message from the message itself. Ours:
- `session_request` carries `{session_id, citizen, key}`; the browser joins the conversation
  only if `key` is the citizen's key and the conversation is the citizen's. Without a valid
  key (e.g. a generic Rasa widget) the browser gets a new identity of its own for this
  connection, never someone else's conversation;
- the conversation is kept in the socket's server-side session, and `user_uttered` uses it,
  whatever `session_id` the message claims;
- it joins the room with `await` (Rasa 3.6.21 forgets it, RasaHQ/rasa#13027, and the browser
  never gets an answer);
- messages are bounded and never left unanswered (`bot.channels.inbound`).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import identity
from bot.channels.inbound import CountsAnswers, pass_on
from bot.config import Settings, get_settings

logger = logging.getLogger(__name__)


class CountingSocketOutput(CountsAnswers, SocketIOOutput):
    pass


class SocketIOInputWithRooms(InputChannel):
    def __init__(self, settings: Settings, user_message_evt: str = "user_uttered", bot_message_evt: str = "bot_uttered",
                 socketio_path: str = "/socket.io") -> None:
        self.settings = settings
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.sio: Optional[AsyncServer] = None

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SocketIOInputWithRooms":
        credentials = credentials or {}
        return cls(get_settings(), credentials.get("user_message_evt", "user_uttered"),
                   credentials.get("bot_message_evt", "bot_uttered"), credentials.get("socketio_path", "/socket.io"))

    def get_output_channel(self) -> Optional[OutputChannel]:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def conversation_for(self, data: Any) -> tuple[str, str, bool]:
        """(citizen id, conversation id, whether the browser proved who it is)."""
        data = data if isinstance(data, dict) else {}
        citizen = identity.verified(self.settings.link_secret, data.get("citizen"), data.get("key"))
        if citizen is None:
            return (fresh := identity.new_citizen(self.settings.link_secret).id), identity.new_conversation_id(fresh), False
        conversation = identity.conversation_of(citizen, data.get("session_id"))
        return citizen, conversation or identity.new_conversation_id(citizen), True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS is Sanic's (rasa run --cors), as in Rasa's own channel.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            citizen, conversation, proved = self.conversation_for(data)
            if not proved and isinstance(data, dict) and data.get("session_id"):
                logger.info("socket.io: a session request without a valid key got a new identity")
            await sio.save_session(sid, {"sender": conversation, "citizen": citizen})
            await sio.enter_room(sid, conversation)
            await sio.emit("session_confirm", conversation, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid)
            sender = session.get("sender") if isinstance(session, dict) else None
            if not sender:
                logger.warning("socket.io: a message before session_request was ignored")
                return
            text = data.get("message") if isinstance(data, dict) else None
            output = CountingSocketOutput(sio, self.bot_message_evt)
            await pass_on(on_new_message, output, text, sender, self.name(), self.settings.max_message_chars)

        return webhook

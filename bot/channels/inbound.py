"""What every channel does to a citizen's message before Rasa sees it, and to the answer after.

- `bound_message`: Unicode NFC, lone surrogates removed (they can never be stored), and cut to
  MAX_MESSAGE_CHARS characters (not UTF-16 units), so one huge message cannot occupy the NLU;
  the citizen is told when the text was cut.
- `safe_payload`: a button payload (`/intent{...}`) keeps its entities only when they are a
  small flat JSON object of plain values; Rasa's own parser would crash on deeply nested JSON.
- `ensure_answer`: a message that got no answer at all (`/session_start`, an odd payload...)
  gets a polite one, so no citizen is left without a reply.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import messages_vi as msg
from bot.text import nfc

logger = logging.getLogger(__name__)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]{1,64})(?P<rest>.*)$", re.DOTALL)
MAX_PAYLOAD_ENTITIES = 10
MAX_ENTITY_VALUE_CHARS = 500
_WORD_BOUNDARY_SLACK = 40  # cut at the last space this close to the limit, not inside a word


@dataclass(frozen=True)
class Bounded:
    text: str
    cut: bool


def clean_text(text: Any) -> str:
    """A message's text as a str, NFC, without lone surrogates."""
    if not isinstance(text, str):
        return ""
    return _LONE_SURROGATE.sub("", nfc(_LONE_SURROGATE.sub("", text)))


def bound_message(text: Any, max_chars: int) -> Bounded:
    text = safe_payload(clean_text(text))
    if len(text) <= max_chars:
        return Bounded(text, False)
    head = text[:max_chars]
    space = head.rfind(" ", max_chars - _WORD_BOUNDARY_SLACK)
    return Bounded((head[:space] if space > 0 else head).rstrip(), True)


def _flat_entities(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or len(value) > MAX_PAYLOAD_ENTITIES:
        return None
    for item in value.values():
        if isinstance(item, str):
            if len(item) > MAX_ENTITY_VALUE_CHARS:
                return None
        elif item is not None and not isinstance(item, (int, float, bool)):
            return None
    return value


def safe_payload(text: str) -> str:
    """`/intent{...}` with harmless entities, or `/intent` alone; other text unchanged."""
    match = _PAYLOAD.match(text)
    if not match:
        return text
    rest = match.group("rest").strip()
    if not rest:
        return f"/{match.group('intent')}"
    if rest.startswith("{"):
        entities = _flat_entities(rest)
        if entities is not None:
            return f"/{match.group('intent')}{json.dumps(entities, ensure_ascii=False)}"
        return f"/{match.group('intent')}"
    if "{" in rest or "[" in rest or rest.startswith("@"):  # "/intent@0.9{...}": confidences are not the citizen's
        return f"/{match.group('intent')}"
    return text  # "/inform abc": words after a slash


def cut_note(max_chars: int) -> str:
    return msg.MESSAGE_CUT.format(limit=f"{max_chars:,}".replace(",", "."))


class CountsAnswers:
    """Mixin for an output channel: counts the bot messages sent through it."""

    answered = 0

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.answered += 1
        await super().send_response(recipient_id, message)  # type: ignore[misc]


async def pass_on(on_new_message: Callable[[UserMessage], Awaitable[Any]], output: OutputChannel, text: Any,
                  sender_id: str, channel: str, max_chars: int, *, metadata: Optional[Dict[str, Any]] = None,
                  message_id: Optional[str] = None) -> None:
    """Give the bounded message to Rasa through `output` (a `CountsAnswers` channel); say so
    when it was cut, and answer politely when Rasa said nothing."""
    bounded = bound_message(text, max_chars)
    if bounded.cut:
        logger.info("Message from %s on %s cut to %d characters", sender_id, channel, max_chars)
        await output.send_response(sender_id, {"text": cut_note(max_chars)})
    before = getattr(output, "answered", 0)
    try:
        await on_new_message(UserMessage(bounded.text, output, sender_id, input_channel=channel, metadata=metadata,
                                         message_id=message_id))
    except Exception:  # the conversation store or Rasa failed: the citizen hears so, the log has why
        logger.exception("Rasa could not handle a message from %s on %s", sender_id, channel)
        await output.send_response(sender_id, {"text": msg.MESSAGE_NOT_HANDLED})
        return
    if getattr(output, "answered", 0) == before:
        logger.info("No answer to %r from %s on %s: sending the default", bounded.text[:80], sender_id, channel)
        await output.send_response(sender_id, {"text": msg.NO_ANSWER, "buttons": [
            {"title": title, "payload": payload} for title, payload in msg.MAIN_MENU_BUTTONS]})

"""Make an unreachable action server visible to the citizen, not only in the log.

Rasa 3.6 logs a failed custom action and carries on silently, so the citizen would see no
answer at all. We wrap `RemoteAction.run` so that a connection failure (or a 5xx) yields a
polite Vietnamese message. Form rejections (`ActionExecutionRejection`) pass through unchanged.
This module is imported by our NLU tokenizer, so it is active whenever a phananh model runs.
"""
from __future__ import annotations

import functools
import logging

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered
from rasa.shared.exceptions import RasaException

from bot.messages_vi import SERVICE_UNAVAILABLE

logger = logging.getLogger(__name__)


def _patch() -> None:
    original = RemoteAction.run
    if getattr(original, "_phananh_patched", False):
        return

    @functools.wraps(original)
    async def run(self, output_channel, nlg, tracker, domain):  # type: ignore[no-untyped-def]
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException as error:
            logger.error("Custom action %s failed for sender %s: %s", self.name(), tracker.sender_id, error)
            return [BotUttered(text=SERVICE_UNAVAILABLE, metadata={"error": "action_server_unavailable"})]

    run._phananh_patched = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]


_patch()

"""The first stage of Rasa's two-stage fallback, in Vietnamese: "Có phải bạn muốn …?".

Rasa's own `action_default_ask_affirmation` asks "Did you mean 'report_sidewalk'?". Ours names
the intent in plain words; "Không phải" sends `/out_of_scope`, which makes Rasa ask the
citizen to rephrase (`utter_ask_rephrase`), and a second miss ends in `utter_default`.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import messages_vi as msg
from bot.intake import category_from_text

NOT_CONFIRMABLE = {"nlu_fallback", "out_of_scope"}  # "/out_of_scope" is what "Không phải" sends


# Intents that say something about the city; any other guess yields to the words' category.
CIVIC = {"report_sidewalk", "report_construction", "report_other", "check_status", "reopen_report", "cancel"}


def intent_to_confirm(parse_data: Dict) -> Optional[str]:
    """The intent to ask about: the model's best guess, or, when that guess is not a civic one
    and the words name one of our categories ("phan anh xay dung"), that report."""
    for candidate in parse_data.get("intent_ranking") or []:
        name = candidate.get("name")
        if name not in NOT_CONFIRMABLE:
            category = category_from_text(str(parse_data.get("text") or ""))
            if name not in CIVIC and category:
                return f"report_{category}"
            return name if name in msg.INTENT_DESCRIPTIONS else None
    return None


class ActionAskAffirmation(Action):
    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        intent = intent_to_confirm(tracker.latest_message or {})
        if intent is None:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        dispatcher.utter_message(
            text=msg.ASK_AFFIRMATION.format(description=msg.INTENT_DESCRIPTIONS[intent]),
            buttons=[
                {"title": msg.AFFIRM_BUTTON, "payload": f"/{intent}"},
                {"title": msg.DENY_BUTTON, "payload": "/out_of_scope"},
            ],
        )
        return []

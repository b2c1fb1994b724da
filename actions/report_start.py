"""Starting a report: read what the first message already tells us."""
from __future__ import annotations

import uuid
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    DRAFT_SLOTS, changed_slots, latest_intent, latest_text, location_slots, message_resolution, on_zalo, sent_photo,
)
from bot import intake, turns
from bot import messages_vi as msg
from bot.resolver import NONE, Resolution


def start_report_slots(text: str, category: str | None, photos: List[str] | None = None,
                       resolution: Resolution | None = None) -> Dict[str, Any]:
    """A fresh draft from the first message (and the address parser's reading of it);
    `photos` sent before the report started are kept."""
    slots: Dict[str, Any] = {name: None for name in DRAFT_SLOTS}
    slots.update(draft_key=uuid.uuid4().hex, category=category, photo_urls=list(photos or []))
    if photos:
        slots["photo"] = "provided"
    if intake.is_payload(text):
        return slots
    slots["citizen_text"] = intake.clip(text)
    if turns.is_detail(text):  # "Tôi muốn phản ánh lấn chiếm vỉa hè" says nothing yet: the form asks
        slots["description"] = slots["details"] = intake.clip(text)
    if resolution is None:
        from bot.resolver import resolve_text

        resolution = resolve_text(text)
    if resolution.status != NONE or not resolution.address.empty:
        slots.update(location_slots(resolution))
    return slots


def opening_slots(tracker: Tracker, text: str, category: str | None) -> Dict[str, Any]:
    """The slots a report starts with, whichever path opens it: what the message says, the
    photos already sent, and whether it is made on Zalo (the contact question then offers
    the outcome by Zalo message, and only then is a phone number the consent to it)."""
    return {**start_report_slots(text, category, tracker.get_slot("photo_urls"), message_resolution(tracker)),
            "zalo_channel": on_zalo(tracker)}


class ActionStartReport(Action):
    def name(self) -> Text:
        return "action_start_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        text = latest_text(tracker)
        category = intake.category_for(latest_intent(tracker), text)
        return changed_slots(tracker, opening_slots(tracker, text, category))


class ActionInformWithoutReport(Action):
    """A place or a detail given while no report is open: start one if the text says what."""

    def name(self) -> Text:
        return "action_inform_without_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        text = latest_text(tracker)
        photo = await sent_photo(tracker)
        if photo:  # a photo first (Zalo, the web chat's 📷): keep it, ask what it shows
            dispatcher.utter_message(text=msg.PHOTO_WITHOUT_REPORT,
                                     buttons=[{"title": t, "payload": p} for t, p in msg.CATEGORY_BUTTONS])
            return changed_slots(tracker, {"photo_urls": list(tracker.get_slot("photo_urls") or []) + [photo]})
        category = intake.category_from_text(text)
        if category:
            return changed_slots(tracker, opening_slots(tracker, text, category)) + [FollowupAction("report_form")]
        dispatcher.utter_message(response="utter_ask_category")
        return []

"""The report form: validating each answer and asking the questions that need data."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    coordinates, entity_value, latest_intent, latest_text, location_slots, message_resolution, sent_photo, ward_buttons,
)
from bot import intake, messages_vi as msg
from bot.address.parts import AddressParts
from bot.resolver import NONE, resolution_for_code, resolve_point
from bot.text import canonical

SKIP_INTENTS = {"skip", "deny", "stay_anonymous"}


DETAIL_PARTS = ("house_number", "alley", "street", "street_kind", "area", "landmark")


def needs_location_detail(tracker: Tracker) -> bool:
    """A shared pin and nothing else: the officer would walk to coordinates."""
    parts = AddressParts.from_dict(tracker.get_slot("address_parts"))
    return parts.latitude is not None and not parts.place_line()


class ValidateReportForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_report_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        if tracker.get_slot("location_detail") is None and not needs_location_detail(tracker):
            return [s for s in domain_slots if s != "location_detail"]
        return domain_slots

    async def validate_location_detail(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        photo = await sent_photo(tracker)
        if photo:  # a photo instead of words: taken as the photo, the detail is skipped
            dispatcher.utter_message(text=msg.PHOTO_RECEIVED)
            return {"location_detail": intake.SKIPPED, "photo": "provided",
                    "photo_urls": list(tracker.get_slot("photo_urls") or []) + [photo]}
        if latest_intent(tracker) in SKIP_INTENTS or intake.is_skip(str(value or "")) or intake.is_payload(str(value or "")):
            return {"location_detail": intake.SKIPPED}
        found = message_resolution(tracker).address
        detail = AddressParts(**{name: getattr(found, name) for name in DETAIL_PARTS})
        if not detail.place_line():
            dispatcher.utter_message(text=msg.LOCATION_DETAIL_NOT_READ)
            return {"location_detail": intake.SKIPPED}
        parts = AddressParts.from_dict(tracker.get_slot("address_parts")).merged(detail)
        return {"location_detail": "given", "address_parts": parts.to_dict(), "address_text": parts.place_line()}

    def validate_category(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        if value in (intake.SIDEWALK, intake.CONSTRUCTION):
            return {"category": value}
        return {"category": intake.category_from_text(str(value or ""))}

    def validate_location(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        if value and value == tracker.get_slot("ward_code"):  # pre-filled when the report started
            return {"location": value}
        code = entity_value(tracker, "ward_code")
        point = coordinates(tracker)
        before = tracker.get_slot("address_parts")
        if code:  # a button: the address typed before the choice stays
            return location_slots(resolution_for_code(str(code)[:10]), before)
        if point is not None:
            return {**location_slots(resolve_point(*point), before), "latitude": point[0], "longitude": point[1]}
        if intake.is_payload(str(value or "")):
            return {"location": None}
        return location_slots(message_resolution(tracker, str(value or "")), before)

    def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "")
        if intake.is_payload(text) or len(canonical(text).split()) < 3:
            dispatcher.utter_message(text=msg.DESCRIPTION_TOO_SHORT)
            return {"description": None}
        return {"description": intake.clip(text)}

    async def validate_photo(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        url = await sent_photo(tracker)
        if url:
            photos = list(tracker.get_slot("photo_urls") or []) + [url]
            dispatcher.utter_message(text=msg.PHOTO_RECEIVED)
            return {"photo": "provided", "photo_urls": photos}
        if entity_value(tracker, "photo_url"):
            dispatcher.utter_message(text=msg.PHOTO_NOT_RECEIVED)
            return {"photo": None}
        if latest_intent(tracker) in SKIP_INTENTS or intake.is_skip(str(value or "")):
            return {"photo": intake.SKIPPED}
        return {"photo": None}

    def validate_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[Text, Any]:
        contact = intake.parse_contact(str(value or ""))
        if contact is None and latest_intent(tracker) in SKIP_INTENTS:
            contact = intake.Contact(None, True)
        if contact is None:
            dispatcher.utter_message(text=msg.CONTACT_INVALID)
            return {"contact": None}
        if contact.anonymous:
            return {"contact": intake.ANONYMOUS, "phone": None}
        return {"contact": contact.phone, "phone": contact.phone}

    def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        if value is True:
            return {"confirmed": True}
        text = latest_text(tracker)
        correction = None if intake.is_payload(text) else message_resolution(tracker)
        if correction is not None and correction.status != NONE:
            return {**location_slots(correction, tracker.get_slot("address_parts")), "confirmed": None}
        if value is False:  # "không phải phường đó", "Sửa địa điểm": ask for the place again
            return {"location": None, "ward_code": None, "ward_name": None, "ward_candidates": None,
                    "location_note": None, "address_parts": None, "address_text": None, "confirmed": None}
        dispatcher.utter_message(text=msg.ASK_CONFIRM_AGAIN)
        return {"confirmed": None}


class ActionAskLocation(Action):
    def name(self) -> Text:
        return "action_ask_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        note: Optional[str] = tracker.get_slot("location_note")
        candidates = tracker.get_slot("ward_candidates") or []
        place = tracker.get_slot("address_text")
        if candidates:
            ward = candidates[0]["ward_name"]
            text = msg.LOCATION_CANDIDATES.get(note or "", msg.LOCATION_CANDIDATES["split_or_several_wards"]).format(ward=ward)
            if place and note != "coordinates":  # the citizen sees the address was understood
                text = msg.ADDRESS_NOTED.format(place=place) + " " + text
            dispatcher.utter_message(text=text, buttons=ward_buttons(candidates))
        elif note == "outside":
            dispatcher.utter_message(text=msg.LOCATION_OUTSIDE)
            dispatcher.utter_message(text=msg.ASK_LOCATION)
        elif note == "need_ward":
            dispatcher.utter_message(text=msg.LOCATION_NEED_WARD.format(place=tracker.get_slot("address_text") or ""))
        elif note == "not_found":
            dispatcher.utter_message(text=msg.LOCATION_NOT_FOUND)
        else:
            dispatcher.utter_message(text=msg.ASK_LOCATION)
        return []


class ActionAskConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        phone = tracker.get_slot("phone")
        contact = f"số điện thoại {intake.mask_phone(phone)}" if phone else "ẩn danh"
        summary = msg.report_summary(
            tracker.get_slot("category") or "",
            tracker.get_slot("ward_name") or "",
            tracker.get_slot("address_text") or "",
            tracker.get_slot("description") or "",
            len(tracker.get_slot("photo_urls") or []),
            contact,
        )
        buttons = [{"title": title, "payload": payload} for title, payload in msg.CONFIRM_BUTTONS]
        dispatcher.utter_message(text=summary, buttons=buttons)
        return []

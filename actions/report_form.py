"""The report form: validating each answer and asking the questions that need data.

Whatever step the form is at, a message may carry more than the answer: a photo, a detail
of the violation, a corrected place or category. `Interjection` reads those first, keeps
what they say, and the form asks the interrupted question again.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    confirm_buttons, coordinates, entity_value, latest_intent, latest_text, location_slots, message_resolution, on_zalo, sent_photo,
    ward_buttons,
)
from bot import intake, messages_vi as msg, turns
from bot.address.parts import AddressParts
from bot.resolver import NONE, OUTSIDE, RESOLVED, Resolution, resolution_for_code, resolve_point
from bot.statuses import CATEGORIES, CATEGORY_LABELS

SKIP_INTENTS = {"skip", "deny", "stay_anonymous"}
DETAIL_PARTS = ("house_number", "alley", "street", "street_kind", "area", "landmark")
SPLIT_NOTES = {"split_or_several_wards"}


def needs_location_detail(tracker: Tracker) -> bool:
    """A shared pin and nothing else: the officer would walk to coordinates."""
    parts = AddressParts.from_dict(tracker.get_slot("address_parts"))
    return parts.latitude is not None and not parts.place_line()


def with_detail(tracker: Tracker, text: str) -> Dict[str, Any]:
    """The record of what the citizen described (`details`: what is stored), one message more.
    The `description` slot is only the form's answer to "Bạn mô tả cụ thể giúp mình…"."""
    return {"details": turns.joined(tracker.get_slot("details"), text, intake.MAX_TEXT)}


async def photo_slots(tracker: Tracker, dispatcher: CollectingDispatcher, at_photo_step: bool) -> Optional[Dict[str, Any]]:
    """A photo in the latest message, counted ("Đã nhận ảnh 2/5"), at any step; None if none."""
    url = await sent_photo(tracker)
    if not url:
        return None
    photos = list(tracker.get_slot("photo_urls") or [])
    if len(photos) >= msg.MAX_PHOTOS:
        dispatcher.utter_message(text=msg.PHOTO_LIMIT.format(limit=msg.MAX_PHOTOS))
        return {"photo": "provided"}
    photos.append(url)
    text = msg.PHOTO_COUNTED_MORE if at_photo_step and len(photos) < msg.MAX_PHOTOS else msg.PHOTO_COUNTED
    dispatcher.utter_message(text=text.format(count=len(photos), limit=msg.MAX_PHOTOS))
    return {"photo": "provided", "photo_urls": photos}


def place_label(slots: Dict[str, Any]) -> str:
    address, ward = slots.get("address_text") or "", slots.get("ward_name") or ""
    return ", ".join(p for p in (address, ward) if p) or "địa điểm mới"


def narrowed(res: Resolution, before: List[Dict[str, str]]) -> Resolution:
    """A street or landmark given after the ward question: one of the wards already offered."""
    offered = [c["ward_code"] for c in before or []]
    if not offered or res.status == NONE:
        return res
    codes = [c.ward_code for c in res.candidates] or ([res.ward_code] if res.ward_code else [])
    common = [c for c in codes if c in offered]
    if len(common) == 1 and (res.status != RESOLVED or res.needs_confirmation or res.ward_code != common[0]):
        chosen = resolution_for_code(common[0])
        return Resolution(RESOLVED, chosen.ward_code, chosen.ward_name, chosen.candidates, "narrowed",
                          res.address_text, address=res.address)
    return res


class Interjection:
    """What the latest message says besides answering the question of `step`."""

    def __init__(self, tracker: Tracker, step: str, text: Optional[str] = None) -> None:
        self.tracker, self.step = tracker, step
        self.text = latest_text(tracker) if text is None else text

    def place(self, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
        """A place named after the place question: a correction ("à nhầm, ở phường Kim Liên cơ")
        when it names a ward other than the report's (or anything, after a correction word)."""
        if intake.is_payload(self.text):
            return None
        res = message_resolution(self.tracker, self.text)
        marked = turns.has_correction_marker(self.text)
        current = self.tracker.get_slot("ward_code")
        certain = res.status == RESOLVED and not res.needs_confirmation
        new_address = certain and not res.address.empty and not turns.describes_violation(self.text) and \
            AddressParts.from_dict(self.tracker.get_slot("address_parts")).merged(res.address).to_dict() != \
            self.tracker.get_slot("address_parts")
        if not ((certain and res.ward_code != current) or new_address or res.status == OUTSIDE
                or (marked and (res.status != NONE or not res.address.empty))):
            return None
        previous = self.tracker.get_slot("address_parts") if res.status == NONE or res.ward_code == current else None
        slots = location_slots(res, previous)
        if res.status == NONE and current:  # "à nhầm, số 12 chứ không phải 21": same ward, new house number
            slots.update(location=current, ward_code=current, ward_name=self.tracker.get_slot("ward_name"),
                         location_note=None)
        slots.setdefault("address_parts", None)
        slots.setdefault("address_text", None)
        slots.update(ward_uncertain=None, location_unknown=None)
        if slots.get("location"):
            dispatcher.utter_message(text=msg.PLACE_CORRECTED.format(place=place_label(slots)))
        else:
            dispatcher.utter_message(text=msg.PLACE_CORRECTION_PENDING)
        return slots

    def category(self, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
        category = turns.corrected_category(self.text)
        if not category or category == self.tracker.get_slot("category"):
            return None
        dispatcher.utter_message(text=msg.CATEGORY_CORRECTED.format(label=CATEGORY_LABELS[category]))
        return {"category": category}

    def detail(self, dispatcher: CollectingDispatcher, quiet: bool = False) -> Optional[Dict[str, Any]]:
        if intake.is_payload(self.text) or not turns.is_detail(self.text):
            return None
        if not quiet:
            dispatcher.utter_message(text=msg.DETAIL_NOTED)
        return with_detail(self.tracker, self.text)

    def corrections(self, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
        """A corrected place or category; the step's own slot is left unset (asked again)."""
        slots: Dict[str, Any] = {}
        for found in (self.place(dispatcher), self.category(dispatcher)):
            slots.update(found or {})
        if not slots:
            return None
        if turns.is_detail(self.text) and not turns.has_correction_marker(self.text):
            slots.update(with_detail(self.tracker, self.text))
        return slots if self.step in slots else {**slots, self.step: None}

    def read(self, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
        """Corrections first, then a detail."""
        found = self.corrections(dispatcher) or self.detail(dispatcher)
        return found if found is None or self.step in found else {**found, self.step: None}


class ValidateReportForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_report_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        if tracker.get_slot("location_detail") is None and not needs_location_detail(tracker):
            return [s for s in domain_slots if s != "location_detail"]
        return domain_slots

    async def validate_category(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        photo = await photo_slots(tracker, dispatcher, at_photo_step=False)
        if photo:
            return {**photo, "category": None}
        if value in CATEGORIES:
            return {"category": value}
        category = intake.category_from_text(str(value or ""))
        slots: Dict[str, Any] = {"category": category}
        if category and turns.is_detail(latest_text(tracker)):
            slots.update(with_detail(tracker, latest_text(tracker)))
        return slots

    async def validate_location(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        if value and value == tracker.get_slot("ward_code"):  # pre-filled when the report started
            return {"location": value}
        photo = await photo_slots(tracker, dispatcher, at_photo_step=False)
        if photo:
            return {**photo, "location": None}
        code = entity_value(tracker, "ward_code")
        point = coordinates(tracker)
        before = tracker.get_slot("address_parts")
        if code:  # a button: the address typed before the choice stays
            return {**location_slots(resolution_for_code(str(code)[:10]), before), "location_unknown": None}
        if point is not None:
            return self.shared_location(point, before)
        if intake.is_payload(str(value or "")):
            return {"location": None}
        text = str(value or "") or latest_text(tracker)
        if tracker.get_slot("ward_candidates") and turns.says_dont_know(text):
            return self.unknown_ward(dispatcher, tracker)
        res = narrowed(message_resolution(tracker, text), tracker.get_slot("ward_candidates"))
        interjection = Interjection(tracker, "location", text)
        if res.status == NONE and (res.address.empty or turns.is_detail(text)):
            category = interjection.category(dispatcher)
            detail = interjection.detail(dispatcher, quiet=bool(category))
            if category or detail:  # a detail while the bot asks where: kept, and the question stays
                parts = {} if res.address.empty else {
                    "address_parts": AddressParts.from_dict(before).merged(res.address).to_dict()}
                return {**(category or {}), **(detail or {}), **parts, "location": None}
        slots = location_slots(res, before)
        if res.status != NONE and turns.describes_violation(text):  # "quán bày bàn ghế ở phường X"
            slots.update(with_detail(tracker, text))
        return slots

    @staticmethod
    def shared_location(point: Tuple[float, float], before: Optional[Dict[str, Any]]) -> Dict[Text, Any]:
        """A pin: its ward, to confirm; one outside Hanoi is answered so and not kept (an address
        typed next must not carry a neighbouring province's coordinates into the report)."""
        res = resolve_point(*point)
        inside = res.status != OUTSIDE
        return {**location_slots(res, before), "latitude": point[0] if inside else None,
                "longitude": point[1] if inside else None}

    def unknown_ward(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """"Em không biết phường mới là phường nào": first ask for a street, a landmark or a pin;
        then file to the candidate that took most of the old ward, marked as uncertain."""
        candidates = tracker.get_slot("ward_candidates") or []
        if tracker.get_slot("location_note") not in SPLIT_NOTES and len(candidates) > 1:
            dispatcher.utter_message(text=msg.LOCATION_HELP)
            return {"location": None}
        if not tracker.get_slot("location_unknown"):
            dispatcher.utter_message(text=msg.LOCATION_HELP)
            return {"location": None, "location_unknown": "asked"}
        best = candidates[0]  # the package's default new ward of a split old ward
        names = ", ".join(c["ward_name"] for c in candidates)
        dispatcher.utter_message(text=msg.LOCATION_UNCERTAIN.format(ward=best["ward_name"], candidates=names))
        return {"location": best["ward_code"], "ward_code": best["ward_code"], "ward_name": best["ward_name"],
                "ward_uncertain": [c["ward_code"] for c in candidates], "location_unknown": None}

    async def validate_location_detail(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        photo = await photo_slots(tracker, dispatcher, at_photo_step=False)
        if photo:  # a photo instead of words: taken as the photo, the detail is skipped
            return {**photo, "location_detail": intake.SKIPPED}
        if latest_intent(tracker) in SKIP_INTENTS or intake.is_skip(str(value or "")) or intake.is_payload(str(value or "")):
            return {"location_detail": intake.SKIPPED}
        found = message_resolution(tracker).address
        detail = AddressParts(**{name: getattr(found, name) for name in DETAIL_PARTS})
        if not detail.place_line():
            kept = Interjection(tracker, "location_detail").detail(dispatcher)
            if kept:
                return kept
            dispatcher.utter_message(text=msg.LOCATION_DETAIL_NOT_READ)
            return {"location_detail": intake.SKIPPED}
        parts = AddressParts.from_dict(tracker.get_slot("address_parts")).merged(detail)
        return {"location_detail": "given", "address_parts": parts.to_dict(), "address_text": parts.place_line()}

    async def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        photo = await photo_slots(tracker, dispatcher, at_photo_step=False)
        if photo:
            return {**photo, "description": None}
        text = latest_text(tracker)
        if intake.is_payload(text):
            return {"description": None}
        slots = Interjection(tracker, "description").corrections(dispatcher) or {}
        if slots and (not turns.is_detail(text) or turns.has_correction_marker(text)):
            return slots  # a correction only: the description is asked again
        if not turns.is_detail(text) and not tracker.get_slot("description_retry"):
            dispatcher.utter_message(text=msg.DESCRIPTION_TOO_SHORT)
            return {**slots, "description": None, "description_retry": True}
        return {**slots, "description": intake.clip(text), **with_detail(tracker, text)}

    async def validate_photo(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        photo = await photo_slots(tracker, dispatcher, at_photo_step=True)
        if photo:
            return photo
        if entity_value(tracker, "photo_url"):
            dispatcher.utter_message(text=msg.PHOTO_NOT_RECEIVED)
            return {"photo": None}
        text = str(value or "")
        if latest_intent(tracker) in SKIP_INTENTS or intake.is_skip(text):
            return {"photo": intake.SKIPPED}
        return Interjection(tracker, "photo").read(dispatcher) or {"photo": None}

    async def validate_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        photo = await photo_slots(tracker, dispatcher, at_photo_step=False)
        if photo:
            return {**photo, "contact": None}
        text = str(value or "")
        contact = intake.parse_contact(text)
        if contact is not None and contact.phone:  # told so on Zalo, the number is the consent unless declined
            consent = turns.notification_choice(text) is not False if tracker.get_slot("zalo_channel") else None
            return {"contact": contact.phone, "phone": contact.phone, "notify_consent": consent}
        interjection = Interjection(tracker, "contact")
        corrected = interjection.corrections(dispatcher)
        if corrected:
            return corrected
        if contact is not None or latest_intent(tracker) in SKIP_INTENTS:
            return {"contact": intake.ANONYMOUS, "phone": None}
        found = interjection.detail(dispatcher)
        if found:
            return {**found, "contact": None}
        dispatcher.utter_message(text=msg.CONTACT_INVALID)
        return {"contact": None}

    async def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        photo = await photo_slots(tracker, dispatcher, at_photo_step=False)
        if photo:
            return {**photo, "confirmed": None}
        text = latest_text(tracker)
        if text.strip() == "/affirm" or value is True:
            return {"confirmed": True}
        if text.strip() == "/deny":  # "Sửa địa điểm": ask for the place again
            return {**FORGET_PLACE, "confirmed": None}
        edit = entity_value(tracker, "content_edit")
        if edit in (turns.ADD, turns.REPLACE):
            dispatcher.utter_message(text=msg.ASK_CONTENT_ADD if edit == turns.ADD else msg.ASK_CONTENT_REPLACE)
            return {"content_edit": edit, "confirmed": None, "confirm_quiet": True}
        if intake.is_payload(text):
            return {"confirmed": None}
        pending = tracker.get_slot("content_edit")
        if pending:
            return {**self.edited(tracker, pending, text), "content_edit": None, "confirmed": None}
        return self.typed_answer(dispatcher, tracker, text)

    def typed_answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Dict[Text, Any]:
        answer = turns.summary_answer(text)
        if answer.kind in (turns.ADD, turns.REPLACE):
            if turns.is_detail(answer.text) or len(answer.text.split()) >= 3:
                return {**self.edited(tracker, answer.kind, answer.text), "confirmed": None}
            dispatcher.utter_message(text=msg.ASK_CONTENT_ADD if answer.kind == turns.ADD else msg.ASK_CONTENT_REPLACE)
            return {"content_edit": answer.kind, "confirmed": None, "confirm_quiet": True}
        notify = turns.notification_choice(text) if on_zalo(tracker) else None
        if notify is not None:  # "đừng nhắn Zalo" is not "đúng": read before the confirmation
            return self.notification_changed(dispatcher, tracker, notify)
        if answer.kind == turns.YES:
            return {"confirmed": True}
        interjection = Interjection(tracker, "confirmed")
        corrected = interjection.place(dispatcher)
        if corrected:
            return {**corrected, "confirmed": None}
        if answer.kind == turns.FIX_PLACE:
            return {**FORGET_PLACE, "confirmed": None}
        found = interjection.category(dispatcher) or interjection.detail(dispatcher, quiet=True)
        if found:
            return {**found, "confirmed": None}
        if answer.kind is None and latest_intent(tracker) == "affirm" and len(turns.words(text)) <= 3:
            return {"confirmed": True}
        dispatcher.utter_message(text=msg.ASK_WHAT_TO_FIX if answer.kind == turns.REFUSE else msg.ASK_CONFIRM_AGAIN,
                                 buttons=confirm_buttons())
        return {"confirmed": None, "confirm_quiet": True}

    @staticmethod
    def notification_changed(dispatcher: CollectingDispatcher, tracker: Tracker, notify: bool) -> Dict[str, Any]:
        """"Sửa thông tin": the outcome by Zalo message, or not; the summary is shown again."""
        if not tracker.get_slot("phone"):
            if not notify:
                return {"notify_consent": None, "confirmed": None}
            dispatcher.utter_message(text=msg.NOTIFY_NEEDS_PHONE)
            return {"contact": None, "confirmed": None}
        dispatcher.utter_message(text=msg.NOTIFY_ON if notify else msg.NOTIFY_OFF)
        return {"notify_consent": notify, "confirmed": None}

    @staticmethod
    def edited(tracker: Tracker, kind: str, text: str) -> Dict[str, Any]:
        if kind == turns.REPLACE:
            return {"description": intake.clip(text), "details": intake.clip(text)}
        return with_detail(tracker, text)


FORGET_PLACE = {"location": None, "ward_code": None, "ward_name": None, "ward_candidates": None,
                "location_note": None, "address_parts": None, "address_text": None, "ward_uncertain": None,
                "location_unknown": None}


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


class ActionAskDescription(Action):
    """"Bạn mô tả cụ thể giúp mình…", unless the citizen was just told it is too short."""

    def name(self) -> Text:
        return "action_ask_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        if not tracker.get_slot("description_retry") or tracker.get_slot("description"):
            dispatcher.utter_message(response="utter_ask_description")
        return []


class ActionAskConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        if tracker.get_slot("confirm_quiet"):  # the question was just asked in other words
            return [SlotSet("confirm_quiet", None)]
        phone = tracker.get_slot("phone")
        contact = f"số điện thoại {intake.mask_phone(phone)}" if phone else "ẩn danh"
        summary = msg.report_summary(
            tracker.get_slot("category") or "",
            tracker.get_slot("ward_name") or "",
            tracker.get_slot("address_text") or "",
            tracker.get_slot("details") or tracker.get_slot("description") or tracker.get_slot("citizen_text") or "",
            len(tracker.get_slot("photo_urls") or []),
            contact,
            uncertain=bool(tracker.get_slot("ward_uncertain")),
            notify=bool(tracker.get_slot("notify_consent")) if phone and on_zalo(tracker) else None,
        )
        dispatcher.utter_message(text=summary, buttons=confirm_buttons())
        return []

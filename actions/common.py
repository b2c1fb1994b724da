"""Helpers shared by the actions: reading the tracker, building slot events and buttons."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import services
from bot import messages_vi as msg
from bot.identity import citizen_of
from bot.media.links import photo_url, upload_name
from bot.storage.uploads import owner_of
from bot.address.parts import AddressParts
from bot.intake import is_payload
from bot.resolver import AMBIGUOUS, OUTSIDE, RESOLVED, Resolution, resolve_text

HANOI_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Slots a report draft consists of; reset when a new report starts or one ends.
DRAFT_SLOTS = (
    "category", "location", "description", "photo", "contact", "confirmed", "ward_code", "ward_name",
    "address_text", "ward_candidates", "location_note", "latitude", "longitude", "photo_urls", "phone",
    "citizen_text", "draft_key", "address_parts", "location_detail", "description_retry", "content_edit",
    "confirm_quiet", "ward_uncertain", "location_unknown", "details", "notify_consent",
)
ZALO = "zalo"


def changed_slots(tracker: Tracker, slots: Dict[str, Any]) -> List[EventType]:
    """SlotSet events for the values that differ from the tracker's (fewer events, less to validate)."""
    return [SlotSet(name, value) for name, value in slots.items() if tracker.get_slot(name) != value]


def confirm_buttons() -> List[Dict[str, str]]:
    """The summary's buttons: send, add to it, correct it, cancel."""
    return [{"title": title, "payload": payload} for title, payload in msg.CONFIRM_BUTTONS]


def reset_draft(tracker: Tracker) -> List[EventType]:
    return changed_slots(tracker, {name: None for name in DRAFT_SLOTS})


def latest_text(tracker: Tracker) -> str:
    """What the citizen wrote. After "Có phải bạn muốn …?" → "Đúng vậy", Rasa replays the
    button's payload as the message; the words that were confirmed are the ones we want."""
    text = (tracker.latest_message or {}).get("text") or ""
    return (confirmed_text(tracker) or text) if is_payload(text) else text


def confirmed_text(tracker: Tracker) -> Optional[str]:
    """The text of the message a fallback confirmation was about, if the latest ones were clicks."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text") or ""
        if is_payload(text):
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        return text if intent == "nlu_fallback" else None
    return None


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def entity_value(tracker: Tracker, name: str) -> Optional[Any]:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return entity["value"]
    return None


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def on_zalo(tracker: Tracker) -> bool:
    """A Zalo citizen: the outcome can reach their phone number by ZNS after the reply window."""
    return channel_of(tracker) == ZALO


def citizen(tracker: Tracker) -> str:
    """Who is writing: on the web chat the browser's identity, which outlives a conversation."""
    return citizen_of(channel_of(tracker), tracker.sender_id)


def coordinates(tracker: Tracker) -> Optional[tuple[float, float]]:
    """A shared location from the latest message's entities, if it is a real one."""
    lat, lon = entity_value(tracker, "latitude"), entity_value(tracker, "longitude")
    try:
        point = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return point if -90 <= point[0] <= 90 and -180 <= point[1] <= 180 else None


def local_date(moment: datetime) -> str:
    return moment.astimezone(HANOI_TZ).strftime("%d/%m/%Y")


def local_datetime(moment: datetime) -> str:
    return moment.astimezone(HANOI_TZ).strftime("%H:%M %d/%m/%Y")


def message_resolution(tracker: Tracker, text: Optional[str] = None) -> Resolution:
    """The address in `text` (default: the latest message's) and the ward it means, as the NLU
    pipeline's address parser decided (`bot.nlu.address`: parsed once per message); parsed
    here only for text that did not go through it (the words a fallback confirmation was about)."""
    latest = tracker.latest_message or {}
    wanted = latest_text(tracker) if text is None else text
    data = latest.get("address")
    if isinstance(data, dict) and data and wanted == latest.get("text"):
        return Resolution.from_dict(data)
    return resolve_text(wanted)


def location_slots(res: Resolution, previous: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Slot values for a resolver answer; `location` is set only when one ward is certain.
    The address parts add to those given before (`previous`, the `address_parts` slot): "25
    Hàng Bông", then "phường Hoàn Kiếm" is one address. The complaint's words are never taken
    for an address."""
    slots: Dict[str, Any] = {
        "location": None, "ward_code": None, "ward_name": None, "ward_candidates": None,
        "location_note": None,
    }
    parts = AddressParts.from_dict(previous).merged(res.address)
    if not parts.empty:
        slots["address_parts"] = parts.to_dict()
        slots["address_text"] = parts.place_line() or res.address_text or None
    if res.status == RESOLVED and not res.needs_confirmation:
        slots.update(location=res.ward_code, ward_code=res.ward_code, ward_name=res.ward_name)
    elif res.status in (RESOLVED, AMBIGUOUS) and res.candidates:
        slots.update(
            ward_candidates=[{"ward_code": c.ward_code, "ward_name": c.ward_name} for c in res.candidates],
            location_note=res.reason,
        )
    elif res.status == OUTSIDE:
        slots["location_note"] = "outside"
    elif parts.place_line():
        slots["location_note"] = "need_ward"  # "số 25 phố X": which ward?
    else:
        slots["location_note"] = "not_found"
    return slots


def ward_buttons(candidates: List[Dict[str, str]]) -> List[Dict[str, str]]:
    return [
        {"title": c["ward_name"], "payload": "/inform" + json.dumps({"ward_code": c["ward_code"]})}
        for c in candidates
    ]


async def sent_photo(tracker: Tracker) -> Optional[str]:
    """The photo of the latest message when it is one this citizen stored with us (our upload
    store, their upload); a link to anywhere else is never kept or shown to staff."""
    base = services.settings().public_base_url
    name = upload_name(entity_value(tracker, "photo_url"), base)
    if name is None or await owner_of(services.database(), name) != citizen(tracker):
        return None
    return photo_url(base, name)

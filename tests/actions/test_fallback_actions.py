"""The Vietnamese first stage of the two-stage fallback, and reading the confirmed words."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from actions.fallback import ActionAskAffirmation
from actions.report_start import ActionStartReport


def user(text: str, intent: str, ranking: List[Dict[str, Any]] | None = None) -> Dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.4}, "intent_ranking": ranking or [], "entities": []}
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest"}


def tracker_of(events: List[Dict[str, Any]]) -> Tracker:
    latest = [e for e in events if e["event"] == "user"][-1]["parse_data"]
    return Tracker("citizen-1", {}, latest, events, False, None, {}, "action_listen")


FALLBACK_RANKING = [
    {"name": "nlu_fallback", "confidence": 0.45},
    {"name": "out_of_scope", "confidence": 0.41},
    {"name": "report_construction", "confidence": 0.39},
]


async def test_the_bot_names_the_intent_in_vietnamese_and_offers_yes_or_no() -> None:
    dispatcher = CollectingDispatcher()
    t = tracker_of([user("nhà kia đang làm thêm cái tum", "nlu_fallback", FALLBACK_RANKING)])
    await ActionAskAffirmation().run(dispatcher, t, {})
    [message] = dispatcher.messages
    assert "vi phạm trật tự xây dựng" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/report_construction", "/out_of_scope"]


async def test_without_a_candidate_intent_the_bot_asks_to_rephrase() -> None:
    dispatcher = CollectingDispatcher()
    t = tracker_of([user("???", "nlu_fallback", [{"name": "nlu_fallback", "confidence": 1.0}])])
    await ActionAskAffirmation().run(dispatcher, t, {})
    assert dispatcher.messages[0]["response"] == "utter_ask_rephrase"


async def test_a_confirmed_report_starts_from_the_words_the_citizen_wrote() -> None:
    original = "nhà số 5 ngõ 12 Khâm Thiên, phường Văn Miếu - Quốc Tử Giám đang làm thêm tum trên sân thượng"
    events = [
        user(original, "nlu_fallback", FALLBACK_RANKING),
        {"event": "action", "name": "action_two_stage_fallback"},
        user("/report_construction", "report_construction"),
        {"event": "rewind"},
        user("/report_construction", "report_construction"),  # Rasa's clarification: a copy of the click
    ]
    t = tracker_of(events)
    assert latest_text(t) == original
    slots = {e["name"]: e["value"] for e in await ActionStartReport().run(CollectingDispatcher(), t, {})}
    assert slots["category"] == "construction" and slots["ward_code"] == "00226"
    assert slots["citizen_text"] == original


def test_a_button_press_without_a_fallback_is_just_a_payload() -> None:
    t = tracker_of([user("chào bạn", "greet"), user("/report_sidewalk", "report_sidewalk")])
    assert latest_text(t) == "/report_sidewalk"

"""Actions run against tracker fixtures and a real (SQLite) database."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from sqlalchemy import text
from rasa_sdk.executor import CollectingDispatcher

from actions import report_submit, services, status
from actions.report_form import ActionAskLocation, ValidateReportForm
from actions.report_start import start_report_slots
from bot import messages_vi as msg
from bot.public.reports import lookup_url
from bot.storage.db import Database


def tracker(slots: Dict[str, Any] | None = None, text: str = "", intent: str = "inform",
            entities: List[Dict] | None = None, sender: str = "citizen-1") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    events = [{"event": "user", "text": text, "input_channel": "rest", "parse_data": latest}]
    return Tracker(sender, slots or {}, latest, events, False, None, {"name": "report_form"}, "action_listen")


def draft_slots(**overrides: Any) -> Dict[str, Any]:
    slots = {
        "draft_key": "draft-1", "category": "sidewalk", "description": "Quán bày bàn ghế chiếm vỉa hè",
        "citizen_text": "Quán bày bàn ghế chiếm vỉa hè", "address_text": "số 12 Hàng Bông",
        "ward_code": "00070", "ward_name": "Phường Hoàn Kiếm", "photo_urls": [], "phone": None,
        "confirmed": True,
    }
    return {**slots, **overrides}




def test_first_message_fills_description_and_ward() -> None:
    slots = start_report_slots("Quán cà phê bày bàn ghế chiếm hết vỉa hè ở số 12 Hàng Bông, phường Hoàn Kiếm", "sidewalk")
    assert slots["location"] == slots["ward_code"] == "00070"
    assert slots["description"].startswith("Quán cà phê") and slots["draft_key"]


def test_short_first_message_leaves_questions_open() -> None:
    slots = start_report_slots("lấn chiếm vỉa hè", "sidewalk")
    assert slots["description"] is None and slots["location"] is None


async def test_split_ward_sets_candidates_and_the_question_shows_them(database: Database) -> None:
    form = ValidateReportForm()
    result = await form.validate_location("p. Thành Công, q. Ba Đình", CollectingDispatcher(), tracker(), {})
    assert result["location"] is None and len(result["ward_candidates"]) == 2
    dispatcher = CollectingDispatcher()
    await ActionAskLocation().run(dispatcher, tracker(result), {})
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Phường Giảng Võ", "Phường Ô Chợ Dừa"]


async def test_candidate_button_resolves_the_ward(database: Database) -> None:
    t = tracker(text='/inform{"ward_code": "00190"}', entities=[{"entity": "ward_code", "value": "00190"}])
    result = await ValidateReportForm().validate_location(t.latest_message["text"], CollectingDispatcher(), t, {})
    assert (result["location"], result["ward_name"]) == ("00190", "Phường Ô Chợ Dừa")


@pytest.mark.parametrize("text, note", [
    ("phuong cat minh", "typo_or_outside"),  # a typo of the old Cát Linh, or Cát Minh elsewhere
    ("phường Tân Lập", "unit_type_mismatch"),  # only a "xã Tân Lập" in Hanoi
])
async def test_an_uncertain_ward_name_is_asked_about_with_its_own_explanation(text: str, note: str, database: Database) -> None:
    result = await ValidateReportForm().validate_location(text, CollectingDispatcher(), tracker(), {})
    assert result["location"] is None and result["location_note"] == note and result["ward_candidates"]
    dispatcher = CollectingDispatcher()
    await ActionAskLocation().run(dispatcher, tracker(result), {})
    assert dispatcher.messages[0]["text"] == msg.LOCATION_CANDIDATES[note]
    assert dispatcher.messages[0]["buttons"]


async def test_outside_hanoi_is_noted(database: Database) -> None:
    result = await ValidateReportForm().validate_location("quận 3 Sài Gòn", CollectingDispatcher(), tracker(), {})
    assert result["location"] is None and result["location_note"] == "outside"


@pytest.mark.parametrize("text, intent, expected", [
    ("sdt 0912 345 678", "inform", "0912345678"),
    ("+84 912345678", "inform", "0912345678"),
    ("/stay_anonymous", "stay_anonymous", "anonymous"),
    ("tôi muốn ẩn danh", "stay_anonymous", "anonymous"),
])
async def test_contact(text: str, intent: str, expected: str, database: Database) -> None:
    result = await ValidateReportForm().validate_contact(text, CollectingDispatcher(), tracker(text=text, intent=intent), {})
    assert result["contact"] == expected


async def test_bad_phone_is_asked_again(database: Database) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateReportForm().validate_contact("12345", dispatcher, tracker(text="12345"), {})
    assert result["contact"] is None and dispatcher.messages[0]["text"] == msg.CONTACT_INVALID


async def test_correction_with_a_new_place_replaces_the_ward(database: Database) -> None:
    text = "không phải, ở phường Bạch Mai"
    result = await ValidateReportForm().validate_confirmed(False, CollectingDispatcher(), tracker(text=text, intent="deny"), {})
    assert result["ward_code"] == "00292" and result["confirmed"] is None


async def test_deny_without_a_place_asks_for_the_place_again(database: Database) -> None:
    result = await ValidateReportForm().validate_confirmed(False, CollectingDispatcher(), tracker(text="/deny", intent="deny"), {})
    assert result["location"] is None and result["ward_code"] is None


async def test_submit_stores_before_answering_and_only_once(database: Database) -> None:
    t = tracker(draft_slots(phone="0912345678"), text="/affirm", intent="affirm")
    first, second = CollectingDispatcher(), CollectingDispatcher()
    await report_submit.ActionSubmitReport().run(first, t, {})
    await report_submit.ActionSubmitReport().run(second, t, {})
    code = first.messages[0]["text"].split("mã ")[1].split(" ")[0]
    assert code in second.messages[0]["text"]
    assert f"xem tại {lookup_url(services.settings().public_base_url, code)}." in first.messages[0]["text"]
    async with database.session() as session:
        count = (await session.execute(text("SELECT count(*) FROM reports"))).scalar()
    assert count == 1


async def test_database_down_keeps_the_draft_and_says_so() -> None:
    down = Database("postgresql://postgres@127.0.0.1:1/nowhere")
    services.install(services.ActionServices(down))
    dispatcher = CollectingDispatcher()
    try:
        events = await report_submit.ActionSubmitReport().run(dispatcher, tracker(draft_slots(), text="/affirm", intent="affirm"), {})
    finally:
        services.install(None)
        await down.dispose()
    assert dispatcher.messages[0]["text"] == msg.DATABASE_UNAVAILABLE
    assert any(e["event"] == "followup" and e["name"] == "report_form" for e in events)
    assert not any(e.get("name") == "draft_key" for e in events)  # the draft is kept for a retry


async def test_status_by_code_and_for_the_sender(database: Database) -> None:
    submitted = CollectingDispatcher()
    await report_submit.ActionSubmitReport().run(submitted, tracker(draft_slots(), text="/affirm", intent="affirm"), {})
    code = submitted.messages[0]["text"].split("mã ")[1].split(" ")[0]
    by_code = CollectingDispatcher()
    await status.ActionCheckStatus().run(by_code, tracker(text=f"tra cứu {code}", intent="check_status"), {})
    assert "Chờ xử lý" in by_code.messages[0]["text"] and "Phường Hoàn Kiếm" in by_code.messages[0]["text"]
    mine = CollectingDispatcher()
    await status.ActionCheckStatus().run(mine, tracker(text="phản ánh của tôi", intent="check_status"), {})
    assert code in mine.messages[0]["text"]
    stranger = CollectingDispatcher()
    await status.ActionCheckStatus().run(stranger, tracker(text="phản ánh của tôi", intent="check_status", sender="other"), {})
    assert stranger.messages[0]["text"] == msg.STATUS_NO_REPORTS


def test_only_changed_slots_become_events() -> None:
    from actions.common import changed_slots, reset_draft

    t = tracker({"category": "sidewalk", "ward_code": "00070"})
    events = changed_slots(t, {"category": "sidewalk", "ward_code": None, "description": None, "photo": "skipped"})
    assert [(e["name"], e["value"]) for e in events] == [("ward_code", None), ("photo", "skipped")]
    assert [e["name"] for e in reset_draft(t)] == ["category", "ward_code"]

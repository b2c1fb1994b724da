"""The report form keeps what the citizen says at any step: details, corrections, photos,
typed confirmations and "không rõ" (validators run on tracker fixtures, a real SQLite database)."""
from __future__ import annotations

import secrets
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.report_form import ActionAskConfirmed, ValidateReportForm
from bot import messages_vi as msg
from bot.media.links import photo_url
from bot.storage.db import Database
from bot.storage.uploads import record_upload

SENDER = "citizen-conversation"


def tracker(slots: Dict[str, Any] | None = None, text: str = "", intent: str = "inform",
            entities: List[Dict] | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    events = [{"event": "user", "text": text, "input_channel": "rest", "parse_data": latest}]
    return Tracker(SENDER, slots or {}, latest, events, False, None, {"name": "report_form"}, "action_listen")


def draft(**overrides: Any) -> Dict[str, Any]:
    slots = {"category": "sidewalk", "location": "00070", "ward_code": "00070", "ward_name": "Phường Hoàn Kiếm",
             "address_text": "Số 12 phố Hàng Bông", "address_parts": {"house_number": "12", "street": "Hàng Bông",
                                                                       "street_kind": "phố"},
             "description": "Quán bày bàn ghế chiếm vỉa hè", "details": "Quán bày bàn ghế chiếm vỉa hè",
             "photo_urls": []}
    return {**slots, **overrides}


def texts(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("text") or "" for m in dispatcher.messages]


async def test_a_detail_while_the_bot_asks_where_is_kept_and_the_question_stays(database: Database) -> None:
    dispatcher = CollectingDispatcher()
    text = "họ bày hàng tràn ra cả lòng đường"
    slots = draft(location=None, ward_code=None, ward_name=None, address_text=None, address_parts=None,
                  description=None, details=None)
    result = await ValidateReportForm().validate_location(text, dispatcher, tracker(slots, text), {})
    assert result["location"] is None and result["details"] == text
    assert texts(dispatcher) == [msg.DETAIL_NOTED]


async def test_a_place_correction_at_the_photo_step_moves_the_report_and_asks_the_photo_again(database: Database) -> None:
    dispatcher = CollectingDispatcher()
    text = "à nhầm, ở phường Kim Liên cơ"
    result = await ValidateReportForm().validate_photo(text, dispatcher, tracker(draft(), text), {})
    assert result["ward_code"] == "00229" and result["photo"] is None
    assert texts(dispatcher)[0].startswith("Đã sửa địa điểm thành") and "Phường Kim Liên" in texts(dispatcher)[0]


async def test_a_place_correction_at_the_phone_question_is_not_a_wrong_phone_number(database: Database) -> None:
    dispatcher = CollectingDispatcher()
    text = "không phải phường đó, phường Kim Liên"
    result = await ValidateReportForm().validate_contact(text, dispatcher, tracker(draft(), text), {})
    assert result["ward_code"] == "00229" and result["contact"] is None
    assert msg.CONTACT_INVALID not in texts(dispatcher)


async def test_a_category_correction_at_the_summary(database: Database) -> None:
    dispatcher = CollectingDispatcher()
    text = "à không, là xây dựng không phép"
    result = await ValidateReportForm().validate_confirmed(text, dispatcher, tracker(draft(), text), {})
    assert result["category"] == "construction" and result["confirmed"] is None


async def test_typed_send_confirms_and_a_refusal_never_wipes_the_place(database: Database) -> None:
    form = ValidateReportForm()
    for text in ("gửi", "ok gửi đi", "chuẩn rồi, gửi giúp mình nhé"):
        result = await form.validate_confirmed(text, CollectingDispatcher(), tracker(draft(), text, intent="deny"), {})
        assert result == {"confirmed": True}, text
    dispatcher = CollectingDispatcher()
    result = await form.validate_confirmed("không", dispatcher, tracker(draft(), "không", intent="deny"), {})
    assert result["confirmed"] is None and "ward_code" not in result and "location" not in result
    assert dispatcher.messages[0]["buttons"]


async def test_add_and_replace_content_at_the_summary(database: Database) -> None:
    form = ValidateReportForm()
    text = "Bổ sung nội dung: có 3 quán nước dựng mái che"
    added = await form.validate_confirmed(text, CollectingDispatcher(), tracker(draft(), text), {})
    assert added["details"] == "Quán bày bàn ghế chiếm vỉa hè. có 3 quán nước dựng mái che"
    text = "Sửa nội dung: quán bày 10 bộ bàn ghế kín vỉa hè"
    replaced = await form.validate_confirmed(text, CollectingDispatcher(), tracker(draft(), text), {})
    assert replaced["details"] == replaced["description"] == "quán bày 10 bộ bàn ghế kín vỉa hè"
    dispatcher = CollectingDispatcher()
    await ActionAskConfirmed().run(dispatcher, tracker(draft(details=added["details"])), {})
    assert "có 3 quán nước dựng mái che" in dispatcher.messages[0]["text"]
    assert "- Địa điểm: Số 12 phố Hàng Bông — Phường Hoàn Kiếm" in dispatcher.messages[0]["text"]


async def test_photos_at_any_step_are_counted_and_never_a_phone_number(database: Database) -> None:
    urls = []
    for _ in range(6):
        name = f"{secrets.token_hex(16)}.jpg"
        await record_upload(database, name, SENDER, "127.0.0.1")
        urls.append(photo_url(services.settings().public_base_url, name))
    form, photos = ValidateReportForm(), []
    for url in urls:
        dispatcher = CollectingDispatcher()
        text = '/inform{"photo_url": "%s"}' % url
        t = tracker(draft(photo_urls=photos, photo="provided"), text, entities=[{"entity": "photo_url", "value": url}])
        result = await form.validate_contact(text, dispatcher, t, {})
        assert result["contact"] is None and msg.CONTACT_INVALID not in texts(dispatcher)
        photos = result.get("photo_urls", photos)
    assert len(photos) == msg.MAX_PHOTOS
    assert texts(dispatcher) == [msg.PHOTO_LIMIT.format(limit=msg.MAX_PHOTOS)]


async def test_dont_know_at_the_split_ward_question_helps_then_files_to_the_main_candidate(database: Database) -> None:
    form = ValidateReportForm()
    text = "em không biết phường mới là phường nào"
    candidates = [{"ward_code": "00190", "ward_name": "Phường Ô Chợ Dừa"}, {"ward_code": "00025", "ward_name": "Phường Giảng Võ"}]
    slots = draft(location=None, ward_code=None, ward_name=None, ward_candidates=candidates,
                  location_note="split_or_several_wards")
    first = CollectingDispatcher()
    asked = await form.validate_location(text, first, tracker(slots, text), {})
    assert asked == {"location": None, "location_unknown": "asked"} and texts(first) == [msg.LOCATION_HELP]
    second = CollectingDispatcher()
    filed = await form.validate_location(text, second, tracker({**slots, **asked}, text), {})
    assert filed["location"] == filed["ward_code"] == "00190" and filed["ward_uncertain"] == ["00190", "00025"]
    assert "phường chưa chắc chắn" in texts(second)[0]


async def test_a_generic_description_is_asked_once_more_then_taken(database: Database) -> None:
    form = ValidateReportForm()
    slots = draft(description=None, details=None)
    dispatcher = CollectingDispatcher()
    first = await form.validate_description("lấn chiếm vỉa hè", dispatcher, tracker(slots, "lấn chiếm vỉa hè"), {})
    assert first["description"] is None and texts(dispatcher) == [msg.DESCRIPTION_TOO_SHORT]
    second = await form.validate_description("lấn chiếm", CollectingDispatcher(),
                                             tracker({**slots, **first}, "lấn chiếm"), {})
    assert second["description"] == "lấn chiếm"

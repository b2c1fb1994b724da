"""Actions run against tracker fixtures and a real (SQLite) database."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from sqlalchemy import select, text
from rasa_sdk.executor import CollectingDispatcher

from actions import report_submit, services, status
from actions.report_form import ActionAskConfirmed, ActionAskLocation, ValidateReportForm
from actions.report_start import ActionStartReport, start_report_slots
from bot import messages_vi as msg
from bot.config import PROJECT_ROOT
from bot.publication import page_url
from bot.storage.db import Database
from bot.storage.models import Report


def tracker(slots: Dict[str, Any] | None = None, text: str = "", intent: str = "inform",
            entities: List[Dict] | None = None, sender: str = "citizen-1", channel: str = "rest") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    events = [{"event": "user", "text": text, "input_channel": channel, "parse_data": latest}]
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


async def test_a_street_and_its_old_district_ask_for_the_ward_offering_it(database: Database) -> None:
    result = await ValidateReportForm().validate_location("25 Hàng Bông, Hoàn Kiếm", CollectingDispatcher(), tracker(), {})
    assert (result["location"], result["location_note"]) == (None, "street_in_district")
    dispatcher = CollectingDispatcher()
    await ActionAskLocation().run(dispatcher, tracker(result), {})
    [asked] = dispatcher.messages
    assert asked["text"].endswith(msg.LOCATION_CANDIDATES["street_in_district"]) and "\"Số 25 Hàng Bông\"" in asked["text"]
    titles = [b["title"] for b in asked["buttons"]]
    assert titles[0] == "Phường Hoàn Kiếm" and "Phường Cửa Nam" in titles  # the street table's ward first


async def test_outside_hanoi_is_noted(database: Database) -> None:
    result = await ValidateReportForm().validate_location("quận 3 Sài Gòn", CollectingDispatcher(), tracker(), {})
    assert result["location"] is None and result["location_note"] == "outside"


async def test_a_shared_location_outside_hanoi_is_answered_politely_and_not_kept(database: Database) -> None:
    pin = [{"entity": "latitude", "value": 21.1167}, {"entity": "longitude", "value": 105.9627}]  # Từ Sơn, Bắc Ninh
    t = tracker(text='/inform{"latitude": 21.1167, "longitude": 105.9627}', entities=pin)
    result = await ValidateReportForm().validate_location(t.latest_message["text"], CollectingDispatcher(), t, {})
    assert (result["location"], result["location_note"], result["latitude"]) == (None, "outside", None)
    assert "address_parts" not in result
    dispatcher = CollectingDispatcher()
    await ActionAskLocation().run(dispatcher, tracker(result), {})
    assert [m["text"] for m in dispatcher.messages] == [msg.LOCATION_OUTSIDE, msg.ASK_LOCATION]


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
    assert f"xem tại {page_url(services.settings().public_base_url, code)}." in first.messages[0]["text"]
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
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]][0] == "/affirm"
    assert {"event": "active_loop", "name": "report_form"} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert {"requested_slot": "confirmed", "confirmed": None}.items() <= {
        e["name"]: e["value"] for e in events if e["event"] == "slot"}.items()
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"  # no form run anew
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


async def test_a_code_looked_up_by_someone_else_shows_only_what_is_public(database: Database) -> None:
    """Codes are public (Open311 lists them): the latest note, which may be a staff's working
    note with a phone number, is for the citizen who sent the report; others get the public
    closing note only."""
    from bot.staff.workflow import ActionInput, perform
    from tests.helpers.staff import officer

    submitted = CollectingDispatcher()
    await report_submit.ActionSubmitReport().run(submitted, tracker(draft_slots(), text="/affirm", intent="affirm"), {})
    code = submitted.messages[0]["text"].split("mã ")[1].split(" ")[0]
    staff = await officer(database, "canbo.hk", "00070")
    await perform(database, staff, code, "acknowledge", ActionInput(note="Đã gọi chủ quán số 0912 345 678"))

    async def looked_up(sender: str) -> str:
        said = CollectingDispatcher()
        await status.ActionCheckStatus().run(said, tracker(text=f"tra cứu {code}", intent="check_status", sender=sender), {})
        return said.messages[0]["text"]

    assert "0912 345 678" in await looked_up("citizen-1")  # the sender: everything, as before
    stranger = await looked_up("someone-else")
    assert code in stranger and "Phường Hoàn Kiếm" in stranger
    assert "0912" not in stranger and "Ghi chú" not in stranger

    await perform(database, staff, code, "handle", ActionInput(note="Đã xử lý, liên hệ 0912 345 678 nếu tái diễn"))
    closed = await looked_up("someone-else")
    assert "Đã xử lý, liên hệ" in closed and "0912 345 678" not in closed  # the public note, masked


def test_only_changed_slots_become_events() -> None:
    from actions.common import changed_slots, reset_draft

    t = tracker({"category": "sidewalk", "ward_code": "00070"})
    events = changed_slots(t, {"category": "sidewalk", "ward_code": None, "description": None, "photo": "skipped"})
    assert [(e["name"], e["value"]) for e in events] == [("ward_code", None), ("photo", "skipped")]
    assert [e["name"] for e in reset_draft(t)] == ["category", "ward_code"]


# --- consent to the outcome by Zalo message (ZNS) in the contact step ----------------------

def contact_question(zalo: bool) -> str:
    """The contact question Rasa picks: the variant whose slot condition holds, else the plain one."""
    variants = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]["utter_ask_contact"]
    for variant in variants:
        conditions = variant.get("condition") or []
        if all(c["type"] == "slot" and c["name"] == "zalo_channel" and c["value"] is zalo for c in conditions):
            return variant["text"]
    raise AssertionError("no variant")


def test_the_contact_question_on_zalo_asks_for_consent_in_one_sentence() -> None:
    zalo, other = contact_question(True), contact_question(False)
    assert zalo.startswith(other)
    added = zalo[len(other):].strip()
    assert added.count(".") == 1 and "tin nhắn Zalo" in added and "không cần thông báo" in added
    assert "Zalo" not in other  # the web chat promises nothing it does not do


async def test_the_report_start_says_whether_it_is_on_zalo(database: Database) -> None:
    for channel, expected in (("zalo", True), ("socketio", False)):
        events = await ActionStartReport().run(
            CollectingDispatcher(), tracker(text="quán bày bàn ghế chiếm vỉa hè", intent="report_sidewalk",
                                            channel=channel), {})
        assert [e["value"] for e in events if e.get("name") == "zalo_channel"] == [expected]


@pytest.mark.parametrize(("text", "consent"), [
    ("0912345678", True),
    ("sdt của em 0912 345 678 nhé", True),
    ("0912345678, không cần thông báo", False),
    ("0912345678 nhưng đừng nhắn tin cho mình", False),
    ("0912345678 ko can nhan zalo", False),
])
async def test_a_phone_number_on_zalo_is_the_consent_unless_declined(text: str, consent: bool,
                                                                   database: Database) -> None:
    result = await ValidateReportForm().validate_contact(
        text, CollectingDispatcher(), tracker({"zalo_channel": True}, text=text, channel="zalo"), {})
    assert result["phone"] == "0912345678" and result["notify_consent"] is consent


async def test_without_the_notice_a_phone_number_on_zalo_is_no_consent(database: Database) -> None:
    """A report opened where `zalo_channel` was not set never showed the sentence that makes a
    number the consent."""
    result = await ValidateReportForm().validate_contact("0912345678", CollectingDispatcher(),
                                                         tracker(text="0912345678", channel="zalo"), {})
    assert result["phone"] == "0912345678" and result["notify_consent"] is None


async def test_every_way_of_opening_a_report_on_zalo_says_so(database: Database) -> None:
    from actions.status import start_report

    text = "nhà bên cạnh xây thêm 2 tầng không phép mà chưa ai xuống kiểm tra"
    events = start_report(tracker(text=text, intent="check_status", channel="zalo"))
    assert [e["value"] for e in events if e.get("name") == "zalo_channel"] == [True]


async def test_off_zalo_no_consent_is_recorded(database: Database) -> None:
    result = await ValidateReportForm().validate_contact("0912345678", CollectingDispatcher(),
                                                         tracker(text="0912345678", channel="socketio"), {})
    assert result["phone"] == "0912345678" and result["notify_consent"] is None


async def summary(slots: Dict[str, Any], channel: str) -> str:
    dispatcher = CollectingDispatcher()
    await ActionAskConfirmed().run(dispatcher, tracker(draft_slots(**slots), channel=channel), {})
    return dispatcher.messages[0]["text"]


async def test_the_summary_says_whether_the_outcome_comes_by_zalo(database: Database) -> None:
    yes = await summary({"phone": "0912345678", "notify_consent": True, "confirmed": None}, "zalo")
    no = await summary({"phone": "0912345678", "notify_consent": False, "confirmed": None}, "zalo")
    assert "- Nhận kết quả qua tin nhắn Zalo: Có" in yes and "- Nhận kết quả qua tin nhắn Zalo: Không" in no
    assert "Nhận kết quả" not in await summary({"phone": None, "confirmed": None}, "zalo")
    assert "Nhận kết quả" not in await summary({"phone": "0912345678", "confirmed": None}, "socketio")


@pytest.mark.parametrize(("text", "consent", "said"), [
    ("đừng nhắn Zalo cho mình", False, msg.NOTIFY_OFF),  # "đừng" is not "đúng"
    ("không cần thông báo kết quả", False, msg.NOTIFY_OFF),
    ("có, nhắn qua zalo giúp mình", True, msg.NOTIFY_ON),
])
async def test_sua_thong_tin_switches_the_consent_and_shows_the_summary_again(
        text: str, consent: bool, said: str, database: Database) -> None:
    dispatcher = CollectingDispatcher()
    slots = draft_slots(phone="0912345678", notify_consent=not consent, confirmed=None)
    result = await ValidateReportForm().validate_confirmed(text, dispatcher, tracker(slots, text=text, channel="zalo"), {})
    assert result["notify_consent"] is consent and result["confirmed"] is None and "confirm_quiet" not in result
    assert dispatcher.messages[0]["text"] == said


async def test_typed_confirmations_still_send(database: Database) -> None:
    for typed in ("đúng rồi, gửi đi", "gửi"):
        result = await ValidateReportForm().validate_confirmed(
            typed, CollectingDispatcher(), tracker(draft_slots(phone="0912345678", notify_consent=True,
                                                               confirmed=None), text=typed, channel="zalo"), {})
        assert result == {"confirmed": True}


async def test_asking_for_zalo_news_without_a_phone_asks_for_the_number(database: Database) -> None:
    dispatcher = CollectingDispatcher()
    text = "nhắn qua zalo cho mình nhé"
    result = await ValidateReportForm().validate_confirmed(
        text, dispatcher, tracker(draft_slots(phone=None, confirmed=None), text=text, channel="zalo"), {})
    assert result == {"contact": None, "confirmed": None}
    assert dispatcher.messages[0]["text"] == msg.NOTIFY_NEEDS_PHONE


async def test_the_consent_is_stored_with_the_report_and_its_time(database: Database) -> None:
    for key, consent in (("draft-yes", True), ("draft-no", False)):
        t = tracker(draft_slots(draft_key=key, phone="0912345678", notify_consent=consent), text="/affirm",
                    intent="affirm", channel="zalo")
        await report_submit.ActionSubmitReport().run(CollectingDispatcher(), t, {})
    async with database.session() as session:
        rows = {r.draft_key: r for r in (await session.scalars(select(Report))).all()}
    assert rows["draft-yes"].notify_consent and rows["draft-yes"].notify_consent_at is not None
    assert not rows["draft-no"].notify_consent and rows["draft-no"].notify_consent_at is None

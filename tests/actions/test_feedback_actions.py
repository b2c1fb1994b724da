"""Rating a handled report and reopening it, with a real (SQLite) database."""
from __future__ import annotations

from typing import Any, Dict

from sqlalchemy import select
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback
from actions.report_start import ActionStartReport
from actions.status import ActionCheckStatus
from bot import messages_vi as msg, statuses
from bot.storage.db import Database
from bot.storage.models import Notification, Report
from bot.storage.reports import change_status, find_report
from tests.helpers.reports import stored_report


def tracker(sender: str, entities: Dict[str, Any] | None = None, slots: Dict[str, Any] | None = None) -> Tracker:
    latest = {"text": "/rate_report", "intent": {"name": "rate_report", "confidence": 1.0},
              "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()]}
    return Tracker(sender, slots or {}, latest, [], False, None, {}, "action_listen")




SENDER = "citizen-feedback"


async def handled_report(db: Database) -> Any:
    report = await stored_report(db, sender_id=SENDER)
    await change_status(db, report.code, statuses.HANDLED, "staff", note="Đã yêu cầu dọn bàn ghế")
    return report


async def test_a_satisfied_citizen_is_thanked_and_the_rating_kept(database: Database) -> None:
    report = await handled_report(database)
    dispatcher = CollectingDispatcher()
    events = await feedback.ActionRateReport().run(
        dispatcher, tracker(SENDER, {"report_code": report.code, "rating": "satisfied"}), {})
    assert events == [] and "Cảm ơn" in dispatcher.messages[0]["text"]
    async with database.session() as session:
        assert await session.scalar(select(Report.satisfaction).where(Report.code == report.code)) == "satisfied"


async def test_unsatisfied_asks_why_then_reopens_with_the_citizens_words(database: Database) -> None:
    report = await handled_report(database)
    events = await feedback.ActionRateReport().run(
        CollectingDispatcher(), tracker(SENDER, {"report_code": report.code, "rating": "unsatisfied"}), {})
    assert [(e["event"], e.get("name"), e.get("value")) for e in events] == [
        ("slot", "reopen_code", report.code), ("followup", "reopen_form", None)]
    dispatcher = CollectingDispatcher()
    await feedback.ActionReopenReport().run(dispatcher, tracker(
        SENDER, slots={"reopen_code": report.code, "reopen_reason": "quán vẫn bày bàn ghế như cũ"}), {})
    assert "mở lại" in dispatcher.messages[0]["text"]
    reopened = await find_report(database, report.code)
    assert reopened.status == statuses.IN_PROGRESS and "vẫn bày bàn ghế" in reopened.latest_note
    async with database.session() as session:  # the bot answered in the chat: no second message queued
        texts = list(await session.scalars(select(Notification.text).order_by(Notification.id)))
    assert len(texts) == 1 and "xử lý xong" in texts[0]


async def test_only_the_reporting_citizen_can_rate_and_only_once_handled(database: Database) -> None:
    report = await handled_report(database)
    dispatcher = CollectingDispatcher()
    await feedback.ActionRateReport().run(
        dispatcher, tracker("someone-else", {"report_code": report.code, "rating": "unsatisfied"}), {})
    assert "không tìm thấy" in dispatcher.messages[0]["text"]
    fresh = await stored_report(database, sender_id=SENDER)
    dispatcher = CollectingDispatcher()
    await feedback.ActionRateReport().run(
        dispatcher, tracker(SENDER, {"report_code": fresh.code, "rating": "satisfied"}), {})
    assert "chưa đánh giá được" in dispatcher.messages[0]["text"]


def said(text: str, intent: str) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "text": text, "input_channel": "rest", "parse_data": latest}]
    return Tracker(SENDER, {}, latest, events, False, None, {}, "action_listen")


async def test_a_status_question_never_reopens(database: Database) -> None:
    report = await handled_report(database)
    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(dispatcher, said(f"Phản ánh {report.code} sao vẫn chưa có kết quả?", "check_status"), {})
    assert report.code in dispatcher.messages[0]["text"]
    await ActionStartReport().run(CollectingDispatcher(), said("quán đó vẫn còn bày bàn ghế ra vỉa hè", "report_sidewalk"), {})
    assert (await find_report(database, report.code)).status == statuses.HANDLED


async def test_reopen_by_code_keeps_the_citizens_words_as_the_reason(database: Database) -> None:
    report = await handled_report(database)
    text = f"{report.code} báo đã xử lý mà quán vẫn bày bàn ghế ra vỉa hè"
    events = await feedback.ActionReopenRequest().run(CollectingDispatcher(), said(text, "reopen_report"), {})
    assert [(e["event"], e.get("name")) for e in events] == [
        ("slot", "reopen_code"), ("slot", "reopen_reason"), ("followup", "reopen_form")]
    assert events[1]["value"] == text


async def test_reopen_without_a_code_asks_which_report_with_buttons(database: Database) -> None:
    report = await handled_report(database)
    other = await stored_report(database, sender_id=SENDER)  # not handled: not offered
    dispatcher = CollectingDispatcher()
    events = await feedback.ActionReopenRequest().run(dispatcher, said("vẫn còn vi phạm, mở lại giúp tôi", "reopen_report"), {})
    assert events == []
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ['/reopen_report{"report_code": "%s"}' % report.code] and other.code not in str(payloads)
    assert "xử lý trong 30 ngày qua" in dispatcher.messages[0]["text"]  # bot.storage.feedback.REOPEN_WINDOW
    assert (await find_report(database, report.code)).status == statuses.HANDLED


async def test_reopen_of_someone_elses_or_an_open_report_is_refused(database: Database) -> None:
    report = await handled_report(database)
    dispatcher = CollectingDispatcher()
    latest = {"text": f"mở lại {report.code}", "intent": {"name": "reopen_report"}, "entities": []}
    stranger = Tracker("someone-else", {}, latest, [], False, None, {}, "action_listen")
    assert await feedback.ActionReopenRequest().run(dispatcher, stranger, {}) == []
    fresh = await stored_report(database, sender_id=SENDER)
    await feedback.ActionReopenRequest().run(dispatcher, said(f"mở lại {fresh.code}", "reopen_report"), {})
    assert "không tìm thấy" in dispatcher.messages[0]["text"] and "chưa ở trạng thái" in dispatcher.messages[1]["text"]


async def test_reopen_with_nothing_handled_and_a_violation_starts_a_report(database: Database) -> None:
    events = await feedback.ActionReopenRequest().run(
        CollectingDispatcher(), said("quán đó vẫn còn bày bàn ghế ra vỉa hè", "reopen_report"), {})
    assert events[-1]["name"] == "report_form"
    assert {"event": "slot", "name": "category", "value": "sidewalk"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]


async def test_the_reason_question_gives_an_example_of_the_reports_kind(database: Database) -> None:
    report = await handled_report(database)
    dispatcher = CollectingDispatcher()
    await feedback.ActionAskReopenReason().run(dispatcher, tracker(SENDER, slots={"reopen_code": report.code}), {})
    assert dispatcher.messages[0]["text"] == msg.ASK_REOPEN_REASON[report.category]


def test_the_button_that_opened_the_form_is_not_the_citizens_reason() -> None:
    form = feedback.ValidateReopenForm()
    payload = '/rate_report{"report_code": "PA-ZR4QYD", "rating": "unsatisfied"}'
    assert form.validate_reopen_reason(payload, CollectingDispatcher(), said(payload, "rate_report"), {}) == {"reopen_reason": None}
    words = "quán vẫn bày bàn ghế"
    assert form.validate_reopen_reason(words, CollectingDispatcher(), said(words, "inform"), {}) == {"reopen_reason": words}

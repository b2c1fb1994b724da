"""Status look-up by report code, or the sender's own recent reports."""
from __future__ import annotations

import logging
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    changed_slots, channel_of, citizen, entity_value, latest_text, local_date, local_datetime,
)
from bot import intake, turns
from bot import messages_vi as msg
from bot.storage.errors import DATABASE_ERRORS
from bot.codes import find_codes, normalize_code
from actions.services import database
from bot.storage.public_reports import public_report
from bot.storage.reports import ReportView, find_report, list_reports_for_sender

logger = logging.getLogger(__name__)


def requested_code(tracker: Tracker) -> str | None:
    text = latest_text(tracker)
    codes = find_codes(text)
    if codes:
        return codes[0]
    entity = entity_value(tracker, "report_code")
    return normalize_code(str(entity)) if entity else normalize_code(text)


def describe(report: ReportView, note: str | None = None, own: bool = True) -> str:
    """A report as its citizen sees it (with the latest note), or, to anyone else who has the
    code, with only what is public (`bot.publication`: the staff's closing note, masked)."""
    return msg.status_detail(
        report.code, report.category_label, report.status_label, report.ward_name,
        local_date(report.created_at), local_datetime(report.updated_at), local_datetime(report.due_at),
        report.latest_note if own else note,
    )


async def describe_by_code(tracker: Tracker, report: ReportView) -> str:
    if report.made_by(channel_of(tracker), citizen(tracker)):
        return describe(report)
    public = await public_report(database(), report.code)
    return describe(report, public.result_note if public else None, own=False)


def describes_a_violation(text: str) -> bool:
    return bool(intake.category_from_text(text)) and turns.is_detail(text)


def start_report(tracker: Tracker) -> List[EventType]:
    """"Nhà bên cạnh xây thêm 2 tầng mà phường chưa xuống kiểm tra", from a citizen with no
    report yet: the report they mean to make."""
    from actions.report_start import opening_slots

    text = latest_text(tracker)
    return changed_slots(tracker, opening_slots(tracker, text, intake.category_from_text(text))) + [
        FollowupAction("report_form")]


def answers_reopen_question(tracker: Tracker) -> bool:
    """Was the bot's last question "which report should be reopened?"."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif event.get("event") == "action" and seen_user and event.get("name") not in ("action_listen", None):
            return event.get("name") == "action_reopen_request"
    return False


class ActionCheckStatus(Action):
    def name(self) -> Text:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        code = requested_code(tracker)
        if code and answers_reopen_question(tracker):  # "Bạn muốn mở lại phản ánh nào?" → "mã PA-…"
            return [FollowupAction("action_reopen_request")]
        try:
            if code:
                report = await find_report(database(), code)
                dispatcher.utter_message(text=await describe_by_code(tracker, report) if report
                                         else msg.STATUS_NOT_FOUND.format(code=code))
                return []
            reports = await list_reports_for_sender(database(), channel_of(tracker), citizen(tracker))
        except DATABASE_ERRORS:
            logger.exception("Status look-up failed for %s", tracker.sender_id)
            dispatcher.utter_message(text=msg.SERVICE_UNAVAILABLE)
            return []
        if not reports and describes_a_violation(latest_text(tracker)):  # a report the model took for a question
            return start_report(tracker)
        if not reports:
            dispatcher.utter_message(text=msg.STATUS_NO_REPORTS)
        elif len(reports) == 1:
            dispatcher.utter_message(text=describe(reports[0]))
        else:
            lines = [msg.status_line(r.code, r.category_label, r.status_label, r.ward_name, local_date(r.created_at)) for r in reports]
            dispatcher.utter_message(text=msg.STATUS_LIST_HEADER + "\n\n" + "\n".join(lines))
        return []

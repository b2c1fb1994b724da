"""The citizen rates a handled report, or asks to reopen one: "Chưa hài lòng" or "vẫn còn vi phạm"
ask what is still wrong and reopen it."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import changed_slots, citizen, entity_value, latest_text
from actions.report_start import opening_slots
from actions.services import database
from bot import intake, turns
from bot import messages_vi as msg
from bot.codes import find_codes, normalize_code
from bot.statuses import CATEGORY_LABELS
from bot.storage.errors import DATABASE_ERRORS, ReportNotFound
from bot.storage.feedback import (
    REOPEN_WINDOW, HandledReport, NotHandled, NotYourReport, rate_report, recently_handled, reopen_report, reopenable,
)
from bot.storage.reports import find_report

logger = logging.getLogger(__name__)
UNSATISFIED = "unsatisfied"


class ActionRateReport(Action):
    def name(self) -> Text:
        return "action_rate_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        code = normalize_code(str(entity_value(tracker, "report_code") or "")) or ""
        rating = str(entity_value(tracker, "rating") or "")
        try:
            code = await rate_report(database(), code, citizen(tracker), rating)
        except (ReportNotFound, NotYourReport, ValueError):
            dispatcher.utter_message(text=msg.RATING_NOT_YOURS.format(code=code or "này"))
            return []
        except NotHandled:
            dispatcher.utter_message(text=msg.RATING_NOT_HANDLED.format(code=code))
            return []
        except DATABASE_ERRORS:
            logger.exception("Could not store the rating of %s", code)
            dispatcher.utter_message(text=msg.SERVICE_UNAVAILABLE)
            return []
        if rating == UNSATISFIED:
            return [SlotSet("reopen_code", code), FollowupAction("reopen_form")]
        dispatcher.utter_message(text=msg.RATING_THANKS.format(code=code))
        return []


def reopen_buttons(reports: List[HandledReport]) -> List[Dict[str, str]]:
    return [{"title": f"{r.code} — {CATEGORY_LABELS.get(r.category, r.category)}, {r.ward_name}",
             "payload": '/reopen_report{"report_code": "%s"}' % r.code} for r in reports]


class ActionReopenRequest(Action):
    """"PA-7K2Q9X báo đã xử lý mà vẫn còn vi phạm": reopen the report the citizen names, or ask
    which of their reports handled in the last 30 days. Only this intent reopens anything."""

    def name(self) -> Text:
        return "action_reopen_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        text = latest_text(tracker)
        codes = find_codes(text)
        code = codes[0] if codes else normalize_code(str(entity_value(tracker, "report_code") or ""))
        reason = [SlotSet("reopen_reason", intake.clip(text))] if turns.is_detail(text) and not intake.is_payload(text) else []
        try:
            if code:
                return await self.reopen(dispatcher, tracker, code, reason)
            reports = await recently_handled(database(), citizen(tracker))
        except DATABASE_ERRORS:
            logger.exception("Could not look up reports to reopen for %s", tracker.sender_id)
            dispatcher.utter_message(text=msg.SERVICE_UNAVAILABLE)
            return []
        if reports:
            dispatcher.utter_message(text=msg.REOPEN_WHICH.format(days=REOPEN_WINDOW.days),
                                     buttons=reopen_buttons(reports))
            return reason
        category = intake.category_from_text(text)
        if category:  # nothing was handled: the violation is a new report
            return changed_slots(tracker, opening_slots(tracker, text, category)) + [FollowupAction("report_form")]
        dispatcher.utter_message(text=msg.REOPEN_NOTHING.format(days=REOPEN_WINDOW.days))
        return []

    async def reopen(self, dispatcher: CollectingDispatcher, tracker: Tracker, code: str,
                     reason: List[EventType]) -> List[EventType]:
        try:
            code = await reopenable(database(), code, citizen(tracker))
        except (ReportNotFound, NotYourReport):
            dispatcher.utter_message(text=msg.RATING_NOT_YOURS.format(code=code))
            return []
        except NotHandled:
            dispatcher.utter_message(text=msg.REOPEN_NOT_HANDLED.format(code=code))
            return []
        return [SlotSet("reopen_code", code), *reason, FollowupAction("reopen_form")]


class ActionAskReopenReason(Action):
    """What is still wrong, with an example of the report's own kind."""

    def name(self) -> Text:
        return "action_ask_reopen_reason"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        category = None
        try:
            report = await find_report(database(), tracker.get_slot("reopen_code") or "")
            category = report.category if report else None
        except DATABASE_ERRORS:
            logger.exception("Could not read the report to reopen")
        dispatcher.utter_message(text=msg.ASK_REOPEN_REASON.get(category or "", msg.ASK_REOPEN_REASON[""]))
        return []


class ActionReopenReport(Action):
    def name(self) -> Text:
        return "action_reopen_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        code = tracker.get_slot("reopen_code") or ""
        words = str(tracker.get_slot("reopen_reason") or "")
        reset = [SlotSet("reopen_code", None), SlotSet("reopen_reason", None)]
        try:
            view = await reopen_report(database(), code, citizen(tracker), words)
        except (ReportNotFound, NotYourReport):
            dispatcher.utter_message(text=msg.RATING_NOT_YOURS.format(code=code))
            return reset
        except NotHandled:
            dispatcher.utter_message(text=msg.RATING_NOT_HANDLED.format(code=code))
            return reset
        except DATABASE_ERRORS:
            logger.exception("Could not reopen %s", code)
            dispatcher.utter_message(text=msg.SERVICE_UNAVAILABLE)
            return reset + [ActiveLoop(None)]
        dispatcher.utter_message(text=msg.REOPENED.format(code=view.code, ward=view.ward_name))
        return reset


class ValidateReopenForm(FormValidationAction):
    """The words "what is still wrong" must be the citizen's, not the button that opened the form."""

    def name(self) -> Text:
        return "validate_reopen_form"

    def validate_reopen_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: Dict) -> Dict[Text, Any]:
        text = str(value or "").strip()
        return {"reopen_reason": None if not text or intake.is_payload(text) else intake.clip(text)}

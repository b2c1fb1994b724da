"""The citizen rates a handled report; "Chưa hài lòng" asks what is still wrong and reopens it."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.common import citizen, entity_value, latest_text
from bot import intake
from bot import messages_vi as msg
from bot.codes import normalize_code
from actions.services import database
from bot.storage.errors import ReportNotFound
from bot.storage.feedback import NotHandled, NotYourReport, rate_report, recently_handled, reopen_report

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
        except SQLAlchemyError:
            logger.exception("Could not store the rating of %s", code)
            dispatcher.utter_message(text=msg.SERVICE_UNAVAILABLE)
            return []
        if rating == UNSATISFIED:
            return [SlotSet("reopen_code", code), FollowupAction("reopen_form")]
        dispatcher.utter_message(text=msg.RATING_THANKS.format(code=code))
        return []


async def reopen_if_still_there(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """"Vẫn còn vi phạm" after a report was handled: reopen it with these words instead of
    taking the message as a new report. True when it did."""
    text = latest_text(tracker)
    if not intake.says_still_there(text):
        return False
    try:
        db = database()
        code = await recently_handled(db, citizen(tracker))
        if code is None:
            return False
        view = await reopen_report(db, code, citizen(tracker), text)
    except (NotYourReport, NotHandled, ReportNotFound, SQLAlchemyError):
        logger.exception("Could not reopen a report for %s", tracker.sender_id)
        return False
    dispatcher.utter_message(text=msg.REOPENED.format(code=view.code, ward=view.ward_name))
    return True


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
        except SQLAlchemyError:
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

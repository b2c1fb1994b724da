"""Ending a report: store it (first) and give the code (then), or cancel it."""
from __future__ import annotations

import logging
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of, citizen, confirm_buttons, local_datetime, reset_draft
from bot import messages_vi as msg
from bot.storage.errors import DATABASE_ERRORS
from bot.address.parts import AddressParts
from actions.services import database, settings
from bot.publication import page_url
from bot.storage.reports import ReportDraft, submit_report

logger = logging.getLogger(__name__)


def draft_from(tracker: Tracker) -> ReportDraft:
    slot = tracker.get_slot
    return ReportDraft(
        draft_key=slot("draft_key") or f"{tracker.sender_id}:{len(tracker.events)}",
        category=slot("category"),
        description=slot("details") or slot("description") or slot("citizen_text") or "",
        citizen_text=slot("citizen_text") or slot("description") or "",
        address_text=slot("address_text") or "",
        ward_code=slot("ward_code"),
        channel=channel_of(tracker),
        sender_id=citizen(tracker),
        conversation_id=tracker.sender_id,
        latitude=slot("latitude"),
        longitude=slot("longitude"),
        phone=slot("phone"),
        anonymous=not slot("phone"),
        notify_consent=bool(slot("phone")) and slot("notify_consent") is True,
        photo_urls=list(slot("photo_urls") or []),
        address=AddressParts.from_dict(slot("address_parts")),
        ward_candidates=list(slot("ward_uncertain") or []),
    )


def back_at_the_summary() -> List[EventType]:
    """The form as it was at its summary, everything entered kept: "Gửi phản ánh" retries with
    the same draft key. Not by running the form again, which would validate every slot anew
    against the latest message, the button's payload (a retry then got asked for a description)."""
    return [ActiveLoop("report_form"), SlotSet("requested_slot", "confirmed"), SlotSet("confirmed", None),
            FollowupAction("action_listen")]


class ActionSubmitReport(Action):
    def name(self) -> Text:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        if not tracker.get_slot("confirmed"):
            return reset_draft(tracker)
        draft = draft_from(tracker)
        try:
            report = await submit_report(database(), draft)
        except DATABASE_ERRORS as error:
            logger.exception("Storing report %s for %s failed: %s", draft.draft_key, tracker.sender_id, error)
            dispatcher.utter_message(text=msg.DATABASE_UNAVAILABLE, buttons=confirm_buttons())
            return back_at_the_summary()
        logger.info("Report %s stored for ward %s (sender %s)", report.code, report.ward_code, tracker.sender_id)
        dispatcher.utter_message(
            text=msg.report_received(report.code, report.ward_name, local_datetime(report.due_at),
                                     page_url(settings().public_base_url, report.code)),
        )
        return reset_draft(tracker)


class ActionCancelReport(Action):
    def name(self) -> Text:
        return "action_cancel_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        dispatcher.utter_message(response="utter_report_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + reset_draft(tracker)

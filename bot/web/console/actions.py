"""Carrying out a staff action from an HTTP request (shared by the pages and the API)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from aiohttp import web

from bot.staff import access, workflow
from bot.staff.workflow import ActionInput
from bot.storage.reports import ReportView, report_state
from bot.web.console.context import current_staff, database
from bot.media.links import signed_link
from bot.web.console.inputs import action_input, discard_photo
from bot.web.keys import SETTINGS_KEY


@dataclass(frozen=True)
class Done:
    report: ReportView
    message: str  # Vietnamese, for the officer


async def run_action(request: web.Request, data_out: list[ActionInput] | None = None) -> Done:
    """The action named in the URL on the report in the URL, as the signed-in staff member.

    The ward is checked before the body is read (so no photo is stored for a report the
    officer may not touch). Raises ReportNotFound, AccessDenied, ActionRefused, StaleReport;
    `data_out` receives the parsed input, for a form shown again after a refusal.
    """
    staff, db = current_staff(request), database(request)
    state = await report_state(db, request.match_info["code"])
    access.require_act(staff, state.ward_code)
    name = request.match_info["action"]
    data = await action_input(request, allow_photo=name == workflow.HANDLE, owner=f"staff:{staff.username}")
    if data.photo_url:
        settings = request.app[SETTINGS_KEY]
        data = replace(data, photo_link=signed_link(data.photo_url, settings.public_base_url, settings.link_secret))
    if data_out is not None:
        data_out.append(data)
    try:
        view = await workflow.perform(db, staff, state.code, name, data)
    except Exception:
        discard_photo(request, data.photo_url)
        raise
    return Done(view, workflow.ACTIONS[name].done.format(code=view.code, ward=view.ward_name))

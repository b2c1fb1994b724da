"""The console's pages: the queue, a report with its action forms, the overdue lists
(the KPI and hotspot pages are in `figures`)."""
from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot import statuses
from bot.codes import normalize_code
from bot.staff import access
from bot.staff.access import Staff
from bot.staff.dashboard import visible_wards
from bot.staff.details import load_detail
from bot.staff.errors import ActionRefused, StaleReport
from bot.staff.queue import LONG_OVERDUE, OPEN_STATUSES, SORT_LABELS, list_queue, overdue_overview
from bot.staff.workflow import (CANDIDATE_TRANSFER_REASON, CONFIRM_WARD, DUPLICATE, TRANSFER, ActionInput,
                                available_actions)
from bot.storage.db import Database
from bot.storage.wards import WardRow, list_wards
from bot.web.console.actions import run_action
from bot.web.console.context import TRANSCRIPTS_KEY, current_staff, database
from bot.web.console.inputs import filter_query, queue_filter
from bot.web.console.render import flash, page, redirect

routes = web.RouteTableDef()

HOME = "/console/"


async def ward_choices(db: Database, staff: Staff) -> list[WardRow]:
    """Wards a page can be narrowed to: none to choose for an officer of a single ward."""
    wards = [w for w in await visible_wards(db, staff) if w.active]
    return wards if access.readable_wards(staff) is None or len(wards) > 1 else []


@routes.get("/console")
async def console_root(request: web.Request) -> web.Response:
    return redirect(HOME)


@routes.get(HOME)
async def queue_page(request: web.Request) -> web.Response:
    staff, db = current_staff(request), database(request)
    parsed = queue_filter(request.query)
    result = await list_queue(db, staff, parsed.filters, parsed.cursor)
    base = filter_query(parsed.filters)
    next_url = f"{HOME}?{urlencode(base + [('cursor', result.next_cursor)])}" if result.next_cursor else None
    return await page(
        request, "queue.html", status=400 if parsed.errors else 200, result=result, filters=parsed.filters,
        errors=parsed.errors,
        wards=await ward_choices(db, staff), next_url=next_url, first_url=f"{HOME}?{urlencode(base)}",
        paged=bool(parsed.cursor), sort_labels=SORT_LABELS, status_labels=statuses.STAFF_LABELS,
        uncertain_url=f"{HOME}?{urlencode([('uncertain', '1')] + [('status', s) for s in OPEN_STATUSES])}",
        category_labels=statuses.CATEGORY_LABELS,
    )


async def report_page(request: web.Request, *, status: int = 200, error: str | None = None,
                      failed: tuple[str, ActionInput] | None = None) -> web.Response:
    """The report page; after a refused action, with the error and what the officer typed."""
    staff, db = current_staff(request), database(request)
    detail = await load_detail(db, staff, request.match_info["code"])
    transcript = await request.app[TRANSCRIPTS_KEY].for_staff(detail.conversation_id, detail.created_at, detail.can_act)
    actions = available_actions(detail.status, ward_uncertain=detail.ward_uncertain) if detail.can_act else []
    names = {a.name for a in actions}
    wards = [w for w in await list_wards(db) if w.code != detail.ward_code] if TRANSFER in names else []  # Vietnamese order
    # "Đánh dấu trùng" next to a likely duplicate opens the duplicate form with its code filled in
    original = normalize_code(request.query.get("original", "")) if DUPLICATE in names else None
    return await page(request, "report.html", status=status, report=detail, transcript=transcript,
                      actions=actions, wards=wards, error=error, can_mark_duplicate=DUPLICATE in names,
                      can_transfer_to_candidate=TRANSFER in names, can_confirm_ward=CONFIRM_WARD in names,
                      candidate_reason=CANDIDATE_TRANSFER_REASON,
                      original_prefill=original if not failed else None,
                      failed_action=failed[0] if failed else None, failed_input=failed[1] if failed else None)


@routes.get("/console/reports/{code}")
async def report_view(request: web.Request) -> web.Response:
    return await report_page(request)


@routes.post("/console/reports/{code}/{action}")
async def report_action(request: web.Request) -> web.Response:
    staff = current_staff(request)
    received: list[ActionInput] = []
    try:
        done = await run_action(request, received)
    except (ActionRefused, StaleReport) as refused:
        failed = (request.match_info["action"], received[0]) if received else None
        return await report_page(request, status=409 if isinstance(refused, StaleReport) else 400,
                                 error=refused.message, failed=failed)
    await flash(request, "success", done.message)
    if not access.can_read(staff, done.report.ward_code):  # transferred out of the officer's wards
        return redirect(HOME)
    return redirect(f"/console/reports/{done.report.code}")


@routes.get("/console/overdue")
async def overdue_page(request: web.Request) -> web.Response:
    wards = await overdue_overview(database(request), current_staff(request))
    return await page(request, "overdue.html", wards=wards, long_days=LONG_OVERDUE.days)

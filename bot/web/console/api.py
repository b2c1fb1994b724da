"""JSON for integrations and scripts: the same queue, report, actions, KPIs and hotspots as
the pages.

Authenticated by the console session (with `X-CSRF-Token` on POST) or by
`Authorization: Bearer <api token>` (`python -m bot users token …`).
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.staff.dashboard import kpi_figures
from bot.staff.details import load_detail
from bot.staff.queue import list_queue
from bot.staff.workflow import available_actions
from bot.web.console.actions import run_action
from bot.web.console.context import TRANSCRIPTS_KEY, current_staff, database
from bot.web.console.figures import load_hotspots, load_kpis
from bot.web.console.inputs import queue_filter
from bot.web.console.render import json_response, jsonable

routes = web.RouteTableDef()

HIDDEN_FIELDS = ("conversation_id",)  # identifies the citizen on their channel: not for the API


@routes.get("/api/staff/reports")
async def reports(request: web.Request) -> web.Response:
    parsed = queue_filter(request.query)
    if parsed.errors:
        return json_response({"error": " ".join(parsed.errors)}, status=400)
    result = await list_queue(database(request), current_staff(request), parsed.filters, parsed.cursor)
    rows = [{**jsonable(row), "ward_uncertain": row.ward_uncertain} for row in result.rows]
    return json_response({"reports": rows, "next_cursor": result.next_cursor,
                          "counts": result.counts, "overdue_count": result.overdue_count,
                          "uncertain_count": result.uncertain_count})


@routes.get("/api/staff/reports/{code}")
async def report(request: web.Request) -> web.Response:
    detail = await load_detail(database(request), current_staff(request), request.match_info["code"])
    body: dict[str, Any] = jsonable(detail)
    for name in HIDDEN_FIELDS:
        body.pop(name, None)
    body["transcript"] = await request.app[TRANSCRIPTS_KEY].for_staff(detail.conversation_id, detail.created_at, detail.can_act)
    body["actions"] = [a.name for a in available_actions(detail.status, ward_uncertain=detail.ward_uncertain)] \
        if detail.can_act else []
    body["ward_uncertain"] = detail.ward_uncertain
    return json_response(body)


@routes.post("/api/staff/reports/{code}/actions/{action}")
async def action(request: web.Request) -> web.Response:
    done = await run_action(request)
    view = done.report
    return json_response({"message": done.message, "report": {
        "code": view.code, "status": view.status, "ward_code": view.ward_code, "ward_name": view.ward_name,
        "updated_at": view.updated_at}})


@routes.get("/api/staff/kpis")
async def kpis(request: web.Request) -> web.Response:
    """`?ward=…&from=…&to=…` as on the KPI page; shares between 0 and 1, null when there is
    nothing to count."""
    report = await load_kpis(request)
    return json_response({
        "from": report.period.first_day, "to": report.period.last_day, "ward": report.ward,
        "scope": report.scope_label, "total": kpi_figures(report.total),
        "wards": [{"ward_code": w.ward_code, "ward_name": w.ward_name, **kpi_figures(w.kpis)} for w in report.wards],
    })


@routes.get("/api/staff/hotspots")
async def hotspots(request: web.Request) -> web.Response:
    ward, rows = await load_hotspots(request)
    return json_response({"ward": ward, "hotspots": rows})

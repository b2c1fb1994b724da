"""The KPI page with its CSV export, and the hotspots page (tái vi phạm). Every role sees
them, over the wards it may read; the JSON twins in `api` use the same loaders."""
from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from aiohttp import web

from bot.staff.dashboard import HotspotRow, KpiReport, backlog, csv_rows, hotspot_rows, kpi_report
from bot.staff.errors import InvalidQuery
from bot.staff.kpis import CSV_HEADER, LONG_OVERDUE
from bot.staff.localtime import local_today
from bot.web.console.charts import bar_chart, satisfaction_bar
from bot.web.console.context import current_staff, database
from bot.web.console.inputs import ParsedScope, scope_filter, scope_query, ward_param
from bot.web.console.pages import ward_choices
from bot.web.console.render import NO_STORE, page

routes = web.RouteTableDef()

NO_BACKLOG = "Không có phản ánh nào đang chờ xử lý."


def _parse(request: web.Request) -> ParsedScope:
    return scope_filter(request.query, local_today())


async def _report(request: web.Request, parsed: ParsedScope) -> KpiReport:
    """Raises InvalidQuery (400) or AccessDenied (another ward's code: 403)."""
    if parsed.errors:
        raise InvalidQuery(" ".join(parsed.errors))
    return await kpi_report(database(request), current_staff(request), parsed.ward, parsed.period)


async def load_kpis(request: web.Request) -> KpiReport:
    return await _report(request, _parse(request))


async def load_hotspots(request: web.Request) -> tuple[str | None, list[HotspotRow]]:
    errors: list[str] = []
    ward = ward_param(request.query, errors)
    if errors:
        raise InvalidQuery(" ".join(errors))
    return ward, await hotspot_rows(database(request), current_staff(request), ward)


@routes.get("/console/kpis")
async def kpis_page(request: web.Request) -> web.Response:
    """The figures, or the form with what is wrong in it (400)."""
    parsed = _parse(request)
    report: KpiReport | None = None
    try:
        report = await _report(request, parsed)
    except InvalidQuery as invalid:
        errors = parsed.errors or [invalid.message]
    else:
        errors = []
    charts = {"backlog_chart": bar_chart(backlog(report.total), unit="phản ánh", empty=NO_BACKLOG),
              "satisfaction_chart": satisfaction_bar(report.total)} if report else {}
    links = {"scope_query": urlencode(scope_query(parsed)),
             "period_query": urlencode(scope_query(parsed, with_ward=False))}
    return await page(request, "kpis.html", status=400 if errors else 200, report=report, errors=errors,
                      scope=parsed, wards=await ward_choices(database(request), current_staff(request)),
                      long_days=LONG_OVERDUE.days, **links, **charts)


@routes.get("/console/kpis.csv")
async def kpis_csv(request: web.Request) -> web.Response:
    """UTF-8 with a byte order mark, so that Excel reads the Vietnamese ward names."""
    report = await load_kpis(request)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(report))
    period = report.period
    name = f"chi-so-phan-anh-{report.ward or 'tat-ca'}-{period.first_day}-{period.last_day}.csv"
    return web.Response(text="\ufeff" + text.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE})


@routes.get("/console/hotspots")
async def hotspots_page(request: web.Request) -> web.Response:
    ward, rows = await load_hotspots(request)
    return await page(request, "hotspots.html", hotspots=rows, ward=ward,
                      wards=await ward_choices(database(request), current_staff(request)))

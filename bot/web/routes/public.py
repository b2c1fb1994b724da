"""The public page /tra-cuu: a report looked up by its code, and the wards' monthly league
table with its CSV. No login, no cookie, no script: server-rendered HTML that works in any
browser. What a report shows is `bot.publication`' rule; the figures are the console's.

Lookups are limited per client address (`LOOKUP_LIMIT` per `LOOKUP_WINDOW`, counted in the
database like the login throttle, so every process shares the count), and every lookup —
a report found, a code that does not exist, text that is not a code — takes at least
`LOOKUP_SECONDS`: with the same database work behind each (see `public_report`), the time of
the answer tells nothing about which codes exist.
"""
from __future__ import annotations

import asyncio
import csv
import io
import logging
from datetime import timedelta
from typing import Any, AsyncIterator, Mapping
from urllib.parse import urlencode

from aiohttp import web

from bot.media.links import signed_link
from bot.public.league import (
    COLUMNS, CSV_HEADER, League, LeagueCache, Month, Sort, csv_rows, default_month, offered_months, on_time_bands,
    parse_month, parse_sort, sorted_rows,
)
from bot.publication import CODE_FIELD, PAGE_PATH as LOOKUP_PATH
from bot.storage.public_reports import public_report
from bot.staff.kpis import SATISFACTION_LABELS
from bot.staff.localtime import format_time, local_today
from bot.storage.errors import DATABASE_ERRORS
from bot.storage.limits import Limit, LimitReached, reserve
from bot.web.client_ip import client_ip
from bot.web.console.charts import bar_chart, satisfaction_bar
from bot.web.keys import DATABASE_KEY, SETTINGS_KEY, TEMPLATES_KEY

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()
LEAGUE_KEY = web.AppKey("public_league", LeagueCache)

CSV_PATH = f"{LOOKUP_PATH}/bang-xep-hang.csv"
LOOKUP_LIMIT = 30
LOOKUP_WINDOW = timedelta(minutes=10)
LOOKUP_SECONDS = 0.05  # no lookup answers sooner (see the module's docstring)
MAX_CODE_CHARS = 40  # what is echoed back of the typed code
PHOTO_LINK_SECONDS = 24 * 3600  # the result photo's signed link on the page
LEAGUE_MAX_AGE = 60  # seconds a browser or proxy may keep the league table (not lookups)

NO_BANDS = "Chưa có phường, xã nào có phản ánh đến hạn hoặc đã đóng trong tháng."
UNAVAILABLE = "Số liệu tạm thời chưa xem được. Bạn vui lòng thử lại sau ít phút."


def setup_public(app: web.Application) -> None:
    """The league tables' cache, one per process (see `bot.public.league`)."""
    app[LEAGUE_KEY] = LeagueCache(app[DATABASE_KEY])


async def warm_league(app: web.Application) -> AsyncIterator[None]:
    """Compute the default month's table as the server starts, in the background, so that no
    visitor waits for it (a few hundred milliseconds with 100,000 reports); the cache then
    refreshes it in the background as visitors come."""
    async def warm() -> None:
        try:
            await app[LEAGUE_KEY].get(default_month(local_today()))
        except DATABASE_ERRORS as error:  # the first visitor will try again
            logger.warning("League table not computed at start: %r", error)

    task = asyncio.create_task(warm())
    yield
    task.cancel()


def lookup_limit(ip: str) -> Limit:
    return Limit(f"lookup:ip:{ip}", LOOKUP_LIMIT, LOOKUP_WINDOW)


async def _lookup(request: web.Request, typed: str) -> dict[str, Any]:
    """What the lookup part of the page shows: `found` (with the report), `missing`, `limited`
    (with when to try again) or `unavailable` (the database failed)."""
    settings, db = request.app[SETTINGS_KEY], request.app[DATABASE_KEY]
    try:
        await reserve(db, lookup_limit(client_ip(request, settings.trusted_proxies)))
        report = await public_report(db, typed)
    except LimitReached as reached:
        return {"kind": "limited", "retry_at": format_time(reached.retry_at)}
    except DATABASE_ERRORS as error:
        logger.error("Lookup failed: %r", error)
        return {"kind": "unavailable"}
    if report is None:
        return {"kind": "missing"}
    photos = [signed_link(url, settings.public_base_url, settings.link_secret, ttl=PHOTO_LINK_SECONDS)
              for url in report.result_photo_urls]
    return {"kind": "found", "report": report, "photos": photos}


def _sort_links(month: Month, sort: Sort) -> dict[str, dict[str, str]]:
    """Per column: the link that sorts by it (the other way when it is the current column) and
    its `aria-sort`."""
    links = {}
    for key, column in COLUMNS.items():
        current = column is sort.column
        descending = not sort.descending if current else column.descending
        query = urlencode({"thang": month.key, "sap_xep": key, "chieu": "giam" if descending else "tang"})
        aria = ("descending" if sort.descending else "ascending") if current else "none"
        links[key] = {"href": f"{LOOKUP_PATH}?{query}#bang-xep-hang", "aria": aria}
    return links


def _league_context(league: League, sort: Sort) -> dict[str, Any]:
    month = league.month
    return {
        "league": league, "rows": sorted_rows(league.rows, sort), "sort": sort, "columns": COLUMNS,
        "sort_links": _sort_links(month, sort), "satisfaction_labels": SATISFACTION_LABELS,
        "csv_query": urlencode({"thang": month.key, "sap_xep": sort.column.key, "chieu": sort.order}),
        "bands_chart": bar_chart(on_time_bands(league.rows), unit="phường, xã", empty=NO_BANDS),
        "satisfaction_chart": satisfaction_bar(league.total),
    }


def _month_choices(chosen: Month) -> list[Month]:
    months = offered_months(local_today())
    return months if chosen in months else [chosen, *months]


async def _league_part(request: web.Request, query: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    errors: list[str] = []
    month = parse_month(query.get("thang"), local_today(), errors)
    sort = parse_sort(query.get("sap_xep"), query.get("chieu"), errors)
    context: dict[str, Any] = {"month": month, "months": _month_choices(month), "league_errors": errors,
                               "sort": sort, "this_month": Month.of(local_today())}
    if errors:
        return 400, context
    try:
        context.update(_league_context(await request.app[LEAGUE_KEY].get(month), sort))
    except DATABASE_ERRORS as error:
        logger.error("League table of %s unavailable: %r", month.key, error)
        context["league_errors"] = [UNAVAILABLE]
        return 503, context
    return 200, context


@routes.get(LOOKUP_PATH)
async def public_page(request: web.Request) -> web.Response:
    """With `ma`: that report (the league table is one link away); without: the league table."""
    if CODE_FIELD in request.query:
        return await _lookup_page(request)
    status, context = await _league_part(request, request.query)
    return _html(request, status, {"typed": "", "lookup": None, "show_league": True, **context},
                 f"public, max-age={LEAGUE_MAX_AGE}" if status == 200 else "no-store")


async def _lookup_page(request: web.Request) -> web.Response:
    loop = asyncio.get_running_loop()
    started = loop.time()
    typed = request.query.get(CODE_FIELD, "").strip()[:MAX_CODE_CHARS]
    lookup = await _lookup(request, typed) if typed else {"kind": "empty"}
    status = {"found": 200, "missing": 404, "limited": 429, "unavailable": 503, "empty": 200}[lookup["kind"]]
    response = _html(request, status, {"typed": typed, "lookup": lookup, "show_league": False}, "no-store")
    if lookup["kind"] in ("found", "missing"):
        await asyncio.sleep(max(0.0, started + LOOKUP_SECONDS - loop.time()))
    return response


def _html(request: web.Request, status: int, context: dict[str, Any], cache: str) -> web.Response:
    html = request.app[TEMPLATES_KEY].get_template("public/tra_cuu.html").render(**context)
    return web.Response(text=html, status=status, content_type="text/html", headers={"Cache-Control": cache})


@routes.get(CSV_PATH)
async def league_csv(request: web.Request) -> web.Response:
    """UTF-8 with a byte order mark, so that Excel reads the Vietnamese ward names."""
    status, context = await _league_part(request, request.query)
    if status != 200:
        return web.Response(text=" ".join(context["league_errors"]), status=status, charset="utf-8")
    league: League = context["league"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(league, context["sort"]))
    name = f"ket-qua-xu-ly-phan-anh-{league.month.key}.csv"
    return web.Response(text="\ufeff" + text.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": f"public, max-age={LEAGUE_MAX_AGE}"})

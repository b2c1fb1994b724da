"""The public page /tra-cuu with 100,000 reports: what `bench.console_bench` measures for
visitors without a login, on the same running server and database.

- Lookups by code, one request at a time: codes that exist (drawn from the seeded ones),
  codes that do not, and text that is not a code. Each comes from its own client address
  (`X-Forwarded-For`, the server trusting 127.0.0.1 as its proxy), as visitors do, so the
  per-address limit is counted but never reached. Every lookup waits for at least
  `LOOKUP_SECONDS` by design.
- The league table page (every sortable column in turn) and its CSV, for the last full month
  and the month before, with the cache warm (what visitors get).
- The first request of a month after a restart, when the table is computed (cache cold): the
  last `COLD_MONTHS` full months, twice each, the cache emptied before every request.
"""
from __future__ import annotations

import itertools
import random
import time
from typing import Dict, List

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

from bench.seed_reports import code_for
from bot.public.league import COLUMNS, default_month
from bot.staff.localtime import local_today
from bot.storage.models import Report
from bot.web.keys import DATABASE_KEY
from bot.web.routes.public import LEAGUE_KEY

PUBLIC = "public (no login)"
TRUSTED_PROXIES = "127.0.0.1/32"  # the bench's client is the visitors' proxy (see above)
COLD_MONTHS = 6


async def _timed(http: aiohttp.ClientSession, path: str, client: int, expected: int) -> float:
    headers = {"X-Forwarded-For": f"10.{client // 65536 % 256}.{client // 256 % 256}.{client % 256}"}
    started = time.perf_counter()
    async with http.get(path, headers=headers) as answer:
        await answer.read()
        assert answer.status == expected, (path, answer.status)
    return (time.perf_counter() - started) * 1000


async def measure_public(app: web.Application, url: str, requests: int) -> Dict[str, List[float]]:
    """Latencies by kind of request. The seeded report of id n has the code `code_for(n)`."""
    async with app[DATABASE_KEY].session() as session:
        reports = (await session.execute(select(func.max(Report.id)))).scalar() or 0
    rng = random.Random(15)
    clients = itertools.count(1)
    timings: Dict[str, List[float]] = {"lookup, code found": [], "lookup, no such code": [],
                                       "lookup, not a code": [], "league table (cache warm)": [],
                                       "league CSV (cache warm)": [], "league, first request (cold)": []}
    months = [default_month(local_today())]
    while len(months) < COLD_MONTHS:
        months.append(months[-1].previous)
    async with aiohttp.ClientSession(base_url=url) as http:
        for _round in range(2):
            for m in months:  # the first request of each month on an empty cache
                app[LEAGUE_KEY].clear()  # what a restart does to the cache
                timings["league, first request (cold)"].append(
                    await _timed(http, f"/tra-cuu?thang={m.key}", next(clients), 200))
        for m in months[:2]:  # the server's start computes the last full month; visitors, the one before
            await _timed(http, f"/tra-cuu?thang={m.key}", next(clients), 200)
        for n in range(requests):
            timings["lookup, code found"].append(
                await _timed(http, f"/tra-cuu?ma={code_for(rng.randint(1, reports))}", next(clients), 200))
            timings["lookup, no such code"].append(
                await _timed(http, f"/tra-cuu?ma={code_for(reports + 1000 + n)}", next(clients), 404))
            timings["lookup, not a code"].append(await _timed(http, f"/tra-cuu?ma=PA-{n}O", next(clients), 404))
            m, column = months[n % 2], list(COLUMNS)[n % len(COLUMNS)]  # the last two full months
            timings["league table (cache warm)"].append(
                await _timed(http, f"/tra-cuu?thang={m.key}&sap_xep={column}", next(clients), 200))
            timings["league CSV (cache warm)"].append(
                await _timed(http, f"/tra-cuu/bang-xep-hang.csv?thang={m.key}", next(clients), 200))
    return timings

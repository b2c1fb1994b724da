"""Queue page, /api/staff/reports and the public page /tra-cuu (`bench.public_bench`) latency
with 100,000 reports, on SQLite and PostgreSQL.

    PYTHONPATH=. .venv/bin/python -m bench.console_bench [--count 100000] [--requests 60] [--no-postgres]

For each database: seeds `--count` reports (`bench.seed_reports`: a third in ward 00226), adds
an officer of 00226 and a supervisor, serves the real web app (aiohttp, in this process, on a
loopback port), logs in through the login form and times, request by request (no
concurrency: this is the time one officer waits), the queue page and the JSON list for a
set of everyday views: first page, the next pages by cursor, status and category filters,
overdue, due soonest, a text search. Percentiles are over all requests of one kind.
PostgreSQL uses a throw-away database on PHANANH_TEST_PG_URL's server. Results are printed
and written to var/bench/console_bench.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp
from aiohttp.test_utils import TestServer

from bench.public_bench import PUBLIC, TRUSTED_PROXIES, measure_public
from bench.rest_bench import BENCH_DIR, machine, percentile
from bench.seed_reports import BUSY_WARD, seed
from bot.config import load_settings
from bot.staff.transcript import TranscriptReader
from bot.staff.users import add_user
from bot.storage.db import Database
from bot.web import create_app
from tests.helpers.db import create_pg_database, drop_pg_database, pg_available

RESULTS_PATH = BENCH_DIR / "console_bench.json"
AIM_P95_MS = 100.0
PASSWORD = "bench-password-123"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VIEWS: Dict[str, str] = {
    "first page": "",
    "in progress": "status=in_progress",
    "waiting, sidewalk": "status=new&status=acknowledged&category=sidewalk",
    "overdue": "overdue=1",
    "due soonest": "sort=due",
    "oldest": "sort=oldest",
    "text search": "q=Khâm Thiên",
}


async def login(http: aiohttp.ClientSession, username: str) -> None:
    token = CSRF.search(await (await http.get("/console/login")).text()).group(1)  # type: ignore[union-attr]
    answer = await http.post("/console/login", allow_redirects=False,
                             data={"csrf_token": token, "username": username, "password": PASSWORD, "next": "/console/"})
    assert answer.status == 303, await answer.text()


async def timed(http: aiohttp.ClientSession, path: str) -> tuple[float, object]:
    started = time.perf_counter()
    async with http.get(path) as answer:
        body = await (answer.json() if path.startswith("/api/") else answer.text())
        assert answer.status == 200, (path, answer.status)
    return (time.perf_counter() - started) * 1000, body


async def measure_user(url: str, username: str, requests: int) -> Dict[str, List[float]]:
    """Latencies by kind of request, and by kind and view ("api list · overdue")."""
    timings: Dict[str, List[float]] = {"queue page": [], "api list": [], "api next pages": []}

    def record(kind: str, view: str, ms: float) -> None:
        timings[kind].append(ms)
        timings.setdefault(f"{kind} · {view}", []).append(ms)

    async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await login(http, username)
        for _round in range(requests // len(VIEWS) + 1):
            for view, query in VIEWS.items():
                record("queue page", view, (await timed(http, f"/console/?{query}"))[0])
                api_ms, body = await timed(http, f"/api/staff/reports?{query}")
                record("api list", view, api_ms)
                cursor = body.get("next_cursor")  # type: ignore[union-attr]
                for _ in range(2):  # two more pages by cursor
                    if not cursor:
                        break
                    ms, body = await timed(http, f"/api/staff/reports?{query}&cursor={cursor}")
                    record("api next pages", view, ms)
                    cursor = body.get("next_cursor")  # type: ignore[union-attr]
    return timings


async def measure_open311(db: Database, url: str, requests: int) -> Dict[str, List[float]]:
    """GET /open311/v2/requests.json as an integrating system polls it, with its key (counted
    under the key's limit): the default window (the 1,000 newest of the last 90 days), the open
    ones of one service, and ten reports by code."""
    from bench.seed_reports import code_for
    from bot.staff.users import create_token

    await add_user(db, "bench.integration", None, "integration")
    key = (await create_token(db, "bench.integration")).token
    codes = ",".join(code_for(n) for n in range(1, 10_001, 1_000))
    views = {"default 90 days": "", "open, one service": "&status=open&service_code=sidewalk",
             "ten codes": f"&service_request_id={codes}"}
    timings: Dict[str, List[float]] = {"GET /open311/v2/requests.json": []}
    async with aiohttp.ClientSession(base_url=url) as http:
        for _round in range(requests // len(views) + 1):
            for view, query in views.items():
                ms = (await timed(http, f"/open311/v2/requests.json?api_key={key}{query}"))[0]
                timings["GET /open311/v2/requests.json"].append(ms)
                timings.setdefault(f"GET /open311/v2/requests.json · {view}", []).append(ms)
    return timings


def summary(values: List[float]) -> Dict[str, Optional[float]]:
    ordered = sorted(values)
    return {"n": len(ordered), "p50": round(percentile(ordered, 50) or 0, 1), "p95": round(percentile(ordered, 95) or 0, 1),
            "max": round(ordered[-1], 1) if ordered else None}


def bench_database(url: str, count: int, requests: int, tmp: Path) -> Dict[str, object]:
    seed_started = time.monotonic()
    total = seed(url, count)
    seeded_in = time.monotonic() - seed_started
    results = asyncio.run(measure_database(url, requests, tmp))
    return {"reports": total, "seed_seconds": round(seeded_in, 1), "results": results}


async def measure_database(url: str, requests: int, tmp: Path) -> Dict[str, object]:
    db = Database(url)
    await db.refresh_statistics()  # what the web server's periodic task (or autovacuum) does
    await add_user(db, "bench.officer", PASSWORD, "ward_staff", [BUSY_WARD])
    await add_user(db, "bench.supervisor", PASSWORD, "supervisor")
    settings = load_settings({"DATABASE_URL": url, "UPLOAD_DIR": str(tmp / "uploads"), "SECRETS_DIR": str(tmp / "secrets"),
                              "PUBLIC_BASE_URL": "http://127.0.0.1", "MODELS_DIR": str(tmp / "models"),
                              "TRUSTED_PROXIES": TRUSTED_PROXIES})
    app = create_app(settings, database=db, transcripts=TranscriptReader(f"sqlite:///{tmp / 'no-tracker.db'}"))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        base = str(server.make_url("")).rstrip("/")
        results = {role: {kind: summary(values) for kind, values in (await measure_user(base, user, requests)).items()}
                   for role, user in (("officer (one ward)", "bench.officer"), ("supervisor (city)", "bench.supervisor"))}
        results[PUBLIC] = {kind: summary(v) for kind, v in (await measure_public(app, base, requests)).items()}
        results["open311 (integrator)"] = {k: summary(v) for k, v in (await measure_open311(db, base, requests)).items()}
    finally:
        await server.close()
        await db.dispose()
    return results


def render(name: str, result: Dict) -> str:
    lines = [f"{name}: {result['reports']} reports (seeded in {result['seed_seconds']} s)"]
    for role, kinds in result["results"].items():
        for kind, s in kinds.items():
            if " · " in kind and s["p95"] < AIM_P95_MS:
                continue  # per-view rows: only the slow ones
            verdict = "met" if s["p95"] is not None and s["p95"] < AIM_P95_MS else "NOT met"
            lines.append(f"  {role:<20} {kind:<32} n={s['n']:<4} p50 {s['p50']:>6} ms  p95 {s['p95']:>6} ms  "
                         f"max {s['max']:>6} ms  (aim p95 < {AIM_P95_MS:.0f} ms: {verdict})")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60, help="requests of each kind per user, at least")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    results: Dict[str, object] = {"date": datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = bench_database(f"sqlite:///{Path(tmp) / 'big.db'}", args.count, args.requests, Path(tmp))
        print(render("SQLite", results["sqlite"]), flush=True)
        if not args.no_postgres and pg_available():
            url = create_pg_database("phananh_bench")
            try:
                results["postgresql"] = bench_database(url, args.count, args.requests, Path(tmp))
                print(render("PostgreSQL", results["postgresql"]), flush=True)
            finally:
                drop_pg_database(url)
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"Written to {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Property: no request to any route of the web server answers 500, whoever sends it.

Hypothesis draws a route of the app's own router, fills its path parameters (huge numbers,
odd text), a query string with the names the console reads, and a body (JSON of any shape,
a form, a broken multipart), and sends it as an admin, as a ward officer with a token, or as
nobody. Every answer must be below 500.
"""
from __future__ import annotations

import json
import os
import re
import string
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import quote

import aiohttp
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.staff import users
from bot.staff.workflow import ACTIONS

ACTION_NAMES = set(ACTIONS) | {"check", "activate", "bogus"}
from tests.helpers.console import RunningConsole, login, running_console

QUERY_NAMES = ("status", "category", "ward", "from", "to", "q", "sort", "cursor", "overdue", "compare", "next",
               "original", "e", "s", "session_id", "ma", "thang", "sap_xep", "chieu")
PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")

odd_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", "0", "-1", "9" * 30, "2026-01-01", "9999-12-31", "0001-01-01", "PA-222222", "new", "../..", "%00",
     "\u0110\u1ed1ng \u0110a", "<script>", "1e309", "NaN", "00226", "[]", "{}"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats() | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4), max_leaves=12)


@pytest_asyncio.fixture
async def fuzz_target(tmp_path: Path) -> AsyncIterator[tuple[RunningConsole, dict[str, dict[str, str]]]]:
    async with running_console(tmp_path) as console, console.client() as admin_http:
        csrf = await login(admin_http, "quantri")
        token = (await users.create_token(console.db, "canbo.a", "fuzz")).token
        cookies = {c.key: c.value for c in admin_http.cookie_jar}
        identities = {
            "admin": {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "X-CSRF-Token": csrf},
            "token": {"Authorization": f"Bearer {token}"},
            "nobody": {},
        }
        yield console, identities


def _routes(console_url: str) -> list[tuple[str, str]]:
    from bot.web.routes import setup_routes
    from aiohttp import web

    app = web.Application()
    setup_routes(app)
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path")
        if path and route.method in ("GET", "POST") and not path.startswith("/static"):
            found.append((route.method, path))
    return sorted(set(found))


ROUTES = _routes("")


def _fill(path: str, values: list[str]) -> str:
    names = PARAM.findall(path)
    for name, value in zip(names, values):
        path = re.sub(r"\{" + name + r"(?::[^}]*)?\}", quote(value, safe=""), path, count=1)
    return path


bodies = st.one_of(
    st.none(),
    json_values.map(lambda v: ("json", json.dumps(v, allow_nan=True))),
    st.dictionaries(st.sampled_from(["note", "target_ward", "original_code", "text", "intent", "example",
                                     "username", "password", "csrf_token", "next", "unlock_code"]),
                    odd_text, max_size=5).map(lambda d: ("form", d)),
    st.binary(max_size=300).map(lambda b: ("multipart", b)),
)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")), deadline=None, derandomize=not os.environ.get("FUZZ_RANDOM"), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), params=st.lists(odd_text, min_size=3, max_size=3),
       query=st.dictionaries(st.sampled_from(QUERY_NAMES), odd_text, max_size=4),
       body=bodies, who=st.sampled_from(["admin", "token", "nobody"]), data=st.data())
async def test_no_route_answers_500(fuzz_target: tuple[RunningConsole, dict[str, dict[str, str]]],
                                    route: tuple[str, str], params: list[str], query: dict[str, str],
                                    body: tuple[str, object] | None, who: str, data: st.DataObject) -> None:
    console, identities = fuzz_target
    method, path = route
    if data.draw(st.booleans(), label="a real report"):  # reach the handlers behind the 404s
        real = [r.code for r in console.reports_a] + [console.report_b.code]
        params = [data.draw(st.sampled_from(real)), data.draw(st.sampled_from(sorted(ACTION_NAMES))), params[2]]
    url = console.url + _fill(path, params)
    headers = dict(identities[who])
    payload: object = None
    if method == "POST" and body is not None:
        kind, content = body
        if kind == "json":
            headers["Content-Type"] = "application/json"
            payload = str(content).encode("utf-8", "surrogatepass")
        elif kind == "form":
            payload = {k: v for k, v in content.items()}  # type: ignore[union-attr]
        else:
            headers["Content-Type"] = "multipart/form-data; boundary=xyz"
            payload = b"--xyz\r\n" + bytes(content)  # type: ignore[arg-type]
    async with aiohttp.ClientSession() as http:
        async with http.request(method, url, params=query, data=payload, headers=headers,
                                allow_redirects=False) as answer:
            await answer.read()
            assert answer.status < 500, f"{method} {url} {query} {body!r} as {who}: {answer.status}"


def test_the_fuzz_covers_every_kind_of_route() -> None:
    paths = {path for _, path in ROUTES}
    for expected in ("/api/staff/reports/{code}/actions/{action}", "/console/models/runs/{run_id}/log",
                     "/api/uploads", "/api/notifications", "/uploads/{name}", "/console/login", "/tra-cuu",
                     "/tra-cuu/bang-xep-hang.csv"):
        assert expected in paths, expected
    assert set(string.ascii_lowercase) and len(ROUTES) >= 30

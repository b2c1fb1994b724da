"""Bad input to the web server gets a 400 (or 404) with a Vietnamese message, never a 500:
the cases an independent probe found, one by one."""
from __future__ import annotations

import base64
import json

import aiohttp
import pytest

from bot.staff import users
from tests.helpers.console import RunningConsole, login

HUGE = "9" * 30


def cursor(key: str, report_id: object, sort: str = "newest") -> str:
    raw = json.dumps({"s": sort, "k": key, "i": report_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("query", [
    "to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=0001-01-02", "to=1999-12-31",
    "from=2026-02-30", "to=+2026-01-01", "from=" + HUGE,
])
async def test_dates_out_of_range_are_refused(http: aiohttp.ClientSession, console: RunningConsole, query: str) -> None:
    await login(http, "quantri")
    for path in ("/console/", "/api/staff/reports", "/console/kpis", "/console/kpis.csv", "/api/staff/kpis"):
        response = await http.get(f"{path}?{query}")
        assert response.status == 400, (path, query, response.status)
        assert "không hợp lệ" in await response.text()


@pytest.mark.parametrize("made", [
    cursor("9999-12-31T23:59:59+00:00", 1), cursor("0001-01-01T00:00:00+00:00", 1),
    cursor("2026-01-01T00:00:00+00:00", 10**30), cursor("2026-01-01T00:00:00+00:00", -1),
    cursor("2026-01-01T00:00:00+00:00", [1]), "x" * 5000, "%%%", base64.urlsafe_b64encode(b"[" * 3000).decode(),
])
async def test_hand_made_cursors_are_refused(http: aiohttp.ClientSession, console: RunningConsole, made: str) -> None:
    await login(http, "quantri")
    for path in ("/console/", "/api/staff/reports"):
        response = await http.get(path, params={"cursor": made})
        assert response.status == 400, (path, made[:40])


async def test_huge_ids_are_not_found(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    csrf = await login(http, "quantri")
    assert (await http.get(f"/console/models/runs/{HUGE}/log")).status == 404
    for action in ("check", "activate"):
        response = await http.post(f"/api/staff/models/{HUGE}/{action}", headers={"X-CSRF-Token": csrf}, json={})
        assert response.status == 404, action


async def test_json_bodies_are_bounded(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    csrf = await login(http, "canbo.a")
    url = f"/api/staff/reports/{console.reports_a[0].code}/actions/note"
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    for body in ('{"note": "\\ud800 ghi chú"}', "[" * 100_000 + "]" * 100_000, '{"note": ' * 50 + '"x"' + "}" * 50,
                 "{not json", b"\xff\xfe\x00{".decode("latin-1"), json.dumps({"note": "x" * 200_000})):
        response = await http.post(url, data=body.encode("utf-8", "surrogatepass"), headers=headers)
        assert response.status in (400, 413), (body[:30], response.status)
    ok = await http.post(url, json={"note": "Đã kiểm tra hiện trường"}, headers={"X-CSRF-Token": csrf})
    assert ok.status == 200


async def test_a_malformed_multipart_body_is_refused(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    csrf = await login(http, "canbo.a")
    url = f"/console/reports/{console.reports_a[0].code}/handle"
    for body in (b"--xyz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nabc",  # never closed
                 b"garbage without boundaries", b"--xyz--\r\n"):
        response = await http.post(url, data=body, headers={
            "X-CSRF-Token": csrf, "Content-Type": "multipart/form-data; boundary=xyz"})
        assert response.status == 400, body[:20]


async def test_a_form_with_undecodable_bytes_is_refused(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    csrf = await login(http, "canbo.a")
    response = await http.post(f"/console/reports/{console.reports_a[0].code}/note",
                               data=b"note=%ED%A0%80%FF&csrf_token=" + csrf.encode(), allow_redirects=False,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status in (303, 400)


async def test_login_behind_a_trusted_proxy_counts_the_client_address(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.console import running_console

    async with running_console(tmp_path, TRUSTED_PROXIES="127.0.0.1/32") as console, console.client() as http:
        for n in range(users.PAIR_FAILURES + 1):
            form = await http.get("/console/login")
            token = (await form.text()).split('name="csrf_token" value="')[1].split('"')[0]
            answer = await http.post("/console/login", headers={"X-Forwarded-For": "198.51.100.9"}, data={
                "csrf_token": token, "username": "canbo.a", "password": "sai-mat-khau-roi"})
            assert answer.status == (429 if n == users.PAIR_FAILURES else 401)
        # another officer of the same office, behind the same proxy, is not locked out
        await login(http, "canbo.b")

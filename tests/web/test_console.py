"""The staff console over HTTP: the real aiohttp app on a free port, a migrated SQLite file."""
from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot import statuses
from bot.staff import queue, users
from bot.staff.workflow import ACTIONS
from bot.storage.models import Attachment, Notification, Report
from bot.storage.reports import find_report
from tests.helpers.console import CITIZEN_SAID, CSRF, RunningConsole, login, running_console
from tests.helpers.staff import PASSWORD, WARD_A, WARD_B

TINY_PNG = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny.png").read_bytes()
UNKNOWN = "PA-222222"


async def status_of(console: RunningConsole, code: str) -> str:
    return (await find_report(console.db, code)).status


# --- logging in and out -----------------------------------------------------------------

async def test_pages_need_a_login_and_the_api_answers_401(http: aiohttp.ClientSession,
                                                          console: RunningConsole) -> None:
    code = console.reports_a[0].code
    for path in ("/console/", f"/console/reports/{code}", "/console/overdue", "/console/kpis",
                 f"/console/kpis.csv?ward={WARD_A}", "/console/hotspots"):
        response = await http.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/console/login?next=%2Fconsole%2F")
    for path in ("/api/staff/reports", f"/api/staff/reports/{code}", f"/api/staff/kpis?ward={WARD_A}",
                 "/api/staff/hotspots"):
        response = await http.get(path)
        assert response.status == 401 and "đăng nhập" in (await response.json())["error"]
    response = await http.post(f"/api/staff/reports/{code}/actions/acknowledge", json={})
    assert response.status == 401
    assert await status_of(console, code) == statuses.NEW


async def test_login_logout_and_session_cookie(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    form = await http.get("/console/login")
    token = CSRF.search(await form.text()).group(1)
    wrong = await http.post("/console/login", data={"csrf_token": token, "username": "canbo.a", "password": "sai-roi-nhe"})
    assert wrong.status == 401 and "không đúng" in await wrong.text()

    right = await http.post("/console/login", allow_redirects=False, data={
        "csrf_token": token, "username": "canbo.a", "password": PASSWORD,
        "next": f"/console/reports/{console.reports_a[0].code}"})
    assert right.status == 303 and right.headers["Location"] == f"/console/reports/{console.reports_a[0].code}"
    cookie = right.headers["Set-Cookie"]
    assert "phananh_console=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=28800" in cookie and "Secure" not in cookie

    queue = await http.get("/console/")
    html = await queue.text()
    assert queue.status == 200 and "Cán bộ canbo.a" in html and queue.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in queue.headers
    assert all(tag.group(1) for tag in re.finditer(r"<script([^>]*src=[^>]*)?>", html))  # no inline scripts

    csrf = CSRF.search(html).group(1)
    refused = await http.post("/console/logout", allow_redirects=False)
    assert refused.status == 403
    out = await http.post("/console/logout", data={"csrf_token": csrf}, allow_redirects=False)
    assert out.status == 303 and out.headers["Location"] == "/console/login"
    assert (await http.get("/console/", allow_redirects=False)).status == 303


async def test_login_open_redirect_is_refused(http: aiohttp.ClientSession) -> None:
    form = await http.get("/console/login?next=//evil.example/")
    token = CSRF.search(await form.text()).group(1)
    response = await http.post("/console/login", allow_redirects=False, data={
        "csrf_token": token, "username": "canbo.a", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/console/"


async def test_login_throttling_says_when_to_retry(http: aiohttp.ClientSession) -> None:
    token = CSRF.search(await (await http.get("/console/login")).text()).group(1)
    for _ in range(5):
        response = await http.post("/console/login", data={"csrf_token": token, "username": "canbo.a",
                                                             "password": "sai-mat-khau-roi"})
        assert response.status == 401
    response = await http.post("/console/login", data={"csrf_token": token, "username": "canbo.a",
                                                         "password": PASSWORD})
    text = await response.text()
    assert response.status == 429 and "thử lại sau" in text and "phút nữa" in text


async def test_secure_cookie_behind_https(tmp_path: Path) -> None:
    async with running_console(tmp_path, public_base_url="https://phananh.example") as console:
        async with console.client() as http:
            form = await http.get("/console/login")
            assert "Secure" in form.headers["Set-Cookie"]


async def test_disabled_account_loses_its_session(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    await login(http, "canbo.a")
    await users.set_active(console.db, "canbo.a", False)
    assert (await http.get("/console/", allow_redirects=False)).status == 303


# --- CSRF ---------------------------------------------------------------------------------

async def test_state_changes_need_the_csrf_token(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    csrf = await login(http, "canbo.a")
    code = console.reports_a[0].code
    for data, headers in (({}, {}), ({"csrf_token": "forged"}, {}), ({}, {"X-CSRF-Token": csrf[:-1] + "x"})):
        response = await http.post(f"/console/reports/{code}/acknowledge", data=data, headers=headers)
        assert response.status == 403 and "Phiên làm việc" in await response.text()
        response = await http.post(f"/api/staff/reports/{code}/actions/acknowledge", json={}, headers=headers)
        assert response.status == 403
    assert await status_of(console, code) == statuses.NEW

    response = await http.post(f"/api/staff/reports/{code}/actions/acknowledge", json={},
                               headers={"X-CSRF-Token": csrf})
    assert response.status == 200 and (await response.json())["report"]["status"] == statuses.ACKNOWLEDGED


async def test_login_form_needs_the_csrf_token(http: aiohttp.ClientSession) -> None:
    await http.get("/console/login")
    response = await http.post("/console/login", data={"username": "canbo.a", "password": PASSWORD})
    assert response.status == 403


# --- ward checks on every route -----------------------------------------------------------

ROUTES = (
    [("GET", "/console/reports/{code}"), ("GET", "/api/staff/reports/{code}")]
    + [("POST", f"/console/reports/{{code}}/{name}") for name in [*ACTIONS, "bogus"]]
    + [("POST", f"/api/staff/reports/{{code}}/actions/{name}") for name in [*ACTIONS, "bogus"]]
)


async def call(http: aiohttp.ClientSession, method: str, path: str, csrf: str | None,
               token: str | None = None) -> aiohttp.ClientResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {"X-CSRF-Token": csrf or ""}
    data = {"note": "thử", "target_ward": "00256", "original_code": "PA-222223"}
    if method == "GET":
        return await http.get(path, headers=headers, allow_redirects=False)
    if "/api/" in path:
        return await http.post(path, json=data, headers=headers, allow_redirects=False)
    return await http.post(path, data={**data, "csrf_token": csrf or ""}, headers=headers, allow_redirects=False)


@pytest.mark.parametrize(("method", "route"), ROUTES)
async def test_every_report_route_refuses_another_wards_report(
        http: aiohttp.ClientSession, console: RunningConsole, method: str, route: str) -> None:
    csrf = await login(http, "canbo.b")
    code = console.reports_a[0].code
    for variant in (code, code.lower(), code.replace("-", "")):
        response = await call(http, method, route.format(code=variant), csrf)
        assert response.status == 403, (variant, await response.text())
        assert "phường, xã khác" in await response.text()  # the ward check, not the CSRF one
    unknown = await call(http, method, route.format(code=UNKNOWN), csrf)
    assert unknown.status == 404 and "Không tìm thấy" in await unknown.text()
    assert (await find_report(console.db, code)).status == statuses.NEW


@pytest.mark.parametrize(("method", "route"), [r for r in ROUTES if "/api/" in r[1]])
async def test_api_tokens_get_the_same_ward_checks(
        http: aiohttp.ClientSession, console: RunningConsole, method: str, route: str) -> None:
    token = (await users.create_token(console.db, "canbo.b")).token
    response = await call(http, method, route.format(code=console.reports_a[0].code), None, token)
    assert response.status == 403 and "phường, xã khác" in (await response.json())["error"]
    response = await call(http, method, route.format(code=UNKNOWN), None, token)
    assert response.status == 404


WARD_ROUTES = ("/console/?ward={ward}", "/api/staff/reports?ward={ward}", "/console/kpis?ward={ward}",
               "/console/kpis.csv?ward={ward}", "/api/staff/kpis?ward={ward}", "/console/hotspots?ward={ward}",
               "/api/staff/hotspots?ward={ward}")


@pytest.mark.parametrize("route", WARD_ROUTES)
async def test_every_ward_filter_refuses_another_ward(http: aiohttp.ClientSession, console: RunningConsole,
                                                       route: str) -> None:
    await login(http, "canbo.b")
    response = await http.get(route.format(ward=WARD_A), allow_redirects=False)
    assert response.status == 403 and "phường, xã mình phụ trách" in await response.text()
    assert (await http.get(route.format(ward=WARD_B), allow_redirects=False)).status == 200
    if "/api/" in route:
        token = (await users.create_token(console.db, "canbo.b")).token
        refused = await http.get(route.format(ward=WARD_A), headers={"Authorization": f"Bearer {token}"})
        assert refused.status == 403 and "phường, xã mình phụ trách" in (await refused.json())["error"]


async def test_queue_cursor_and_overdue_page(http: aiohttp.ClientSession) -> None:
    await login(http, "canbo.a")
    assert (await http.get("/console/?cursor=xyz")).status == 400
    assert (await http.get("/console/overdue")).status == 403


# --- what officers and supervisors see ----------------------------------------------------

async def test_officer_queue_and_report_page(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    await login(http, "canbo.a")
    html = await (await http.get("/console/")).text()
    assert all(r.code in html for r in console.reports_a) and console.report_b.code not in html
    assert "Mới tiếp nhận <b>4</b>" in html

    filtered = await (await http.get("/console/?q=tầng&status=new")).text()
    assert filtered.count('data-testid="queue-row"') == 1 and "Xây thêm tầng 4" in filtered

    first = console.reports_a[0]
    page = await (await http.get(f"/console/reports/{first.code}")).text()
    for expected in (CITIZEN_SAID, "12 Khâm Thiên", "21.027120, 105.835510", "0912345678",
                     "Bạn cho mình biết địa chỉ cụ thể nhé", "Hạn xử lý", 'data-testid="action-handle"',
                     "0987 654 321"):
        assert expected in page, expected


async def test_supervisor_reads_everything_but_cannot_act(http: aiohttp.ClientSession,
                                                          console: RunningConsole) -> None:
    csrf = await login(http, "giamsat")
    html = await (await http.get("/console/")).text()
    assert console.report_b.code in html and console.reports_a[0].code in html
    page = await (await http.get(f"/console/reports/{console.reports_a[0].code}")).text()
    assert "0912345678" not in page and 'data-testid="actions"' not in page
    # the number the citizen typed in the conversation is masked too, on the page and in the API
    assert "0987 654 321" not in page and "098****321" in page and CITIZEN_SAID in page
    api = await (await http.get(f"/api/staff/reports/{console.reports_a[0].code}")).text()
    assert "0987 654 321" not in api and "098****321" in api
    response = await http.post(f"/console/reports/{console.reports_a[0].code}/acknowledge",
                               data={"csrf_token": csrf})
    assert response.status == 403 and "chỉ được xem" in await response.text()
    overdue = await http.get("/console/overdue")
    assert overdue.status == 200 and "quá hạn" in (await overdue.text()).lower()


async def test_actions_through_the_forms(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    csrf = await login(http, "canbo.a")
    code = console.reports_a[0].code
    refused = await http.post(f"/console/reports/{code}/handle", data={"csrf_token": csrf, "note": " "})
    assert refused.status == 400 and "kết quả xử lý" in await refused.text()

    form = aiohttp.FormData()
    for name, value in (("csrf_token", csrf), ("expected_status", "new"), ("note", "Đã dọn dẹp vỉa hè")):
        form.add_field(name, value)
    form.add_field("photo", TINY_PNG, filename="ket-qua.png", content_type="image/png")
    done = await http.post(f"/console/reports/{code}/handle", data=form, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"/console/reports/{code}"
    page = await (await http.get(done.headers["Location"])).text()
    assert "Đã ghi nhận kết quả xử lý" in page and "Ảnh kết quả xử lý" in page

    async with console.db.session() as session:
        url = (await session.execute(select(Attachment.url).where(Attachment.kind == "result_photo"))).scalar_one()
        news = (await session.execute(select(Notification.text).order_by(Notification.id.desc()))).scalars().first()
    assert (await http.get(url.removeprefix("http://127.0.0.1"))).status == 200
    assert "Kết quả: Đã dọn dẹp vỉa hè" in news

    stale = await http.post(f"/console/reports/{code}/reject",
                            data={"csrf_token": csrf, "expected_status": "new", "note": "x"})
    assert stale.status == 409


async def test_transfer_through_the_api_with_a_token(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    token_a = (await users.create_token(console.db, "canbo.a")).token
    token_b = (await users.create_token(console.db, "canbo.b")).token
    bearer = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731
    code = console.reports_a[1].code

    listed = await (await http.get("/api/staff/reports?sort=oldest", headers=bearer(token_a))).json()
    assert [r["code"] for r in listed["reports"]] == [r.code for r in console.reports_a]
    detail = await (await http.get(f"/api/staff/reports/{code}", headers=bearer(token_a))).json()
    assert "sender_id" not in detail and "transfer" in detail["actions"]

    response = await http.post(f"/api/staff/reports/{code}/actions/transfer", headers=bearer(token_a),
                               json={"target_ward": WARD_B, "note": "Địa chỉ thuộc phường Kim Liên"})
    assert response.status == 200 and (await response.json())["report"]["ward_code"] == WARD_B
    assert (await http.get(f"/api/staff/reports/{code}", headers=bearer(token_a))).status == 403
    assert (await http.get(f"/api/staff/reports/{code}", headers=bearer(token_b))).status == 200

    assert (await http.get("/api/staff/reports", headers=bearer("pat_forged"))).status == 401
    assert (await http.get("/console/", headers=bearer(token_a), allow_redirects=False)).status == 303

    refused = await http.post(f"/api/staff/reports/{code}/actions/handle", headers=bearer(token_b), json={})
    assert refused.status == 400 and "kết quả xử lý" in (await refused.json())["error"]
    async with console.db.session() as session:
        ward = (await session.execute(select(Report.ward_code).where(Report.code == code))).scalar_one()
    assert ward == WARD_B


async def test_api_pages_with_cursor(http: aiohttp.ClientSession, console: RunningConsole,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue, "PAGE_SIZE", 3)
    await login(http, "quantri")
    seen, cursor = [], None
    while True:
        query = f"?cursor={cursor}" if cursor else ""
        body = await (await http.get(f"/api/staff/reports{query}")).json()
        seen += [r["code"] for r in body["reports"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted([r.code for r in console.reports_a] + [console.report_b.code])
    assert body["counts"]["new"] == 5
    assert (await http.get("/api/staff/reports?status=bogus")).status == 400

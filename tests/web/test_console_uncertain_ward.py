"""The console over HTTP: "phường chưa chắc chắn" on the queue, the report and the figures, the
one-click transfer to a candidate ward, the citizen's status word, and codes kept on one line."""
from __future__ import annotations

import html as html_lib
import re

import aiohttp

from bot import statuses
from bot.staff.workflow import CANDIDATE_TRANSFER_REASON
from bot.storage.reports import find_report
from tests.helpers.console import RunningConsole, login
from tests.helpers.reports import stored_report
from tests.helpers.staff import WARD_A, WARD_B

BACH_MAI = "00292"
MARK = "Phường chưa chắc chắn"


async def uncertain_report(console: RunningConsole):
    return await stored_report(console.db, ward_code=WARD_A, ward_candidates=[WARD_A, WARD_B, BACH_MAI],
                               description="Bày hàng kín vỉa hè, không rõ phường mới")


def form_fields(page: str, testid: str, ward: str) -> dict[str, str]:
    """The hidden fields of the one-click form whose button is `testid` for `ward`."""
    button = re.search(rf'<button[^>]*data-testid="{testid}" data-ward="{ward}"', page)
    assert button, (testid, ward)
    form = page[page.rindex("<form", 0, button.start()):button.start()]
    return {name: html_lib.unescape(value) for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form)}


async def test_queue_and_report_mark_the_uncertain_ward(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    report = await uncertain_report(console)
    await login(http, "canbo.a")
    queue = await (await http.get("/console/")).text()
    rows = dict(re.findall(r'data-testid="queue-row" data-code="([^"]+)"(.*?)</tr>', queue, re.S))
    assert MARK in rows[report.code] and 'data-testid="uncertain-ward"' in rows[report.code]
    assert all(MARK not in rows[r.code] for r in console.reports_a)
    assert re.search(r'data-testid="uncertain-count"[^>]*>\s*Phường chưa chắc chắn <b>1</b>', queue)
    only = await (await http.get("/console/?uncertain=1")).text()
    assert re.findall(r'data-testid="queue-row" data-code="([^"]+)"', only) == [report.code]
    assert 'name="uncertain" value="1" checked' in only

    page = await (await http.get(f"/console/reports/{report.code}")).text()
    assert 'data-testid="uncertain-ward"' in page and 'data-testid="ward-candidates"' in page
    candidates = re.findall(r'data-testid="candidate-ward" data-ward="(\d+)"', page)
    assert candidates == [BACH_MAI, WARD_B, WARD_A]  # Bạch Mai, Kim Liên, Văn Miếu - Quốc Tử Giám
    assert re.findall(r'data-testid="transfer-to-candidate" data-ward="(\d+)"', page) == [BACH_MAI, WARD_B]
    fields = form_fields(page, "transfer-to-candidate", WARD_B)
    assert fields["target_ward"] == WARD_B and fields["note"] == CANDIDATE_TRANSFER_REASON
    assert fields["expected_status"] == "new" and fields["csrf_token"]
    assert 'data-testid="confirm-ward"' in page

    api = await (await http.get(f"/api/staff/reports/{report.code}")).json()
    assert api["ward_uncertain"] and api["ward_candidates"] == [WARD_A, WARD_B, BACH_MAI]
    assert "confirm_ward" in api["actions"]
    listed = await (await http.get("/api/staff/reports?uncertain=1")).json()
    assert [(r["code"], r["ward_uncertain"]) for r in listed["reports"]] == [(report.code, True)]
    assert listed["uncertain_count"] == 1

    certain = await (await http.get(f"/console/reports/{console.reports_a[0].code}")).text()
    assert MARK not in certain and "confirm_ward" not in certain


async def test_one_click_transfer_to_a_candidate(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    report = await uncertain_report(console)
    await login(http, "canbo.a")
    page = await (await http.get(f"/console/reports/{report.code}")).text()
    done = await http.post(f"/console/reports/{report.code}/transfer",
                           data=form_fields(page, "transfer-to-candidate", WARD_B), allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == "/console/"  # now Kim Liên's, out of ward A
    view = await find_report(console.db, report.code)
    assert view.ward_code == WARD_B and not view.ward_uncertain

    async with console.client() as other:
        await login(other, "canbo.b")
        moved = await (await other.get(f"/console/reports/{report.code}")).text()
        assert MARK not in moved and 'data-testid="ward-candidates"' not in moved
        assert CANDIDATE_TRANSFER_REASON in moved  # in the history


async def test_confirming_the_ward_removes_the_mark(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    report = await uncertain_report(console)
    csrf = await login(http, "canbo.a")
    done = await http.post(f"/console/reports/{report.code}/confirm_ward",
                           data={"csrf_token": csrf, "expected_status": "new"}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"/console/reports/{report.code}"
    page = await (await http.get(done.headers["Location"])).text()
    assert "Đã xác nhận phản ánh" in page and MARK not in page.split('data-testid="history"')[0]
    again = await http.post(f"/console/reports/{report.code}/confirm_ward", data={"csrf_token": csrf})
    assert again.status == 400 and "đã được xác nhận" in await again.text()


async def test_figures_count_uncertain_wards(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    await uncertain_report(console)
    await login(http, "giamsat")
    body = await (await http.get("/api/staff/kpis")).json()
    assert body["total"]["received"] == 6 and body["total"]["uncertain_ward"] == 1
    assert body["total"]["uncertain_ward_share"] == 1 / 6
    by_ward = {w["ward_code"]: w["uncertain_ward"] for w in body["wards"]}
    assert by_ward[WARD_A] == 1 and by_ward[WARD_B] == 0
    page = await (await http.get("/console/kpis")).text()
    assert MARK in page
    assert re.search(r'data-testid="kpi-uncertain">1<', page)
    assert re.search(r'data-testid="kpi-uncertain-share">16,7%<', page)


async def test_the_report_page_shows_the_citizens_word_and_codes_on_one_line(http: aiohttp.ClientSession,
                                                                            console: RunningConsole) -> None:
    code = console.reports_a[0].code
    csrf = await login(http, "canbo.a")
    await http.post(f"/console/reports/{code}/acknowledge", data={"csrf_token": csrf}, allow_redirects=False)
    page = await (await http.get(f"/console/reports/{code}")).text()
    word = statuses.CITIZEN_LABELS[statuses.ACKNOWLEDGED]
    assert f"Người dân đang thấy: “{word}”" in page
    assert f'<h1 data-testid="report-code"><span class="code">{code}</span></h1>' in page
    assert f'Đã tiếp nhận phản ánh <span class="code">{code}</span>.' in page  # the flash message
    queue = await (await http.get("/console/")).text()
    assert all(f'<span class="code">{r.code}</span>' in queue for r in console.reports_a)
    css = await (await http.get(re.search(r'href="([^"]*console\.css[^"]*)"', queue).group(1))).text()
    assert re.search(r"\.code\s*\{\s*white-space:\s*nowrap;", css)

"""KPIs (page, CSV, JSON), hotspots and duplicate suggestions over HTTP, on a small set of
reports whose figures are known (on top of the console's five new reports)."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import aiohttp
import pytest

from bot import statuses
from bot.staff.kpis import CSV_HEADER
from bot.staff.localtime import local_today
from bot.storage.models import utcnow
from bot.storage.reports import find_report
from bot.web.console.formats import duration, number, percent
from tests.helpers.console import RunningConsole, login
from tests.helpers.figures import report, seed_figures
from tests.helpers.staff import WARD_A, WARD_B

WARD_A_NAME, WARD_B_NAME = "Phường Văn Miếu - Quốc Tử Giám", "Phường Kim Liên"
EMPTY_WARDS = ["00292", "00256"]  # Bạch Mai, Hai Bà Trưng (by name): no reports


def day(moment: datetime, days: int = 0) -> str:
    """A Hanoi calendar day, as the query string and the JSON write it."""
    return (local_today(moment) + timedelta(days=days)).isoformat()


async def test_kpis_for_the_city_and_per_ward(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    seeded = await seed_figures(console.db)
    await login(http, "giamsat")
    body = await (await http.get("/api/staff/kpis")).json()
    total = body["total"]
    assert body["scope"] == "Toàn thành phố" and body["to"] == day(seeded.now)
    assert body["from"] == day(seeded.now, -29)
    assert (total["received"], total["on_time"], total["late"], total["on_time_rate"]) == (10, 2, 3, 0.4)
    assert total["median_hours_to_acknowledge"] == pytest.approx(27.0)  # of 2, 6, 48 and 240 hours
    assert total["median_hours_to_handle"] == pytest.approx(120.0)  # of 24, 48, 192 and 240 hours
    assert total["satisfaction"] == {"satisfied": 1, "acceptable": 1, "unsatisfied": 1}
    assert total["satisfied_or_accepting"] == pytest.approx(2 / 3)
    assert total["backlog"] == {"dưới 1 ngày": 5, "1–3 ngày": 0, "3–7 ngày": 0, "7–15 ngày": 0, "trên 15 ngày": 1}
    assert (total["open"], total["overdue_over_15_days"]) == (6, 1)
    assert [w["ward_code"] for w in body["wards"]] == [WARD_B, WARD_A, *EMPTY_WARDS]  # worst on-time rate first
    assert [w["on_time_rate"] for w in body["wards"]] == [pytest.approx(1 / 3), 0.5, None, None]

    page = await http.get("/console/kpis")
    html = await page.text()
    assert page.status == 200 and 'data-testid="nav-kpis"' in html
    for expected in ("Tỷ lệ đúng hạn", ">40%<", "1 ngày 3 giờ", "5 ngày", "Hài lòng hoặc chấp nhận", ">66,7%<",
                     "Hài lòng: <b>33,3%</b>", "Chấp nhận: <b>33,3%</b>", "Chưa hài lòng: <b>33,3%</b>",
                     "dưới 1 ngày: 5 phản ánh; 1–3 ngày: 0 phản ánh", "<svg", 'role="img"'):
        assert expected in html, expected
    assert re.findall(r'data-testid="kpi-ward" data-ward="(\d+)"', html) == [WARD_B, WARD_A, *EMPTY_WARDS]
    assert f'href="/console/kpis?ward={WARD_B}&amp;from={day(seeded.now, -29)}&amp;to={day(seeded.now)}"' in html

    wider = await (await http.get(f"/api/staff/kpis?from={day(seeded.now, -45)}")).json()
    assert (wider["total"]["received"], wider["total"]["on_time_rate"]) == (11, 0.5)  # with the old one
    one_ward = await (await http.get(f"/api/staff/kpis?ward={WARD_B}")).json()
    assert one_ward["scope"] == WARD_B_NAME and [w["ward_code"] for w in one_ward["wards"]] == [WARD_B]
    assert one_ward["total"]["received"] == 4


async def test_kpi_csv_has_a_bom_and_a_row_per_ward_and_for_the_city(http: aiohttp.ClientSession,
                                                                     console: RunningConsole) -> None:
    seeded = await seed_figures(console.db)
    await login(http, "quantri")
    response = await http.get("/console/kpis.csv")
    raw = await response.read()
    assert response.status == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="chi-so-phan-anh-tat-ca-{day(seeded.now, -29)}-{day(seeded.now)}.csv"'
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == 1 + 4 + 1
    assert rows[1][:4] == [WARD_B, WARD_B_NAME, "4", "0.333"]
    assert rows[2][:4] == [WARD_A, WARD_A_NAME, "6", "0.500"]
    assert rows[-1] == ["city", "Toàn thành phố", "10", "0.400", "27.0", "120.0", "3", "0.333", "0.333", "0.333",
                        "6", "1", "0", "0.000"]

    page = await (await http.get(f"/console/kpis?ward={WARD_A}")).text()
    assert f'href="/console/kpis.csv?ward={WARD_A}&amp;from=' in page
    only_a = await http.get(f"/console/kpis.csv?ward={WARD_A}")
    rows = list(csv.reader(io.StringIO((await only_a.read()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [WARD_A, "city"] and rows[-1][1] == WARD_A_NAME


async def test_an_officer_sees_only_their_wards_figures(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    await seed_figures(console.db)
    await login(http, "canbo.a")
    body = await (await http.get("/api/staff/kpis")).json()
    assert body["scope"] == WARD_A_NAME and [w["ward_code"] for w in body["wards"]] == [WARD_A]
    assert (body["total"]["received"], body["total"]["on_time_rate"]) == (6, 0.5)
    html = await (await http.get("/console/kpis")).text()
    assert WARD_B_NAME not in html and 'name="ward"' not in html  # one ward: nothing to choose
    rows = list(csv.reader(io.StringIO((await (await http.get("/console/kpis.csv")).read()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [WARD_A, "city"]


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-13-01", "Ngày “2026-13-01” không hợp lệ"),
    ("from=2026-03-10&to=2026-03-01", "Ngày bắt đầu (10/03/2026) phải trước hoặc trùng ngày kết thúc (01/03/2026)."),
    ("from=2024-01-01&to=2026-01-01", "dài tối đa 366 ngày"),
    ("ward=abc", "Mã phường, xã “abc” không hợp lệ."),
    ("ward=99999", "Không có phường, xã mã 99999."),
])
async def test_kpi_filters_are_checked(http: aiohttp.ClientSession, console: RunningConsole,
                                       query: str, message: str) -> None:
    await login(http, "giamsat")
    page = await http.get(f"/console/kpis?{query}")
    html = await page.text()
    assert page.status == 400 and message in html and 'data-testid="kpi-filters"' in html
    assert 'data-testid="kpi-figures"' not in html
    api = await http.get(f"/api/staff/kpis?{query}")
    assert api.status == 400 and message in (await api.json())["error"]
    assert (await http.get(f"/console/kpis.csv?{query}")).status == 400


async def test_hotspots_of_the_visible_wards(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    """The console's four ward-A reports are at 12 Khâm Thiên, handled there a month ago."""
    handled = await report(console.db, utcnow() - timedelta(days=30), WARD_A, "số 12 phố Khâm Thiên",
                           handled_hours=24)
    await login(http, "canbo.a")
    body = await (await http.get("/api/staff/hotspots")).json()
    [spot] = body["hotspots"]
    assert (spot["ward_code"], spot["ward_name"], spot["reports"], spot["repeats"]) == (WARD_A, WARD_A_NAME, 5, 4)
    assert spot["category_label"] == "Lấn chiếm vỉa hè, lòng đường" and spot["last_code"] == console.reports_a[-1].code
    html = await (await http.get("/console/hotspots")).text()
    assert 'data-testid="nav-hotspots"' in html and html.count('data-testid="hotspot"') == 1
    assert f'<a href="/console/reports/{spot["last_code"]}">' in html and handled not in html

    async with console.client() as other:
        await login(other, "canbo.b")
        assert (await (await other.get("/api/staff/hotspots")).json())["hotspots"] == []
        assert 'data-testid="hotspots-empty"' in await (await other.get("/console/hotspots")).text()
        await login(other, "giamsat")
        assert len((await (await other.get(f"/api/staff/hotspots?ward={WARD_A}")).json())["hotspots"]) == 1
        assert (await (await other.get(f"/api/staff/hotspots?ward={WARD_B}")).json())["hotspots"] == []


async def test_likely_duplicates_and_marking_one(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    """The console's four ward-A reports share a place and a category: each may repeat the others."""
    first, *others = console.reports_a
    csrf = await login(http, "canbo.a")
    detail = await (await http.get(f"/api/staff/reports/{first.code}")).json()
    assert {d["code"] for d in detail["likely_duplicates"]} == {r.code for r in others}
    assert detail["likely_duplicates"][0]["status_label"] == "Mới tiếp nhận"
    html = await (await http.get(f"/console/reports/{first.code}")).text()
    assert "Có thể trùng với" in html and html.count('data-testid="mark-duplicate"') == 3
    assert "gửi cách nhau không quá 30 ngày" in html  # bot.staff.repeats.DUPLICATE_WINDOW
    assert f'href="/console/reports/{first.code}?original={others[0].code}#action-duplicate"' in html

    prefilled = await (await http.get(f"/console/reports/{first.code}?original={others[0].code.lower()}")).text()
    assert re.search(r'<details class="action" id="action-duplicate" data-action="duplicate" open>', prefilled)
    assert f'value="{others[0].code}" data-testid="original-code"' in prefilled

    done = await http.post(f"/console/reports/{first.code}/duplicate", allow_redirects=False, data={
        "csrf_token": csrf, "expected_status": "new", "original_code": others[0].code, "note": ""})
    assert done.status == 303 and (await find_report(console.db, first.code)).status == statuses.DUPLICATE
    after = await (await http.get(f"/api/staff/reports/{first.code}")).json()
    assert after["duplicate_of"]["code"] == others[0].code
    assert {d["code"] for d in after["likely_duplicates"]} == {r.code for r in others[1:]}  # the linked one left

    async with console.client() as watcher:
        await login(watcher, "giamsat")
        page = await (await watcher.get(f"/console/reports/{others[1].code}")).text()
        assert "Có thể trùng với" in page and 'data-testid="mark-duplicate"' not in page
        alone = await (await watcher.get(f"/api/staff/reports/{console.report_b.code}")).json()
        assert alone["likely_duplicates"] == []


def test_figures_read_naturally() -> None:
    assert [duration(h) for h in (None, 0, 0.5, 2.25, 24, 27.4, 200)] == [
        "chưa có số liệu", "dưới 1 phút", "30 phút", "2 giờ 15 phút", "1 ngày", "1 ngày 3 giờ", "8,3 ngày"]
    assert [percent(s) for s in (None, 0, 1 / 3, 0.5, 1)] == ["—", "0%", "33,3%", "50%", "100%"]
    assert number(12345) == "12.345"

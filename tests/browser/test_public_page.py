"""The public page /tra-cuu in headless Debian Chromium, with JavaScript switched off (the page
must not need it): a citizen looks up a real code and an unknown one, reads the league table of
the last full month (SVG charts), sorts it by a column and downloads the CSV; on a phone's
screen nothing runs off the side but the table, which scrolls in its own box.

Only our web server runs (in this process, on a free port, against a migrated SQLite file).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.staff.workflow import ActionInput, perform
from bot.public.league import CSV_HEADER
from tests.browser.test_webchat import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.helpers.db import migrated_database, sqlite_file_url
from tests.helpers.public import public_server, seed_month
from tests.helpers.reports import stored_report
from tests.helpers.staff import WARD_A, WARD_B, officer

TIMEOUT_MS = 15_000
RESULT = "Đã yêu cầu chủ quán dọn bàn ghế, vỉa hè đã thông thoáng"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="BROWSER TEST SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)"),
]


async def test_lookup_league_table_and_csv_without_javascript(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with migrated_database(sqlite_file_url(tmp_path)) as db, public_server(db, tmp_path) as url, \
            async_playwright() as playwright:
        seeded = await seed_month(db)
        handled = await stored_report(db, ward_code=WARD_B, phone="0912345678")
        await perform(db, await officer(db, "canbo.b", WARD_B), handled.code, "handle", ActionInput(note=RESULT))
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(locale="vi-VN", java_script_enabled=False, accept_downloads=True,
                                                viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []  # CSP violations (a 404 for an unknown code is logged too, and is right)
            page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)

            # The league table of the last full month.
            await page.goto(f"{url}/tra-cuu")
            assert await page.inner_text("[data-testid=league-received]") == "5"
            assert await page.inner_text("[data-testid=league-on-time]") == "40%"
            assert await page.locator("[data-testid=chart-on-time] svg rect.bar").count() == 5
            assert await page.locator("[data-testid=chart-satisfaction] svg").is_visible()
            rows = page.locator("[data-testid=league-row]")
            assert await rows.count() == 4
            assert await rows.first.get_attribute("data-ward") == WARD_A  # best on-time rate first
            await page.screenshot(path=str(ARTIFACTS / "public-01-league.png"), full_page=True)

            # Sorted by another column, server-side.
            async with page.expect_navigation():
                await page.click("[data-testid=sort-nhan]")
            assert await rows.first.get_attribute("data-ward") == WARD_B  # 3 reports received
            assert await page.get_attribute("th[aria-sort]", "aria-sort") == "descending"

            # The CSV of the month, as shown.
            async with page.expect_download() as info:
                await page.click("[data-testid=league-csv]")
            download = await info.value
            assert download.suggested_filename == f"ket-qua-xu-ly-phan-anh-{seeded.month.key}.csv"
            raw = Path(await download.path()).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert tuple(table[0]) == CSV_HEADER and table[1][:3] == [WARD_B, "Phường Kim Liên", "3"]
            assert table[-1][:4] == ["city", "Toàn thành phố", "5", "4"]

            # Another month from the selector.
            await page.select_option("[data-testid=league-month]", seeded.month.previous.key)
            async with page.expect_navigation():
                await page.click("[data-testid=league-apply]")
            assert await page.inner_text("[data-testid=league-received]") == "1"

            # A real code, typed as a citizen might.
            await page.fill("[data-testid=lookup-code]", handled.code.lower().replace("-", " "))
            async with page.expect_navigation():
                await page.click("[data-testid=lookup-submit]")
            result = page.locator("[data-testid=lookup-result]")
            assert await result.get_attribute("data-status") == "handled"
            assert await page.inner_text("[data-testid=lookup-status]") == "Đã xử lý"
            assert await page.inner_text("[data-testid=lookup-note]") == RESULT
            assert "Phường Kim Liên" in await page.inner_text("[data-testid=lookup-ward]")
            assert "0912345678" not in await page.content()
            await page.screenshot(path=str(ARTIFACTS / "public-02-found.png"), full_page=True)

            # A code nobody was given.
            await page.fill("[data-testid=lookup-code]", "PA-22ZZ22")
            async with page.expect_navigation():
                await page.click("[data-testid=lookup-submit]")
            assert "Không tìm thấy phản ánh nào có mã “PA-22ZZ22”" in await page.inner_text("[data-testid=lookup-missing]")
            assert await page.locator("[data-testid=lookup-result]").count() == 0
            await page.screenshot(path=str(ARTIFACTS / "public-03-missing.png"), full_page=True)
            await context.close()

            # A phone's screen: the page fits, the table scrolls in its own box.
            phone = await browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740},
                                              is_mobile=True, has_touch=True)
            small = await phone.new_page()
            small.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
            small.on("pageerror", lambda error: errors.append(str(error)))
            await small.goto(f"{url}/tra-cuu")
            assert await small.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert await small.evaluate(
                "(() => { const s = document.querySelector('.scroll'); return s.scrollWidth > s.clientWidth; })()")
            await small.screenshot(path=str(ARTIFACTS / "public-04-phone.png"), full_page=True)
            await phone.close()
        finally:
            await browser.close()
        assert not errors, errors

"""The staff console in headless Debian Chromium: a ward officer filters the queue, works a
report to "handled", transfers another to the next ward, whose officer then has it; a
supervisor reads the KPI and hotspot pages, and an officer marks a likely duplicate in one click;
a report with an uncertain ward goes to a candidate ward in one click.

Only our web server runs (in this process, on a free port, against a migrated SQLite file):
the console needs neither Rasa nor the action server.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.staff.workflow import CANDIDATE_TRANSFER_REASON
from bot.storage.reports import find_report
from tests.browser.test_webchat import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.helpers.console import running_console
from tests.helpers.figures import seed_figures
from tests.helpers.reports import stored_report
from tests.helpers.staff import PASSWORD, WARD_A, WARD_B, use_cheap_hashing

TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="BROWSER TEST SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)"),
]


class Officer:
    """One staff member's browser window."""

    def __init__(self, page, base_url: str, name: str) -> None:  # playwright.async_api.Page
        self.page, self.base_url, self.name = page, base_url, name
        self.errors: list[str] = []  # uncaught exceptions and CSP violations
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("dialog", lambda dialog: dialog.accept())  # "Bạn chắc chắn…?" confirmations
        page.set_default_timeout(TIMEOUT_MS)

    async def shot(self, step: int, what: str) -> None:
        await self.page.screenshot(path=str(ARTIFACTS / f"console-{step:02d}-{self.name}-{what}.png"), full_page=True)

    async def login(self, username: str) -> None:
        await self.page.goto(f"{self.base_url}/console/")
        await self.page.fill("input[name=username]", username)
        await self.page.fill("input[name=password]", PASSWORD)
        await self.page.click("[data-testid=login-submit]")
        await self.page.wait_for_selector("[data-testid=queue]")

    async def open_action(self, action: str) -> None:
        if await self.page.get_attribute(f"details[data-action={action}]", "open") is None:
            await self.page.click(f"[data-testid=action-{action}]")

    async def act(self, action: str, note: str | None = None) -> None:
        await self.open_action(action)
        if note is not None:
            await self.page.fill(f"[data-testid=note-{action}]", note)
        async with self.page.expect_navigation():
            await self.page.click(f"[data-testid=submit-{action}]")

    async def status(self) -> str:
        return await self.page.get_attribute("[data-testid=report-status]", "data-status")


async def signed_in(browser, base_url: str, name: str, username: str) -> Officer:  # playwright Browser
    """A new browser window (its own cookies) with `username` logged in."""
    context = await browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    officer = Officer(await context.new_page(), base_url, name)
    await officer.login(username)
    return officer


async def test_officer_works_and_transfers_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.async_api import async_playwright

    use_cheap_hashing(monkeypatch)
    ARTIFACTS.mkdir(exist_ok=True)
    async with running_console(tmp_path) as console, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            a = await signed_in(browser, console.url, "canbo-a", "canbo.a")
            assert await a.page.locator("[data-testid=queue-row]").count() == 4
            await a.shot(1, "queue")

            # Filter: new reports mentioning "tầng".
            await a.page.fill("[data-testid=search]", "tầng")
            await a.page.check("input[name=status][value=new]")
            async with a.page.expect_navigation():
                await a.page.click("[data-testid=apply-filters]")
            rows = a.page.locator("[data-testid=queue-row]")
            assert await rows.count() == 1 and "Xây thêm tầng 4" in await rows.first.inner_text()
            await a.shot(2, "filtered")

            # Work the first report through to "handled".
            worked, moved = console.reports_a[0], console.reports_a[1]
            await a.page.goto(f"{console.url}/console/")
            async with a.page.expect_navigation():
                await a.page.click(f"[data-testid=queue-row][data-code='{worked.code}'] a")
            assert "0912345678" in await a.page.inner_text("[data-testid=contact]")
            await a.shot(3, "report")
            await a.act("acknowledge")
            assert await a.status() == "acknowledged"
            await a.act("start")
            assert await a.status() == "in_progress"
            await a.act("handle", "Đã yêu cầu chủ quán dọn toàn bộ bàn ghế, vỉa hè đã thông thoáng")
            assert await a.status() == "handled"
            assert "Đã ghi nhận kết quả xử lý" in await a.page.inner_text("[data-testid=flash]")
            assert "vỉa hè đã thông thoáng" in await a.page.inner_text("[data-testid=history]")
            await a.shot(4, "handled")

            # Transfer another report to Kim Liên.
            await a.page.goto(f"{console.url}/console/reports/{moved.code}")
            await a.open_action("transfer")
            await a.page.select_option("[data-testid=target-ward]", WARD_B)
            await a.act("transfer", "Địa chỉ thực tế thuộc phường Kim Liên")
            assert a.page.url.endswith("/console/")
            assert "Phường Kim Liên" in await a.page.inner_text("[data-testid=flash]")
            assert await a.page.locator(f"[data-testid=queue-row][data-code='{moved.code}']").count() == 0
            await a.shot(5, "transferred")

            response = await a.page.goto(f"{console.url}/console/reports/{moved.code}")
            assert response.status == 403
            assert "phường, xã khác" in await a.page.inner_text("[data-testid=error]")
            await a.shot(6, "forbidden")

            # Kim Liên's officer now has it.
            b = await signed_in(browser, console.url, "canbo-b", "canbo.b")
            assert await b.page.locator(f"[data-testid=queue-row][data-code='{moved.code}']").count() == 1
            async with b.page.expect_navigation():
                await b.page.click(f"[data-testid=queue-row][data-code='{moved.code}'] a")
            assert "Phường Kim Liên" in await b.page.inner_text("[data-testid=ward]")
            assert "Chuyển từ Phường Văn Miếu - Quốc Tử Giám" in await b.page.inner_text("[data-testid=history]")
            await b.shot(7, "received")
        finally:
            await browser.close()

        assert not a.errors and not b.errors, a.errors + b.errors
        assert (await find_report(console.db, worked.code)).status == "handled"
        assert (await find_report(console.db, moved.code)).ward_code == WARD_B


async def test_kpis_hotspots_and_a_one_click_duplicate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.async_api import async_playwright

    use_cheap_hashing(monkeypatch)
    ARTIFACTS.mkdir(exist_ok=True)
    async with running_console(tmp_path) as console, async_playwright() as playwright:
        await seed_figures(console.db)
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            s = await signed_in(browser, console.url, "giamsat", "giamsat")
            async with s.page.expect_navigation():
                await s.page.click("[data-testid=nav-kpis]")
            assert await s.page.inner_text("[data-testid=kpi-on-time]") == "40%"
            assert await s.page.inner_text("[data-testid=kpi-satisfied]") == "66,7%"
            assert await s.page.locator("[data-testid=chart-backlog] svg rect").count() == 5
            assert await s.page.locator("[data-testid=chart-satisfaction] svg").is_visible()
            assert await s.page.locator("[data-testid=kpi-ward]").count() == 4
            await s.shot(11, "kpis")

            await s.page.select_option("[data-testid=ward-select]", WARD_B)
            async with s.page.expect_navigation():
                await s.page.click("[data-testid=kpi-apply]")
            assert "Phường Kim Liên" in await s.page.inner_text("[data-testid=kpi-scope]")
            assert await s.page.inner_text("[data-testid=kpi-long-overdue]") == "1"
            await s.shot(12, "kpis-ward")

            async with s.page.expect_navigation():
                await s.page.click("[data-testid=nav-hotspots]")
            await s.page.wait_for_selector("[data-testid=hotspots-empty]")
            await s.shot(13, "hotspots")

            a = await signed_in(browser, console.url, "canbo-a", "canbo.a")
            first, original = console.reports_a[0], console.reports_a[1]
            await a.page.goto(f"{console.url}/console/reports/{first.code}")
            assert await a.page.locator("[data-testid=likely-duplicate]").count() == 3
            await a.shot(14, "likely-duplicates")
            async with a.page.expect_navigation():
                await a.page.click(f"[data-testid=mark-duplicate][data-original-code='{original.code}']")
            assert await a.status() == "duplicate"
            assert original.code in await a.page.inner_text("[data-testid=duplicate-of]")
            await a.shot(15, "marked-duplicate")
        finally:
            await browser.close()

        assert not s.errors and not a.errors, s.errors + a.errors
        assert (await find_report(console.db, first.code)).status == "duplicate"


async def test_uncertain_ward_one_click_transfer_and_codes_on_one_line(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """"Phường chưa chắc chắn" in the queue and on the report; one click sends the report to a
    candidate ward with the prepared reason, and the mark is gone; codes never wrap."""
    from playwright.async_api import async_playwright

    use_cheap_hashing(monkeypatch)
    ARTIFACTS.mkdir(exist_ok=True)
    async with running_console(tmp_path) as console, async_playwright() as playwright:
        report = await stored_report(console.db, ward_code=WARD_A, ward_candidates=[WARD_A, WARD_B],
                                     description="Bày hàng kín vỉa hè, không rõ phường mới")
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            a = await signed_in(browser, console.url, "canbo-a", "canbo.a")
            row = a.page.locator(f"[data-testid=queue-row][data-code='{report.code}']")
            assert "Phường chưa chắc chắn" in await row.locator("[data-testid=uncertain-ward]").inner_text()
            code = row.locator(".code")
            assert await code.evaluate("(node) => getComputedStyle(node).whiteSpace") == "nowrap"
            assert (await code.bounding_box())["height"] < 30  # one line
            await a.shot(21, "uncertain-queue")

            async with a.page.expect_navigation():
                await row.locator("a").first.click()
            assert await a.page.locator("[data-testid=uncertain-ward]").is_visible()
            assert await a.page.locator("[data-testid=candidate-ward]").count() == 2
            await a.shot(22, "uncertain-report")
            async with a.page.expect_navigation():
                await a.page.click(f"[data-testid=transfer-to-candidate][data-ward='{WARD_B}']")
            assert a.page.url.endswith("/console/")
            assert "Phường Kim Liên" in await a.page.inner_text("[data-testid=flash]")

            b = await signed_in(browser, console.url, "canbo-b", "canbo.b")
            await b.page.goto(f"{console.url}/console/reports/{report.code}")
            assert await b.page.locator("[data-testid=uncertain-ward]").count() == 0
            assert CANDIDATE_TRANSFER_REASON in await b.page.inner_text("[data-testid=history]")
            await b.shot(23, "uncertain-transferred")
        finally:
            await browser.close()

        assert not a.errors and not b.errors, a.errors + b.errors
        view = await find_report(console.db, report.code)
        assert view.ward_code == WARD_B and not view.ward_uncertain

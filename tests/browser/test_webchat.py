"""End-to-end: a citizen files a report through the chat page in headless Chromium.

Needs the ``stack`` fixture (tests/conftest.py) that runs the action server, Rasa
and the web server, exposing ``web_url``, ``rasa_url`` and ``database_url``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
TINY_PNG = PROJECT_ROOT / "tests" / "fixtures" / "tiny.png"

REPORT_TEXT = (
    "Quán cà phê bày bàn ghế chiếm hết vỉa hè trước số 12 phố Hàng Bông, "
    "phường Hoàn Kiếm, người đi bộ phải xuống lòng đường"
)
CODE_PATTERN = re.compile(r"PA-[2-9A-HJ-NP-Z]{6}")

# Rasa may take a while on the first message after start-up.
BOT_TIMEOUT_MS = 60_000

BOT_BUBBLES = "#messages .msg.bot"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="BROWSER TEST SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)",
    ),
]


class ChatDriver:
    """Drives the chat page the way a citizen would, waiting on visible bubbles."""

    def __init__(self, page) -> None:  # playwright.async_api.Page
        self.page = page
        self.step = 0

    async def bot_count(self) -> int:
        return await self.page.locator(BOT_BUBBLES).count()

    async def wait_for_bot_after(self, previous: int) -> None:
        await self.page.wait_for_function(
            "([selector, n]) => document.querySelectorAll(selector).length > n",
            arg=[BOT_BUBBLES, previous],
            timeout=BOT_TIMEOUT_MS,
        )

    async def screenshot(self, name: str) -> None:
        self.step += 1
        await self.page.screenshot(path=str(ARTIFACTS / f"webchat-{self.step:02d}-{name}.png"), full_page=True)

    async def send_text(self, message: str) -> None:
        before = await self.bot_count()
        await self.page.fill("#chat-input", message)
        await self.page.click("#send-button")
        await self.wait_for_bot_after(before)

    async def upload_photo(self, path: Path) -> None:
        before = await self.bot_count()
        await self.page.set_input_files("#attach-input", str(path))
        await self.page.locator("#messages .msg.user.photo:not(.uploading) img").last.wait_for()
        await self.wait_for_bot_after(before)

    def quick_reply(self, title: str):
        return self.page.locator(".quick-replies:not(.used) .quick-reply", has_text=title).last

    async def click_quick_reply(self, title: str) -> None:
        button = self.quick_reply(title)
        await button.wait_for(timeout=BOT_TIMEOUT_MS)
        before = await self.bot_count()
        await button.click()
        await self.page.locator("#messages .msg.user .msg-text", has_text=title).last.wait_for()
        await self.wait_for_bot_after(before)

    async def wait_for_any_quick_reply(self, *titles: str) -> str:
        pattern = re.compile("|".join(re.escape(t) for t in titles))
        await self.page.locator(".quick-replies:not(.used) .quick-reply", has_text=pattern).first.wait_for(
            timeout=BOT_TIMEOUT_MS
        )
        for title in titles:
            if await self.quick_reply(title).count():
                return title
        raise AssertionError(f"none of {titles} offered")

    async def find_report_code(self) -> str:
        handle = await self.page.wait_for_function(
            """([selector, source]) => {
                const re = new RegExp(source);
                for (const bubble of document.querySelectorAll(selector)) {
                    const match = bubble.textContent.match(re);
                    if (match) return match[0];
                }
                return null;
            }""",
            arg=[BOT_BUBBLES, CODE_PATTERN.pattern],
            timeout=BOT_TIMEOUT_MS,
        )
        return await handle.json_value()


def sync_database_url(url: str) -> str:
    """The stack may hand out an async driver URL; this check uses a sync one."""
    return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg2")


def attachment_count(engine: Engine, report_id: object) -> int:
    """Count rows of any table holding a foreign key to ``reports``."""
    inspector = inspect(engine)
    total = 0
    found = False
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "reports" and ("attach" in table or "photo" in table):
                found = True
                column = fk["constrained_columns"][0]
                with engine.connect() as conn:
                    total += conn.execute(
                        text(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = :id'), {"id": report_id}
                    ).scalar_one()
    assert found, "no attachment table referencing reports"
    return total


def assert_report_stored(database_url: str, code: str) -> None:
    engine = create_engine(sync_database_url(database_url))
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT id, ward_code FROM reports WHERE code = :code"), {"code": code}
            ).mappings().one_or_none()
        assert row is not None, f"no report with code {code}"
        assert row["ward_code"], "report has no ward_code"
        assert re.fullmatch(r"\d{5}", str(row["ward_code"])), row["ward_code"]
        assert attachment_count(engine, row["id"]) == 1
    finally:
        engine.dispose()


async def test_citizen_files_a_report(stack) -> None:
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(locale="vi-VN", viewport={"width": 420, "height": 860})
            page = await context.new_page()
            page_errors: list[str] = []  # uncaught exceptions and CSP violations
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on(
                "console",
                lambda m: page_errors.append(m.text) if "Content Security Policy" in m.text else None,
            )
            chat = ChatDriver(page)

            await page.goto(stack.web_url)
            await page.wait_for_selector('#chat-app[data-connection="ready"]', timeout=BOT_TIMEOUT_MS)
            await chat.screenshot("loaded")

            await chat.send_text(REPORT_TEXT)
            await chat.wait_for_any_quick_reply("Bỏ qua", "Ẩn danh")
            await chat.screenshot("report-sent")

            # The bot may offer to skip the photo; send one instead.
            await chat.upload_photo(TINY_PNG)
            await chat.screenshot("photo-sent")

            await chat.click_quick_reply("Ẩn danh")
            await chat.quick_reply("Gửi phản ánh").wait_for(timeout=BOT_TIMEOUT_MS)
            await chat.screenshot("summary")

            await chat.click_quick_reply("Gửi phản ánh")
            code = await chat.find_report_code()
            await chat.screenshot("submitted")
        finally:
            await browser.close()

    assert CODE_PATTERN.fullmatch(code)
    assert not page_errors, page_errors
    assert_report_stored(stack.database_url, code)

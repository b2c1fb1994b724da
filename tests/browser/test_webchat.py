"""End-to-end: a citizen files a report through the chat page in headless Chromium.

Needs the ``stack`` fixture (tests/conftest.py) that runs the action server, Rasa
and the web server, exposing ``web_url``, ``rasa_url`` and ``database_url``.
"""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

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
READY = '#chat-app[data-connection="ready"]'

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

    async def wait_for_bot_text(self, text: str) -> None:
        await self.page.locator(BOT_BUBBLES, has_text=text).first.wait_for(timeout=BOT_TIMEOUT_MS)

    async def file_report(self) -> str:
        """The citizen's report from the first message to its code (with a photo, anonymous)."""
        await self.send_text(REPORT_TEXT)
        await self.wait_for_any_quick_reply("Bỏ qua", "Ẩn danh")
        await self.screenshot("report-sent")

        # The bot may offer to skip the photo; send one instead.
        await self.upload_photo(TINY_PNG)
        await self.screenshot("photo-sent")

        await self.click_quick_reply("Ẩn danh")
        await self.quick_reply("Gửi phản ánh").wait_for(timeout=BOT_TIMEOUT_MS)
        await self.screenshot("summary")

        await self.click_quick_reply("Gửi phản ánh")
        return await self.find_report_code()

    async def stored(self, key: str) -> str | None:
        return await self.page.evaluate("(key) => localStorage.getItem(key)", key)

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


@asynccontextmanager
async def chat_page(stack, *, width: int = 420) -> AsyncIterator[tuple[ChatDriver, list[str]]]:
    """A fresh browser profile on the chat page, connected; with the page's errors (uncaught
    exceptions and CSP violations), which a test asserts empty."""
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(locale="vi-VN", viewport={"width": width, "height": 860})
            page = await context.new_page()
            page_errors: list[str] = []
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on(
                "console",
                lambda m: page_errors.append(m.text) if "Content Security Policy" in m.text else None,
            )
            await page.goto(stack.web_url)
            await page.wait_for_selector(READY, timeout=BOT_TIMEOUT_MS)
            yield ChatDriver(page), page_errors
        finally:
            await browser.close()


async def test_citizen_files_a_report(stack) -> None:
    async with chat_page(stack) as (chat, page_errors):
        await chat.screenshot("loaded")
        code = await chat.file_report()
        await chat.screenshot("submitted")

    assert CODE_PATTERN.fullmatch(code)
    assert not page_errors, page_errors
    assert_report_stored(stack.database_url, code)


CODE_STYLE = """(code) => {
    for (const span of document.querySelectorAll('#messages .msg.bot .code')) {
        if (span.textContent === code) return getComputedStyle(span).whiteSpace;
    }
    return null;
}"""


async def test_history_survives_a_reload_and_a_new_chat_keeps_the_citizen(stack) -> None:
    async with chat_page(stack) as (chat, page_errors):
        page = chat.page
        page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))  # "Trò chuyện mới?"
        code = await chat.file_report()
        # (c) the code sits in a span that never wraps
        assert await page.evaluate(CODE_STYLE, code) == "nowrap"
        citizen = await chat.stored("phananh.citizen")
        first_conversation = await chat.stored("phananh.conversation")
        assert citizen and first_conversation
        bubbles = await page.locator("#messages .msg").count()

        # (a) a reload shows the same conversation, the code included, still on one line
        await page.reload()
        await page.wait_for_selector(READY, timeout=BOT_TIMEOUT_MS)
        await chat.wait_for_bot_text(code)
        assert await page.locator("#messages .msg.user", has_text="Quán cà phê bày bàn ghế").count() == 1
        assert await page.locator("#messages .msg.user.photo-sent").count() == 1  # the photo, as a note
        assert await page.locator("#messages .msg").count() == bubbles
        assert await page.evaluate(CODE_STYLE, code) == "nowrap"
        assert await page.locator(".quick-replies:not(.used)").count() == 0  # answered buttons stay retired
        assert await chat.stored("phananh.conversation") == first_conversation
        await chat.screenshot("reloaded")

        # (b) "Trò chuyện mới": an empty conversation for the same citizen, whose reports are listed
        await page.click("#new-chat-button")
        await page.wait_for_function(
            "(old) => { const id = localStorage.getItem('phananh.conversation'); return id && id !== old; }",
            arg=first_conversation, timeout=BOT_TIMEOUT_MS)
        assert await page.locator("#messages .msg.bot, #messages .msg.user").count() == 0
        assert await chat.stored(f"phananh.history.{first_conversation}") is None
        assert await chat.stored("phananh.citizen") == citizen
        await chat.send_text("phản ánh của tôi")
        await chat.wait_for_bot_text(code)
        await chat.screenshot("my-reports")

        # the new conversation's history is its own
        await page.reload()
        await page.wait_for_selector(READY, timeout=BOT_TIMEOUT_MS)
        await chat.wait_for_bot_text(code)
        assert await page.locator("#messages .msg.user", has_text="phản ánh của tôi").count() == 1
        assert await page.locator("#messages .msg.user", has_text="Quán cà phê bày bàn ghế").count() == 0

    assert not page_errors, page_errors


async def test_history_is_bounded_and_stays_text(stack) -> None:
    """Only the last 100 bubbles are kept, and a stored text is never read as HTML."""
    async with chat_page(stack) as (chat, page_errors):
        page = chat.page
        conversation = await chat.stored("phananh.conversation")
        assert conversation
        entries = [{"kind": "bot", "text": f"tin {n} PA-ZMK6KA"} for n in range(130)]
        entries.append({"kind": "user", "text": '<img src=x onerror="window.hacked=1">'})
        await page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                            [f"phananh.history.{conversation}", json.dumps(entries)])
        await page.reload()
        await page.wait_for_selector(READY, timeout=BOT_TIMEOUT_MS)
        assert await page.locator("#messages .msg.bot").count() == 99
        assert await page.locator("#messages .msg.bot").first.inner_text() == "tin 31 PA-ZMK6KA"
        assert await page.locator("#messages .msg.user").last.inner_text() == '<img src=x onerror="window.hacked=1">'
        assert await page.locator("#messages .msg img").count() == 0
        assert await page.evaluate("() => window.hacked === undefined")
        assert await page.evaluate(CODE_STYLE, "PA-ZMK6KA") == "nowrap"
        stored = json.loads(await chat.stored(f"phananh.history.{conversation}"))
        assert len(stored) <= 100
    assert not page_errors, page_errors


async def test_photo_and_location_buttons_have_text_labels(stack) -> None:
    """(d) readable without an emoji font: a visible word, and a name for screen readers."""
    for width in (320, 760):
        async with chat_page(stack, width=width) as (chat, page_errors):
            page = chat.page
            for selector, word, name in (("#attach-button", "Ảnh", "Gửi ảnh"),
                                         ("#location-button", "Vị trí", "Gửi vị trí hiện tại")):
                button = page.locator(selector)
                label = button.locator(".label")
                assert await label.inner_text() == word and await label.is_visible()
                box = await label.bounding_box()
                assert box and box["width"] > 10, box
                assert word in await button.inner_text()
                assert await button.get_attribute("aria-label") == name
                assert await page.get_by_role("button", name=name).count() == 1
            composer = await page.locator("#chat-input").bounding_box()
            assert composer and composer["width"] >= 100, composer  # the text box keeps its room
            await chat.screenshot(f"buttons-{width}")
        assert not page_errors, page_errors


async def test_several_photos_chosen_at_once_are_all_counted(stack, tmp_path) -> None:
    second = tmp_path / "second.png"
    second.write_bytes(TINY_PNG.read_bytes())
    async with chat_page(stack) as (chat, page_errors):
        await chat.send_text(REPORT_TEXT)
        await chat.wait_for_any_quick_reply("Bỏ qua", "Ẩn danh")
        await chat.page.set_input_files("#attach-input", [str(TINY_PNG), str(second)])
        await chat.wait_for_bot_text("Đã nhận ảnh 2/5")
        await chat.screenshot("two-photos")
    assert not page_errors, page_errors

"""After "handled", the citizen rates the result; "Chưa hài lòng" reopens it with their words."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot import messages_vi as msg
from bot import statuses
from bot.stack import Stack
from bot.storage.db import Database
from bot.storage.reports import change_status
from tests.helpers.chat import Conversation

pytestmark = pytest.mark.e2e


def handle(stack: Stack, code: str) -> None:
    async def main() -> None:
        db = Database(stack.database_url)
        try:
            await change_status(db, code, statuses.HANDLED, "canbo.test", note="Đã yêu cầu dọn bàn ghế")
        finally:
            await db.dispose()
    asyncio.run(main())


def reported(chat: Conversation) -> str:
    chat.say("Quán bia bày bàn ghế chiếm hết vỉa hè trước số 20 phố Hàng Bông, phường Hoàn Kiếm, người đi bộ phải xuống lòng đường")
    chat.click("Bỏ qua")
    chat.click("Ẩn danh")
    chat.click("Gửi phản ánh")
    return chat.code()


def test_unsatisfied_reopens_the_report_with_the_citizens_words(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    code = reported(chat)
    handle(stack, code)
    chat.say(msg.rating_payload(code, "unsatisfied"))  # the "Chưa hài lòng" button under the news
    assert "hiện trạng còn vi phạm" in chat.text, chat.last
    chat.say("quán vẫn bày bàn ghế ra vỉa hè như cũ, tối nào cũng thế")
    assert "mở lại" in chat.text, chat.last
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        [(status, rating, reopened)] = connection.execute(
            "SELECT status, satisfaction, reopen_count FROM reports WHERE code = ?", (code,)).fetchall()
        [(note,)] = connection.execute(
            "SELECT h.note FROM status_history h JOIN reports r ON r.id = h.report_id WHERE r.code = ? "
            "ORDER BY h.id DESC LIMIT 1", (code,)).fetchall()
    assert (status, rating, reopened) == ("in_progress", "unsatisfied", 1)
    assert "vẫn bày bàn ghế" in note


def test_satisfied_is_thanked_and_kept(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    code = reported(chat)
    handle(stack, code)
    chat.say(msg.rating_payload(code, "satisfied"))
    assert "Cảm ơn bạn đã đánh giá" in chat.text, chat.last
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        assert connection.execute("SELECT satisfaction FROM reports WHERE code = ?", (code,)).fetchall() == [("satisfied",)]

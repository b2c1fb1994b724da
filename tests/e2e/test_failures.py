"""When a part of the system is down the citizen gets a polite answer and nothing is confirmed."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import messages_vi as msg
from tests.conftest import start_stack
from tests.helpers.chat import CODE_RE, Conversation

pytestmark = pytest.mark.e2e


def test_action_server_down(tmp_path: Path) -> None:
    stack = start_stack(tmp_path)
    try:
        chat = Conversation(stack.rasa_url)
        chat.say("quán nướng bày bàn ghế chiếm hết vỉa hè số 3 phố Hàng Bông phường Hoàn Kiếm")
        chat.say("/skip")
        stack.stop_service("action server")
        chat.say("0912345678")
        assert msg.SERVICE_UNAVAILABLE in chat.text, chat.last
        chat.say("/affirm")
        assert not CODE_RE.search(chat.text), chat.last
        with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as db:
            assert db.execute("SELECT count(*) FROM reports").fetchone() == (0,)
    finally:
        stack.stop()


def test_a_submit_that_fails_keeps_the_draft_and_a_retry_stores_it_once(tmp_path: Path) -> None:
    stack = start_stack(tmp_path)
    try:
        chat = Conversation(stack.rasa_url)
        chat.say("quán nướng bày bàn ghế chiếm hết vỉa hè số 3 phố Hàng Bông phường Hoàn Kiếm, tối nào cũng vậy")
        chat.say("/skip")
        chat.say("0912345678")
        assert "Gửi phản ánh" in chat.buttons, chat.last
        stack.stop_service("action server")
        chat.click("Gửi phản ánh")
        assert not CODE_RE.search(chat.text) and "CHƯA được gửi" in chat.text, chat.last
        assert "Gửi phản ánh" in chat.buttons, chat.last  # the summary's buttons, again
        stack.restart_service("action server")
        chat.click("Gửi phản ánh")
        code = chat.code()
        with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as db:
            assert db.execute("SELECT code, phone FROM reports").fetchall() == [(code, "0912345678")]
    finally:
        stack.stop()

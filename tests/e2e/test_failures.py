"""When a part of the system is down the citizen gets a polite answer and nothing is confirmed;
once it is back, what the citizen entered is still there and is stored once."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

import pytest

from bot import messages_vi as msg
from bot.stack import Stack
from tests.conftest import start_stack
from tests.helpers.chat import CODE_RE, Conversation

pytestmark = pytest.mark.e2e
ACTION_SERVER = "action server"


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of this module's own, not the session's: these tests stop and start its servers."""
    running = start_stack(tmp_path_factory.mktemp("failures"))
    yield running
    running.stop()


@pytest.fixture
def stack(own_stack: Stack) -> Iterator[Stack]:
    """The module's stack; each test leaves it with its action server running again."""
    yield own_stack
    if any(s.process is None or s.process.poll() is not None for s in own_stack.services if s.name == ACTION_SERVER):
        own_stack.restart_service(ACTION_SERVER)


def database_path(stack: Stack) -> str:
    return stack.database_url.removeprefix("sqlite:///")


def stored(stack: Stack, chat: Conversation, columns: str) -> list:
    """The reports of this conversation's citizen."""
    with sqlite3.connect(database_path(stack)) as db:
        return db.execute(f"SELECT {columns} FROM reports WHERE sender_id = ?", (chat.sender,)).fetchall()


def at_the_summary(stack: Stack) -> Conversation:
    """A citizen who has entered a whole report and is asked to send it."""
    chat = Conversation(stack.rasa_url)
    chat.say("quán nướng bày bàn ghế chiếm hết vỉa hè số 3 phố Hàng Bông phường Hoàn Kiếm, tối nào cũng vậy")
    chat.say("/skip")
    chat.say("0912345678")
    assert "Gửi phản ánh" in chat.buttons, chat.last
    return chat


def retried_and_stored_once(stack: Stack, chat: Conversation) -> None:
    chat.click("Gửi phản ánh")
    code = chat.code()
    assert stored(stack, chat, "code, phone") == [(code, "0912345678")]


def test_action_server_down(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("quán nướng bày bàn ghế chiếm hết vỉa hè số 3 phố Hàng Bông phường Hoàn Kiếm")
    chat.say("/skip")
    stack.stop_service(ACTION_SERVER)
    chat.say("0912345678")
    assert msg.SERVICE_UNAVAILABLE in chat.text, chat.last
    chat.say("/affirm")
    assert not CODE_RE.search(chat.text), chat.last
    assert stored(stack, chat, "count(*)") == [(0,)]


def test_a_submit_that_fails_keeps_the_draft_and_a_retry_stores_it_once(stack: Stack) -> None:
    chat = at_the_summary(stack)
    stack.stop_service(ACTION_SERVER)
    chat.click("Gửi phản ánh")
    assert not CODE_RE.search(chat.text) and "CHƯA được gửi" in chat.text, chat.last
    assert "Gửi phản ánh" in chat.buttons, chat.last  # the summary's buttons, again
    stack.restart_service(ACTION_SERVER)
    retried_and_stored_once(stack, chat)


@contextmanager
def reports_table_away(stack: Stack) -> Iterator[None]:
    """The database refuses to store a report (its table renamed away) while inside."""
    path = database_path(stack)
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE reports RENAME TO reports_away")
    try:
        yield
    finally:
        with sqlite3.connect(path) as db:
            db.execute("ALTER TABLE reports_away RENAME TO reports")


def test_a_submit_the_database_refuses_keeps_the_draft_and_a_retry_stores_it_once(stack: Stack) -> None:
    chat = at_the_summary(stack)
    with reports_table_away(stack):
        chat.click("Gửi phản ánh")
        assert msg.DATABASE_UNAVAILABLE in chat.text and not CODE_RE.search(chat.text), chat.last
        assert "Gửi phản ánh" in chat.buttons, chat.last  # still at the summary, nothing asked again
    retried_and_stored_once(stack, chat)

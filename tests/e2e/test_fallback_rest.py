"""The two-stage fallback over the REST channel, against the real Rasa and action servers."""
from __future__ import annotations

import pytest

from bot.stack import Stack
from tests.helpers.chat import Conversation

pytestmark = pytest.mark.e2e


def test_not_understood_twice_then_a_clear_message_starts_the_report(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("/nlu_fallback")  # what the model says of a message it cannot classify with confidence
    assert "nói lại theo cách khác" in chat.text, chat.last
    chat.say("quán bia bày bàn ghế chiếm hết vỉa hè trước số 12 phố Hàng Bông, phường Hoàn Kiếm")
    assert "Bỏ qua" in chat.buttons, chat.last  # the report started, with place and description: photo next


def test_two_noes_end_in_the_default_answer_and_the_chat_goes_on(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("/nlu_fallback")
    chat.say("/out_of_scope")  # "Không phải"
    assert "nói lại theo cách khác" in chat.text, chat.last
    chat.say("/nlu_fallback")
    chat.say("/out_of_scope")
    assert "nhập mã phản ánh để tra cứu" in chat.text, chat.last  # utter_default: the bot gives up politely
    chat.say("xin chào")
    assert "Xin chào" in chat.text, chat.last  # and the conversation is usable again

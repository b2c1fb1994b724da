"""A citizen completes reports over the REST channel against the real servers."""
from __future__ import annotations

import sqlite3

import pytest

from bot.stack import Stack
from tests.helpers.chat import Conversation

pytestmark = pytest.mark.e2e


def rows(stack: Stack, sql: str, *params) -> list:
    path = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, params).fetchall()


def complete_report(chat: Conversation, first_message: str) -> str:
    chat.say(first_message)
    if "Bỏ qua" in chat.buttons:
        chat.click("Bỏ qua")
    assert "Ẩn danh" in chat.buttons, chat.last
    chat.say("0912 345 678")
    assert "Gửi phản ánh" in chat.buttons, chat.last
    chat.click("Gửi phản ánh")
    return chat.code()


def test_report_with_everything_in_the_first_message_is_stored_then_confirmed(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    code = complete_report(
        chat, "Quán cà phê bày bàn ghế chiếm hết vỉa hè trước số 12 phố Hàng Bông, phường Hoàn Kiếm, người đi bộ phải xuống lòng đường"
    )
    [(category, ward, phone, anonymous, status, channel, sender)] = rows(
        stack, "SELECT category, ward_code, phone, anonymous, status, channel, sender_id FROM reports WHERE code = ?", code
    )
    assert (category, ward, phone, status, channel, sender) == (
        "sidewalk", "00070", "0912345678", "new", "rest", chat.sender
    )
    assert not anonymous
    assert "Phường Hoàn Kiếm" in chat.text


def test_old_split_ward_is_never_routed_silently(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("nhà bên cạnh đang xây thêm 2 tầng không có giấy phép, ở phường Thành Công quận Ba Đình")
    assert set(chat.buttons) == {"Phường Giảng Võ", "Phường Ô Chợ Dừa"}, chat.last
    chat.click("Phường Giảng Võ")
    assert "Bỏ qua" in chat.buttons, chat.last
    chat.click("Bỏ qua")
    chat.click("Ẩn danh")
    assert "Phường Giảng Võ" in chat.text
    chat.click("Gửi phản ánh")
    code = chat.code()
    [(category, ward, anonymous)] = rows(stack, "SELECT category, ward_code, anonymous FROM reports WHERE code = ?", code)
    assert (category, ward, anonymous) == ("construction", "00025", 1)


def test_questions_are_asked_for_what_is_missing_and_corrections_work(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("via he bi lan chiem")
    assert "ở đâu" in chat.text, chat.last
    chat.say("so 5 ngo 12 kham thien, p. kham thien q. dong da")
    assert "mô tả" in chat.text, chat.last
    chat.say("hang quan ban bia hoi bay ban ghe tu chieu den dem")
    chat.click("Bỏ qua")
    chat.click("Ẩn danh")
    assert "Phường Văn Miếu - Quốc Tử Giám" in chat.text, chat.last
    chat.say("không phải phường đó, ở phường Kim Liên")
    assert "Phường Kim Liên" in chat.text and "Gửi phản ánh" in chat.buttons, chat.last
    chat.click("Gửi phản ánh")
    [(ward,)] = rows(stack, "SELECT ward_code FROM reports WHERE code = ?", chat.code())
    assert ward == "00229"


def test_confirming_twice_stores_one_report(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    code = complete_report(chat, "người ta đổ vật liệu xây dựng chiếm hết vỉa hè trước số 20 phố Huế phường Hai Bà Trưng")
    chat.say("/affirm")
    assert rows(stack, "SELECT count(*) FROM reports WHERE sender_id = ?", chat.sender) == [(1,)]
    assert code


def test_status_by_code_and_my_reports(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    code = complete_report(chat, "bãi trông xe tự phát chiếm hết vỉa hè trước cổng chợ ở phường Bạch Mai")
    chat.say(f"kiểm tra giúp tôi phản ánh {code.lower().replace('-', '')}")
    assert code in chat.text and "Chờ xử lý" in chat.text and "Phường Bạch Mai" in chat.text, chat.last
    chat.say("phản ánh của tôi xử lý đến đâu rồi")
    assert code in chat.text, chat.last
    other = Conversation(stack.rasa_url)
    other.say("cac phan anh cua toi")
    assert code not in other.text


def test_outside_hanoi_and_unknown_places_get_a_clear_answer(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("quán nhậu lấn chiếm vỉa hè ở quận 1 TP Hồ Chí Minh")
    assert "ngoài thành phố Hà Nội" in chat.text, chat.last
    chat.say("abcxyz")
    assert "chưa xác định được" in chat.text, chat.last


@pytest.mark.parametrize("message", ["", " ", "😡😡😡", "<script>alert(1)</script>", "vỉa hè " * 800])
def test_bad_input_gets_a_polite_answer(stack: Stack, message: str) -> None:
    chat = Conversation(stack.rasa_url)
    answer = chat.say(message)
    assert answer and all((m.get("text") or m.get("buttons")) for m in answer), answer
    assert "<script>" not in chat.text


def test_the_stored_report_keeps_the_house_number_and_the_alley(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("Nhà số 25 ngõ 120 Trường Chinh xây thêm tầng 5 không có giấy phép, ảnh hưởng nhà bên cạnh")
    assert "Số 25 ngõ 120" in chat.text and "phường" in chat.text.lower(), chat.last  # asks which ward, keeps the house
    chat.say("phường Kim Liên")
    chat.click("Bỏ qua")
    chat.click("Ẩn danh")
    assert "Số 25 ngõ 120 Trường Chinh" in chat.text, chat.last
    chat.click("Gửi phản ánh")
    [(ward, address, house, alley, street)] = rows(
        stack, "SELECT ward_code, address_text, house_number, alley, street FROM reports WHERE code = ?", chat.code())
    assert (ward, house, alley, street) == ("00229", "25", "120", "Trường Chinh")
    assert address == "Số 25 ngõ 120 Trường Chinh, Phường Kim Liên" and "xây" not in address


def test_a_shared_pin_is_shown_in_words_and_the_bot_asks_for_a_house_or_a_landmark(stack: Stack) -> None:
    chat = Conversation(stack.rasa_url)
    chat.say("có người bày hàng chiếm hết vỉa hè, người đi bộ phải đi xuống lòng đường")
    chat.say('/inform{"latitude": 21.0189, "longitude": 105.8395}')
    assert "Vị trí bạn chia sẻ nằm gần" in chat.text and "21.0189" not in chat.text, chat.last
    chat.click(next(iter(chat.buttons)))
    assert "số nhà" in chat.text and "Bỏ qua" in chat.buttons, chat.last
    chat.say("trước cửa số 120 Khâm Thiên")
    chat.click("Bỏ qua")
    chat.click("Ẩn danh")
    assert "Số 120 Khâm Thiên" in chat.text and "105.83" not in chat.text, chat.last
    chat.click("Gửi phản ánh")
    [(house, street, lat, address)] = rows(
        stack, "SELECT house_number, street, latitude, address_text FROM reports WHERE code = ?", chat.code())
    assert (house, street, lat) == ("120", "Khâm Thiên", 21.0189) and address.startswith("Số 120 Khâm Thiên, Phường")

"""What a message means besides the answer: confirmations, commands, details, corrections."""
import pytest

from bot import turns


@pytest.mark.parametrize("text", [
    "gửi", "gui", "Gửi đi", "gui di nhe", "ok", "okk", "oke gửi luôn", "chuẩn rồi", "chuẩn rồi, gửi giúp mình nhé",
    "đúng rồi gửi", "dung roi", "chính xác", "xác nhận", "được", "uh", "ừ gửi đi", "đồng ý", "👍", "Gửi phản ánh",
    "vâng, gửi giúp em ạ", "ok ad",
])
def test_typed_confirmations_mean_send(text: str) -> None:
    assert turns.summary_answer(text).kind == turns.YES


@pytest.mark.parametrize("text", ["không", "sai rồi", "chưa đúng", "khong dung"])
def test_refusals_are_never_a_send_and_never_a_new_place(text: str) -> None:
    assert turns.summary_answer(text).kind == turns.REFUSE


@pytest.mark.parametrize("text, kind, content", [
    ("Bổ sung nội dung: có 3 quán nước dựng mái che", turns.ADD, "có 3 quán nước dựng mái che"),
    ("bo sung: ho de ca xe may", turns.ADD, "ho de ca xe may"),
    ("thêm: tối nào cũng vậy", turns.ADD, "tối nào cũng vậy"),
    ("Sửa nội dung: quán bày 10 bộ bàn ghế kín vỉa hè", turns.REPLACE, "quán bày 10 bộ bàn ghế kín vỉa hè"),
    ("sửa nội dung", turns.REPLACE, ""),
    ("sai địa chỉ", turns.FIX_PLACE, ""),
])
def test_commands_at_the_summary(text: str, kind: str, content: str) -> None:
    answer = turns.summary_answer(text)
    assert (answer.kind, answer.text) == (kind, content)


@pytest.mark.parametrize("text", [
    "gửi cho phường Kim Liên xử lý nhanh giúp", "quán còn để cả xe máy", "hôm qua mình thấy họ thêm mái tôn",
])
def test_messages_with_more_than_a_yes_are_not_a_yes(text: str) -> None:
    assert turns.summary_answer(text).kind != turns.YES


@pytest.mark.parametrize("text", [
    "Tôi muốn phản ánh tình trạng lấn chiếm vỉa hè", "toi muon phan anh xay dung khong phep",
    "số 12 phố Huế, phường Hai Bà Trưng", "à nhầm, ở phường Kim Liên cơ", "phản ánh trật tự xây dựng ạ",
])
def test_openers_and_addresses_are_not_details(text: str) -> None:
    assert not turns.is_detail(text)


@pytest.mark.parametrize("text", [
    "họ bày hàng tràn ra cả lòng đường", "tối nào cũng vậy, từ 6h đến 11h đêm", "nhà số 5 xây thêm 2 tầng",
    "quan cafe bay ban ghe kin via he", "toi nao cung bay ra",
])
def test_details_are_recognised_with_or_without_diacritics(text: str) -> None:
    assert turns.is_detail(text)


@pytest.mark.parametrize("text, expected", [
    ("à không, là xây dựng không phép", "construction"),
    ("nham, la lan chiem via he", "sidewalk"),
    ("ko phai xay dung ma la lan chiem via he", "sidewalk"),
    ("quán lấn chiếm vỉa hè không phép", None),
])
def test_category_corrections(text: str, expected: str | None) -> None:
    assert turns.corrected_category(text) == expected


@pytest.mark.parametrize("text", ["em không biết phường mới là phường nào", "ko ro", "chịu, không nhớ"])
def test_dont_know(text: str) -> None:
    assert turns.says_dont_know(text)


def test_the_record_grows_in_order_without_repeats_and_is_clipped() -> None:
    record = turns.joined(None, "Quán bày bàn ghế", 100)
    record = turns.joined(record, "tối nào cũng vậy", 100)
    assert record == "Quán bày bàn ghế. tối nào cũng vậy"
    assert turns.joined(record, "tối nào cũng vậy", 100) == record
    assert len(turns.joined(record, "x" * 200, 100)) == 100

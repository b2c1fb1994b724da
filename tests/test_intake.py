"""Pure report-intake rules."""
import pytest

from bot.intake import says_still_there


@pytest.mark.parametrize("text", ["vẫn còn vi phạm", "quan do van bay ban ghe nhu cu", "VẪN CHƯA XỬ LÝ GÌ CẢ",
                                  "tôi chưa hài lòng", "lai tai dien roi ad oi"])
def test_still_there_is_recognised_with_or_without_diacritics(text: str) -> None:
    assert says_still_there(text)


@pytest.mark.parametrize("text", ["quán cà phê bày bàn ghế ra vỉa hè", "cảm ơn, đã xử lý xong rồi", "vẫn ổn"])
def test_other_messages_are_not_still_there(text: str) -> None:
    assert not says_still_there(text)

"""Pure report-intake rules."""
import pytest

from bot.intake import category_from_text


@pytest.mark.parametrize("text, expected", [
    ("quán bày bàn ghế chiếm vỉa hè", "sidewalk"),
    ("nha so 5 xay them 2 tang khong phep", "construction"),
    ("sự việc xảy ra ở vỉa hè trước nhà", "sidewalk"),  # "xảy ra" is not "xây"
    ("không phải xây dựng, là quán lấn chiếm vỉa hè", "sidewalk"),  # a category ruled out does not count
    ("khong phai lan chiem via he ma la xay dung khong phep", "construction"),
    ("đèn đường hỏng", None),
    ("quán xây mái che lấn ra vỉa hè", None),  # both named: the intent decides
])
def test_category_from_whole_words(text: str, expected: str | None) -> None:
    assert category_from_text(text) == expected


def test_words_inside_other_words_name_no_category() -> None:
    assert category_from_text("chúng tôi thấy bảng xaylong mới") is None

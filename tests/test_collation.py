"""Vietnamese alphabetical order (bot.collation)."""
from __future__ import annotations

import random
import unicodedata

import pytest

from bot.collation import sort_key, sorted_names


def before(a: str, b: str) -> bool:
    return sort_key(a) < sort_key(b)


@pytest.mark.parametrize(("first", "second"), [
    ("Dịch Vọng", "Đống Đa"),  # d < đ, whatever follows
    ("Dương Nội", "Đại Mỗ"),
    ("Ngọc Hà", "Ô Chợ Dừa"),  # n < o < ô < ơ < p
    ("Ô Chợ Dừa", "Phú Thượng"),
    ("Ông Đình", "Ơn Thượng"),
    ("Am Đông", "Ăn Tây"),  # a < ă < â < b
    ("Ăn Tây", "Ân Thi"),
    ("Âu Cơ", "Ba Đình"),
    ("Uông Bí", "Ưng Hòa"),  # u < ư < v
    ("Ưng Hòa", "Vĩnh Tuy"),
    ("Yên Sở", "Yên Xá"),  # y last
    ("Ba Vì", "Bạch Mai"),  # word by word: "Ba" ends before "Bạch"
    ("Hà Đông", "Hai Bà Trưng"),  # letters first: "ha" < "hai"
    ("Chương Mỹ", "Cửa Nam"),  # h < ư
    ("Phường 2", "Phường An Khánh"),  # digits before letters
    ("Tây Hồ", "Tây Mỗ"),
])
def test_alphabet_order(first: str, second: str) -> None:
    assert before(first, second)
    assert not before(second, first)


def test_tone_marks_only_break_ties_in_dictionary_order() -> None:
    # unmarked, huyền, hỏi, ngã, sắc, nặng
    assert sorted_names(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # the letters decide first: "bạc" (b-a-c) before "ban" whatever the tones
    assert before("bạc", "ban")
    assert before("Đa Phúc", "Đà Phúc") and before("Đà Phúc", "Đá Phúc")
    assert before("Đà Nẵng", "Đa Phúc")  # n < p: the tone of "Đà" does not count


def test_case_and_unicode_form_do_not_change_the_letters() -> None:
    decomposed = unicodedata.normalize("NFD", "Đống Đa")
    assert sort_key(decomposed)[:2] == sort_key("Đống Đa")[:2]
    assert sort_key("đống đa")[:2] == sort_key("Đống Đa")[:2]
    assert before("đống đa", "Đống Đa")  # lower case first when nothing else differs (as ICU)


def test_hanoi_ward_list() -> None:
    names = ["Phường Đống Đa", "Phường Dịch Vọng", "Phường Ô Chợ Dừa", "Phường Ngọc Hà", "Phường Phú Thượng",
             "Phường Ba Đình", "Phường Bạch Mai", "Phường Cầu Giấy", "Phường Văn Miếu - Quốc Tử Giám",
             "Phường Kim Liên", "Phường Hai Bà Trưng", "Phường Hà Đông", "Xã Ba Vì", "Xã Ứng Hòa", "Xã Ô Diên"]
    expected = ["Phường Ba Đình", "Phường Bạch Mai", "Phường Cầu Giấy", "Phường Dịch Vọng", "Phường Đống Đa",
                "Phường Hà Đông", "Phường Hai Bà Trưng", "Phường Kim Liên", "Phường Ngọc Hà", "Phường Ô Chợ Dừa",
                "Phường Phú Thượng", "Phường Văn Miếu - Quốc Tử Giám", "Xã Ba Vì", "Xã Ô Diên", "Xã Ứng Hòa"]
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    assert sorted_names(shuffled) == expected

"""Report codes: generation, normalisation of typed codes, codes inside sentences."""
from __future__ import annotations

import pytest

from bot.codes import ALPHABET, find_codes, generate_code, normalize_code


def test_alphabet_has_no_look_alikes() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("0O1I") & set(ALPHABET)


def test_generated_codes_have_the_right_shape_and_round_trip() -> None:
    codes = {generate_code() for _ in range(2000)}
    assert len(codes) > 1990
    for code in codes:
        assert code.startswith("PA-") and len(code) == 9
        assert set(code[3:]) <= set(ALPHABET)
        assert normalize_code(code) == code
        assert normalize_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize(
    "typed",
    ["PA-7K2Q9X", "pa7k2q9x", "PA 7K2Q9X", "pa-7k2q9x", " Pa_7k2q9x ", "7k2q9x", "7K2 Q9X",
     "PA–7K2Q9X", "ＰＡ－７Ｋ２Ｑ９Ｘ", "pa:7k2q9x", "#PA7K2Q9X"],
)
def test_normalize_code_accepts_messy_input(typed: str) -> None:
    assert normalize_code(typed) == "PA-7K2Q9X"


@pytest.mark.parametrize(
    "typed",
    ["", "PA-", "PA-7K2Q9", "PA-7K2Q9XX", "PA-7K2Q90", "PA-7K2Q9O", "PA-1K2Q9X", "PA-IK2Q9X",
     "mã của tôi là PA-7K2Q9X", "QB-7K2Q9X"],
)
def test_normalize_code_rejects_non_codes(typed: str) -> None:
    assert normalize_code(typed) is None


@pytest.mark.parametrize(
    ("sentence", "codes"),
    [
        ("cho mình hỏi pa-7k2q9x xử lý chưa", ["PA-7K2Q9X"]),
        ("Mã PA 7K2Q9X và PA-3MN4PQ, lại PA7K2Q9X.", ["PA-7K2Q9X", "PA-3MN4PQ"]),
        ("mã:PA-7K2Q9X!", ["PA-7K2Q9X"]),
        ("phản ánh PA-7K2Q9XY sai", []),
        ("XPA7K2Q9X", []),
        ("quán ăn lấn chiếm vỉa hè", []),
        ("7K2Q9X", []),  # without the prefix a 6-letter token is too likely a word
        ("PA-7K2Q0X", []),
    ],
)
def test_find_codes(sentence: str, codes: list[str]) -> None:
    assert find_codes(sentence) == codes

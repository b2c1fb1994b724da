import unicodedata

import pytest

from bot.zalo.textsplit import split_text

LIMIT = 2000
VI_SENTENCE = "Người dân phản ánh đèn chiếu sáng trên đường Nguyễn Trãi bị hỏng nhiều ngày. "


def words(text: str) -> list[str]:
    return text.split()


def test_short_text_is_one_piece() -> None:
    assert split_text("  Xin chào!  ", LIMIT) == ["Xin chào!"]
    assert split_text("   ", LIMIT) == []


def test_exactly_the_limit_is_one_piece() -> None:
    text = "a" * LIMIT
    assert split_text(text, LIMIT) == [text]
    assert [len(p) for p in split_text("a" * (LIMIT + 1), LIMIT)] == [LIMIT, 1]


def test_splits_at_sentence_boundaries() -> None:
    text = VI_SENTENCE * 60  # ~4700 characters
    pieces = split_text(text, LIMIT)
    assert len(pieces) == 3
    assert all(len(p) <= LIMIT and p.endswith(".") for p in pieces)
    assert words(" ".join(pieces)) == words(text)


@pytest.mark.parametrize("end", ["!", "?", "…", "\n", '."'])
def test_other_sentence_ends(end: str) -> None:
    first = "x " * 600 + "cuối câu" + end
    text = first + " " + "y " * 600
    assert split_text(text, 1500)[0] == first.strip()


def test_prefers_sentence_end_over_later_space_and_ignores_decimals() -> None:
    text = "Mức nước 3.5 mét. " + "mưa " * 500
    pieces = split_text(text, 100)
    assert pieces[0] == "Mức nước 3.5 mét."


def test_never_cuts_inside_a_word_without_boundaries() -> None:
    text = " ".join(f"từ{i}" for i in range(1500))
    pieces = split_text(text, LIMIT)
    assert len(pieces) > 1 and all(len(p) <= LIMIT for p in pieces)
    assert words(" ".join(pieces)) == words(text)


def test_a_word_longer_than_the_limit_is_cut() -> None:
    pieces = split_text("Link: " + "x" * 4500 + " hết.", LIMIT)
    assert pieces == ["Link:", "x" * 2000, "x" * 2000, "x" * 500 + " hết."]


def test_combining_marks_stay_with_their_letter() -> None:
    decomposed = unicodedata.normalize("NFD", "ệ") * 5  # 3 code points each
    pieces = split_text(decomposed, 7)
    assert all(not unicodedata.combining(p[0]) for p in pieces)
    assert "".join(pieces) == decomposed

from bot.text import canonical, fold, has_diacritics, normalize, normalize_tone_marks, tokens


def test_tone_marks_follow_one_style() -> None:
    assert normalize_tone_marks("hoà bình, Thuỷ Khuê, khoẻ") == "hòa bình, Thủy Khuê, khỏe"
    assert normalize_tone_marks("HOÀ") == "HÒA"


def test_tone_marks_are_left_alone_where_both_styles_agree() -> None:
    for word in ("quý", "quà", "hoàng", "thuyết", "Hòa", "qua"):
        assert normalize_tone_marks(word) == word


def test_normalize_composes_unicode_and_cleans_whitespace() -> None:
    decomposed = "Đo\u0302\u0301ng  Đa\u200b\t\n\n phường"
    assert normalize(decomposed) == "Đống Đa\nphường"


def test_fold_is_length_preserving_and_drops_diacritics() -> None:
    text = "Phường Văn Miếu - Quốc Tử Giám"
    assert fold(text) == "phuong van mieu - quoc tu giam"
    assert len(fold(text)) == len(text)
    assert not has_diacritics("via he") and has_diacritics("vỉa hè")


def test_canonical_expands_chat_and_address_abbreviations() -> None:
    assert canonical("P.Kim Liên q. Đống đa ko dc") == "phuong kim lien quan dong da khong duoc"


def test_tokens_keep_offsets_into_the_original_text() -> None:
    text = "Lấn chiếm ở phường Hoà Bình"
    for token in tokens(text):
        assert fold(text[token.start:token.end]) == token.folded

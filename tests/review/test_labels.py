"""Labelling inbox messages into Rasa training data, and discarding them."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import RASA_YAML, UNK, guess_format, load_data

from bot.review.labels import DISCARDED, REVIEWED, discard, discarded_keys, label, mask_phones, review_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    """A copy of the project's NLU training data."""
    path = tmp_path / "nlu"
    shutil.copytree(ROOT / "data" / "nlu", path)
    assert not (path / REVIEWED).exists() and not (path / DISCARDED).exists()
    return path


def span(text: str, part: str, entity: str) -> tuple[int, int, str]:
    start = text.index(part)
    return start, start + len(part), entity


def examples(path: Path) -> list[tuple[str, str, list[tuple[int, int, str, str]]]]:
    """What Rasa reads from the file: text, intent, entities (start, end, entity, value)."""
    data = load_data(str(path), language="vi")
    return [(m.get("text"), m.get("intent"), [(e["start"], e["end"], e["entity"], e["value"])
                                               for e in m.get("entities") or []])
            for m in data.intent_examples]


def test_labels_are_valid_rasa_yaml_with_entities(nlu_dir: Path) -> None:
    text = "quán nước lấn hết vỉa hè  ở phố Huế\ngần chợ Hôm [gấp]"
    result = label(text, "report_sidewalk", [span(text, " phố Huế", "street"), span(text, "chợ Hôm", "landmark")],
                   nlu_dir=nlu_dir)
    assert result.added and result.example == \
        "quán nước lấn hết vỉa hè ở [phố Huế](street) gần [chợ Hôm](landmark) (gấp)"  # span trimmed
    label("đèn đường tắt cả tuần nay", "report_other", nlu_dir=nlu_dir)
    bracketed = "ở [p. Kim Liên] ấy"  # square brackets would be read as markup: they become round
    assert label(bracketed, "inform", [span(bracketed, "p. Kim Liên", "ward")], nlu_dir=nlu_dir).example == \
        "ở ([p. Kim Liên](ward)) ấy"
    path = nlu_dir / REVIEWED
    assert guess_format(str(path)) == RASA_YAML
    assert examples(path) == [
        ("quán nước lấn hết vỉa hè ở phố Huế gần chợ Hôm (gấp)", "report_sidewalk",
         [(27, 34, "street", "phố Huế"), (39, 46, "landmark", "chợ Hôm")]),
        ("đèn đường tắt cả tuần nay", "report_other", []),
        ("ở (p. Kim Liên) ấy", "inform", [(3, 14, "ward", "p. Kim Liên")]),
    ]
    assert path.read_text(encoding="utf-8").count("- intent:") == 3
    assert [p.name for p in nlu_dir.iterdir() if p.name.endswith(".tmp")] == []  # written atomically
    all_data = load_data(str(ROOT / "data" / "nlu" / "inform.yml"), "vi").merge(load_data(str(path), "vi"))
    assert len(all_data.intent_examples) > 3  # merges with the project's data


def test_the_same_message_is_stored_once(nlu_dir: Path) -> None:
    assert label("cột điện trước nhà nghiêng", "report_other", nlu_dir=nlu_dir).added
    again = label("Cot dien truoc nha  nghieng!", "report_sidewalk", nlu_dir=nlu_dir)
    assert not again.added and again.intent == "report_other"
    assert label("cột điện trước nhà nghiêng", "report_other", nlu_dir=nlu_dir).added is False
    assert examples(nlu_dir / REVIEWED) == [("cột điện trước nhà nghiêng", "report_other", [])]


def test_existing_training_data_is_not_duplicated(nlu_dir: Path) -> None:
    existing = label("phan anh cua toi toi dau roi", "check_status", nlu_dir=nlu_dir)
    assert not existing.added and existing.intent == "check_status"
    marked_up = label("ở phường Kim Liên", "inform", [(2, 17, "ward")], nlu_dir=nlu_dir)  # "ở [phường Kim Liên](ward)"
    assert not marked_up.added
    assert not label("0987654321", "inform", nlu_dir=nlu_dir).added  # "0912345678" once both are masked
    assert not (nlu_dir / REVIEWED).exists()


def test_phone_numbers_are_masked(nlu_dir: Path) -> None:
    assert mask_phones("0912 345 678, +84 912.345.678 hoặc 84912345678") == \
        "0900 000 000, +84 900.000.000 hoặc 84900000000"
    assert mask_phones("mã 12345, năm 2025, 091234") == "mã 12345, năm 2025, 091234"  # not phone numbers
    text = "sđt em là 0912 345 678 ở nhà số 5"
    result = label(text, "inform", [span(text, "số 5", "house_number")], nlu_dir=nlu_dir)
    assert result.example == "sđt em là 0900 000 000 ở nhà [số 5](house_number)"
    written = (nlu_dir / REVIEWED).read_text(encoding="utf-8")
    assert "345" not in written and "678" not in written
    assert review_key("sđt em là 0977 888 999 ở nhà số 5") == review_key(result.example)


def test_unknown_intents_and_bad_entities_are_refused(nlu_dir: Path) -> None:
    for intent in ("report_noise", "nlu_fallback", ""):
        with pytest.raises(ValueError, match="Ý định"):
            label("tiếng karaoke to quá", intent, nlu_dir=nlu_dir)
    for entities, error in (([(0, 4, "colour")], "Loại đánh dấu"), ([(0, 99, "street")], "ngoài tin nhắn"),
                            ([(1, 4, "street")], "cắt đôi"), ([(0, 13, "street"), (6, 16, "ward")], "chồng lên")):
        with pytest.raises(ValueError, match=error):
            label("tiếng karaoke to quá", "report_other", entities, nlu_dir=nlu_dir)
    with pytest.raises(ValueError):
        label("  \n ", "inform", nlu_dir=nlu_dir)
    assert not (nlu_dir / REVIEWED).exists()


def test_discard(nlu_dir: Path) -> None:
    discard("gọi cho tôi số 0912345678 nhé", nlu_dir=nlu_dir)
    discard("Gọi cho tôi số 0987654321 nhé!", nlu_dir=nlu_dir)  # the same message, another number
    discard("alo alo", nlu_dir=nlu_dir)
    path = nlu_dir / DISCARDED
    assert discarded_keys(nlu_dir) == {"goi cho toi so 0900000000 nhe", "alo alo"}
    assert "345" not in path.read_text(encoding="utf-8")  # no personal data kept
    assert json.loads(path.read_text(encoding="utf-8"))["discarded"] == ["alo alo", "goi cho toi so 0900000000 nhe"]
    assert guess_format(str(path)) == UNK  # Rasa's loaders skip it; `data/nlu/*.yml` globs don't see it


def test_rasa_loads_the_directory_as_training_does(nlu_dir: Path) -> None:
    from rasa.shared.importers.rasa import RasaFileImporter

    label("đèn đường tắt cả tuần nay", "report_other", nlu_dir=nlu_dir)
    discard("hôm nay trời đẹp nhỉ", nlu_dir=nlu_dir)
    data = RasaFileImporter(training_data_paths=[str(nlu_dir)]).get_nlu_data("vi")
    texts = {m.get("text"): m.get("intent") for m in data.intent_examples}
    assert texts["đèn đường tắt cả tuần nay"] == "report_other" and "hôm nay trời đẹp nhỉ" not in texts


def test_concurrent_labels_are_all_kept(nlu_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"phản ánh thử nghiệm số {n} ở ngõ {n * 7}" for n in range(12)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda t: label(t, "report_other", nlu_dir=nlu_dir), texts))
    assert sorted(text for text, _, _ in examples(nlu_dir / REVIEWED)) == sorted(texts)

import unicodedata

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalizer import VietnameseNormalizer
from bot.nlu.tokenizer import VietnameseTokenizer


def _normalizer() -> VietnameseNormalizer:
    return VietnameseNormalizer.create({}, None, None, None)  # type: ignore[arg-type]


def test_messages_are_composed_and_tone_marks_unified_before_tokenisation() -> None:
    decomposed = unicodedata.normalize("NFD", "Vỉa hè   phường Thuỵ Khuê “lấn chiếm”\u200b")
    [message] = _normalizer().process([Message({TEXT: decomposed})])
    assert message.get(TEXT) == 'Vỉa hè phường Thụy Khuê "lấn chiếm"'


def test_training_examples_keep_their_entity_offsets() -> None:
    text = "xây sai phép ở phường Thuỵ Khuê – gần hồ"
    start = text.index("phường")
    entity = {"start": start, "end": start + len("phường Thuỵ Khuê"), "value": "phường Thuỵ Khuê", "entity": "ward"}
    message = Message({TEXT: text, ENTITIES: [entity], "intent": "report_construction"})
    _normalizer().process_training_data(TrainingData([message]))
    normalized = message.get(TEXT)
    assert normalized == "xây sai phép ở phường Thụy Khuê - gần hồ"
    assert normalized[entity["start"]:entity["end"]] == "phường Thụy Khuê"


def test_with_and_without_diacritics_the_tokenizer_sees_the_same_words() -> None:
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    seen = []
    for text in ("Nhà bên cạnh xây ko phép ở P. Hoà Bình", "nha ben canh xay khong phep o phuong hoa binh"):
        [message] = _normalizer().process([Message({TEXT: text})])
        seen.append([t.text for t in tokenizer.tokenize(message, TEXT)])
    assert seen[0] == seen[1]


def test_delexicalised_lemmas_hide_place_names_and_house_numbers_but_keep_words() -> None:
    tokenizer = VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), "delexicalise_places": True})
    lemmas = []
    for text in ("Nhà số 15 ngõ 178 Thái Hà xây sai phép", "nha so 5/12 ngo 2 Tran Duy Hung xay sai phep"):
        [message] = _normalizer().process([Message({TEXT: text})])
        tokens = tokenizer.tokenize(message, TEXT)
        lemmas.append([t.lemma for t in tokens])
        assert "ha" in [t.text for t in tokens] or "hung" in [t.text for t in tokens]  # text keeps the name
    assert lemmas[0] == ["nha", "so", "chuso", "ngo", "chuso", "diadanh", "diadanh", "xay", "sai", "phep"]
    assert lemmas[1] == ["nha", "so", "chuso", "ngo", "chuso", "diadanh", "diadanh", "diadanh", "xay", "sai", "phep"]


def test_a_report_code_is_not_a_house_number() -> None:
    tokenizer = VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), "delexicalise_places": True})
    [message] = _normalizer().process([Message({TEXT: "ma pa 3m8hxr sao roi"})])
    assert [t.lemma for t in tokenizer.tokenize(message, TEXT)] == ["ma", "pa", "3m8hxr", "sao", "roi"]


def test_a_token_glued_to_a_place_by_punctuation_is_delexicalised_too() -> None:
    tokenizer = VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), "delexicalise_places": True})
    tokens = tokenizer.tokenize(Message({TEXT: "vỉa hè phố Huế,Thái Hà bị chiếm"}), TEXT)
    assert [(t.text, t.lemma) for t in tokens][3:5] == [("hue,thai", "diadanh"), ("ha", "diadanh")]


def test_text_that_is_not_nfc_keeps_its_place_words_rather_than_misplaced_placeholders() -> None:
    # a training example with entities is left unnormalised; the resolver's NFC offsets would
    # then fall on the wrong tokens ("5" instead of "Thái Hà")
    tokenizer = VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), "delexicalise_places": True})
    text = unicodedata.normalize("NFD", "Nhà ở ngõ 5 Thái Hà xây sai phép")
    lemmas = [t.lemma for t in tokenizer.tokenize(Message({TEXT: text}), TEXT)]
    assert lemmas == ["nha", "o", "ngo", "chuso", "thai", "ha", "xay", "sai", "phep"]

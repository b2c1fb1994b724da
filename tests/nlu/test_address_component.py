"""The address parser as a Rasa component: the decision travels with the message."""
from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.address import ADDRESS, EXTRACTOR, NAME_SPANS, AddressParser
from bot.nlu.tokenizer import PLACE, VietnameseTokenizer


def test_one_parse_gives_the_ward_the_parts_the_entities_and_the_spans() -> None:
    text = "Quán bia số 25 ngõ 120 phố Hàng Bông, phường Hàng Gai, quận Hoàn Kiếm lấn vỉa hè"
    [message] = AddressParser().process([Message({TEXT: text})])
    address = message.get(ADDRESS)
    assert (address["status"], address["ward_code"]) == ("resolved", "00070")
    assert address["address"]["house_number"] == "25" and address["address"]["alley"] == "120"
    assert ADDRESS in message.as_dict(only_output_properties=True)  # it reaches the tracker and the actions
    entities = {(e["entity"], e["value"]) for e in message.get(ENTITIES) if e["extractor"] == EXTRACTOR}
    assert entities == {("house_number", "số 25"), ("house_number", "ngõ 120"), ("street", "phố Hàng Bông"),
                        ("ward", "phường Hàng Gai"), ("district", "quận Hoàn Kiếm")}
    for entity in message.get(ENTITIES):
        assert text[entity["start"]:entity["end"]] == entity["value"]
    tokenizer = VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), "delexicalise_places": True})
    lemmas = {t.text: t.lemma for t in tokenizer.tokenize(message, TEXT)}
    assert message.get(NAME_SPANS) and lemmas["bong"] == PLACE and lemmas["lan"] == "lan"


def test_a_payload_is_not_parsed() -> None:
    [message] = AddressParser().process([Message({TEXT: '/inform{"ward_code": "00226"}'})])
    assert message.get(ADDRESS) == {} and not message.get(ENTITIES)

"""The address parser as a Rasa component: one parse per message, for everyone after it.

It runs right after the normaliser. For every message it
- parses the address (`bot.address.parser`) and decides the ward (`bot.resolver`), and puts
  the result on the message as `address` (kept in the parse data, so the tracker, the actions
  and the NLU inbox see it: the actions never parse again);
- adds `ward`, `district`, `street`, `house_number` and `landmark` entities with their
  offsets in the (normalised) text;
- gives the tokenizer the place names' spans, so that it can delexicalise them without
  parsing again.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.address.parser import Parse, parse
from bot.intake import is_payload
from bot.resolver import resolve_parse

ADDRESS = "address"  # the message attribute, and the key in the parse data
NAME_SPANS = "address_name_spans"  # for the tokenizer (not part of the output)
EXTRACTOR = "AddressParser"
_UNIT_ENTITY = {"ward": "ward", "district": "district"}


def entities_of(p: Parse) -> List[Dict[str, Any]]:
    """Entities as the training data marks them: with their marker when one was typed
    ("phường Kim Liên", "số 5", "ngõ 12", "phố Huế"); an alley counts as a house number."""
    found: List[tuple] = []
    for part, span in (("house_number", p.house_number), ("alley", p.alleys[0] if p.alleys else None),
                       ("street", p.street), ("landmark", p.landmark)):
        if span is not None:
            start = p.marked_from.get(part, span.start)
            found.append(("house_number" if part == "alley" else part, start, max(a.end for a in p.alleys) if part == "alley" else span.end))
    for unit in p.units:
        entity = _UNIT_ENTITY.get(unit.level) or ("district" if unit.of("district") else "ward" if unit.of("ward", "old_ward") else None)
        if entity and unit.refs and not unit.number:
            found.append((entity, unit.start, unit.name.end))
    return [{"entity": name, "start": start, "end": end, "value": p.text[start:end], "extractor": EXTRACTOR,
             "confidence_entity": 1.0} for name, start, end in sorted(found, key=lambda item: item[1])]


def analyse(text: str) -> tuple[Dict[str, Any], List[Dict[str, Any]], list]:
    """(the address for the parse data, the entities, the place names' spans)."""
    if not text or is_payload(text):
        return {}, [], []
    parsed = parse(text)
    resolution = resolve_parse(parsed)
    return resolution.to_dict(), entities_of(parsed), parsed.name_spans()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class AddressParser(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AddressParser":
        parse("phường Kim Liên")  # build the matchers when the model loads, not on the first citizen
        return cls()

    @property
    def name(self) -> str:  # the extractor named in entities and in `rasa test` reports
        return EXTRACTOR

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._annotate(message, with_entities=False)  # the examples' own entities are the truth
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._annotate(message, with_entities=True)
        return messages

    @staticmethod
    def _annotate(message: Message, with_entities: bool) -> None:
        text: Optional[str] = message.get(TEXT)
        address, entities, spans = analyse(text or "")
        message.set(NAME_SPANS, spans)
        if with_entities:
            message.set(ADDRESS, address, add_to_output=True)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)

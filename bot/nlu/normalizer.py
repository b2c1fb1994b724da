"""A Rasa pipeline component that normalises Vietnamese text before tokenisation.

It applies `bot.text` — the same normalisation the place resolver uses — to every message:
Unicode NFC, one tone-mark style ("hoà" → "hòa"), plain punctuation, no control characters.
Token-level work (folding diacritics, expanding "ko"/"p."/"q.") is the tokenizer's.

Training examples are normalised only with one-for-one substitutions, so their entity
offsets stay valid; messages at prediction time have no offsets and are cleaned fully.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import normalize, normalize_in_place

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class VietnameseNormalizer(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VietnameseNormalizer":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            _normalize_training_example(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                message.set(TEXT, normalize(text))
        return messages


def _normalize_training_example(message: Message) -> None:
    text = message.get(TEXT)
    if not text:
        return
    normalized = normalize_in_place(text)
    if len(normalized) != len(text) and message.get(ENTITIES):
        logger.warning("Not normalising %r: it is not NFC, and its entity offsets would move.", text)
        return
    message.set(TEXT, normalized)

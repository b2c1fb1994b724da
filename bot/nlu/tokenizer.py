"""A whitespace tokenizer whose tokens carry normalised Vietnamese text.

Token offsets stay those of the original message (so entity annotations and the text Rasa
returns are untouched), while `token.text` — what the featurizers see — is folded (no
diacritics, lower case) with chat abbreviations expanded. Text typed with and without
diacritics therefore produces the same features.
"""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.text import expand_token, fold, normalize_tone_marks
from bot import rasa_patches  # noqa: F401  (polite answer when the action server is down)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        for token in tokens:
            token.text = expand_token(fold(normalize_tone_marks(token.text)))
            token.lemma = token.text
        return tokens

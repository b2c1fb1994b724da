"""A whitespace tokenizer whose tokens carry normalised Vietnamese text.

Token offsets stay those of the original message (so entity annotations and the text Rasa
returns are untouched), while `token.text` — what the featurizers see — is folded (no
diacritics, lower case) with chat abbreviations expanded. Text typed with and without
diacritics therefore produces the same features.

With `delexicalise_places`, `token.lemma` of a place name found by the address parser
("Thái Hà", "Cau Giay") and of a number ("178", "5/12") is a placeholder. A featurizer with
`use_lemma: true` (CountVectorsFeaturizer's default) then sees "ngo chuso diadanh" for every
alley of every street, so the intent does not hang on which street a training example
happened to name; give the character n-gram featurizer `use_lemma: false` so that it still
sees the folded name.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.address.parser import parse
from bot.nlu.address import NAME_SPANS
from bot.text import expand_token, fold, nfc, normalize_tone_marks

PLACE, NUMBER = "diadanh", "chuso"
_NUMBER = re.compile(r"^\d+([/.,-]\d+)*[a-z]?$")  # "12", "5/12", "24b"; not "3m8hxr" (a report code)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "delexicalise_places": False}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        for token in tokens:
            token.text = expand_token(fold(normalize_tone_marks(token.text)))
            token.lemma = token.text
        if self._config.get("delexicalise_places"):
            _delexicalise(tokens, message.get(TEXT) or "", message.get(NAME_SPANS))
        return tokens


def _delexicalise(tokens: List[Token], text: str, spans: List[Tuple[int, int]] | None = None) -> None:
    """`spans`: the place names the address parser found (bot.nlu.address, earlier in the
    pipeline); parsed here only when that component is not in the pipeline."""
    if nfc(text) != text or len(text.lower()) != len(text):
        spans = []  # the parser's offsets are in NFC text: they would not line up
    elif spans is None:
        spans = parse(text).name_spans()
    for token in tokens:
        if any(token.start < end and start < token.end for start, end in spans):  # "Huế,Thái" too
            token.lemma = PLACE
        elif _NUMBER.match(token.text):
            token.lemma = NUMBER

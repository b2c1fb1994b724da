"""What the address parser knows: the grammar's words (bot/data/address.yml) and the
gazetteer's names, compiled once into spaCy matchers.

spaCy is used without a language model and without its tokenizer: a `Doc` is built from our
own tokens (`bot.address.tokens`), each token's NORM being its folded form. A `Matcher`
finds the grammar's markers ("số nhà", "ngõ", "p.", "quận"…) and numbers; a `PhraseMatcher`
over NORM finds every gazetteer name on whole tokens only, so two ordinary words whose
letters, joined, would spell a place never do. Typed diacritics are checked afterwards
("quán" is not "quận", "có loa" is not "Cổ Loa").
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Sequence, Tuple

import yaml
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
import spacy

from bot.address.tokens import NUMBER, Tok
from bot.gazetteer import Gazetteer, PlaceRef, get_gazetteer, load_places_extra
from bot.text import DATA_DIR, fold, iter_words, normalize

# Abbreviations of markers typed as one token; the accented forms come from address.yml.
MARKER_KINDS = ("house", "alley", "street", "area", "landmark", "brand", "ward", "district", "province")
UNIT_KINDS = ("ward", "district", "province")


@dataclass(frozen=True)
class Marker:
    kind: str
    canonical: str  # folded full form: "phuong", "thi tran", "so nha"
    length: int  # tokens


def _forms(word: str) -> FrozenSet[str]:
    """What a typed token may be for a grammar word: its accented lower form or its folding."""
    lower = normalize(word).lower()
    return frozenset({lower, fold(lower)})


@lru_cache(maxsize=1)
def grammar() -> dict:
    return yaml.safe_load((DATA_DIR / "address.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def word_set(name: str) -> FrozenSet[str]:
    """A list of address.yml as folded words and phrases."""
    return frozenset(" ".join(fold(w) for w in normalize(p).lower().split()) for p in grammar()[name])


@lru_cache(maxsize=1)
def not_name_words() -> FrozenSet[str]:
    return frozenset(normalize(w).lower() for w in grammar()["not_name_words"])


@lru_cache(maxsize=1)
def not_name_start() -> FrozenSet[str]:
    return frozenset(normalize(w).lower() for w in grammar()["not_name_start"])


@lru_cache(maxsize=1)
def name_syllables() -> FrozenSet[str]:
    """Folded syllables that occur in at least two of Hanoi's unit and street names."""
    from collections import Counter

    g = get_gazetteer()
    names = {r.accented for refs in g.phrases.values() for r in refs if r.accented}
    counts = Counter(fold(w.lower()) for name in names for w in iter_words(name))
    return frozenset(s for s, n in counts.items() if n >= 2)


# Syllables of people's names that streets carry ("Nhà Chung", "Kẻ Vẽ", "Hoàng Tăng Bí",
# "Nghĩa Dũng") and that, typed without diacritics, look like everyday words.
_GIVEN_NAME_SYLLABLES = frozenset({"chung", "ve", "tang", "dung", "nha", "thap", "sang", "day", "toan", "bao",
                                   "the", "cung", "dau", "danh", "ban", "mong", "nhu", "tuan", "uong"})


@lru_cache(maxsize=1)
def folded_stops() -> FrozenSet[str]:
    """`not_name_words` typed without diacritics: those that no common place name shares."""
    return frozenset(fold(w) for w in not_name_words()) - name_syllables() - _GIVEN_NAME_SYLLABLES


@lru_cache(maxsize=1)
def folded_start_stops() -> FrozenSet[str]:
    return frozenset(fold(w) for w in not_name_start()) - name_syllables() | {"co", "bi", "va", "cua", "nhung", "khong"}


def phrase_forms(phrase: str) -> List[FrozenSet[str]]:
    return [_forms(w) for w in normalize(phrase).lower().split()]


class Lexicon:
    """spaCy matchers over one vocabulary, and the gazetteer they index."""

    def __init__(self, g: Gazetteer) -> None:
        self.g = g
        self.vocab = spacy.blank("xx").vocab  # lexical attributes (LOWER…), no model, no tokenizer of its own
        self.markers = Matcher(self.vocab)
        self._marker_info: Dict[str, Marker] = {}
        for kind in MARKER_KINDS:
            for phrase in grammar()["markers"][kind]:
                forms = phrase_forms(phrase)
                key = f"{kind}:{'_'.join(fold(w) for w in normalize(phrase).lower().split())}"
                self._marker_info[key] = Marker(kind, " ".join(fold(w) for w in normalize(phrase).lower().split()),
                                                len(forms))
                self.markers.add(key, [[{"LOWER": {"IN": sorted(f)}} for f in forms]])
        self.numbers = Matcher(self.vocab)
        self.numbers.add("NUMBER", [[{"LOWER": {"REGEX": NUMBER.pattern}}]])
        self.places = PhraseMatcher(self.vocab, attr="NORM")
        self.outside = PhraseMatcher(self.vocab, attr="NORM")
        self.not_places = PhraseMatcher(self.vocab, attr="NORM")
        self._index(g)

    # --- building ----------------------------------------------------------------------
    def pattern(self, syllables: Sequence[str]) -> Doc:
        doc = Doc(self.vocab, words=[s.lower() for s in syllables])
        for token, syllable in zip(doc, syllables):
            token.norm_ = fold(syllable.lower())
        return doc

    def _index(self, g: Gazetteer) -> None:
        names: Dict[Tuple[str, ...], None] = {}
        for refs in g.phrases.values():
            for ref in refs:
                if ref.accented:
                    names[tuple(fold(w.lower()) for w in iter_words(ref.accented))] = None
        names.update((seq, None) for seq in _alias_syllables(g))
        names.update(((short,), None) for short in place_abbreviations(g))
        self.places.add("PLACE", [self.pattern(seq) for seq in names if seq])
        outside = {tuple(fold(w.lower()) for w in iter_words(ref.accented)): None
                   for refs in g.outside_units.values() for ref in refs}
        self.outside.add("OUTSIDE", [self.pattern(seq) for seq in outside if seq])
        for phrase in load_places_extra()["not_places"]:  # the key is the accented phrase, to check typed marks
            self.not_places.add(normalize(phrase).lower(), [self.pattern(normalize(phrase).lower().split())])

    # --- using -------------------------------------------------------------------------
    def doc(self, toks: Sequence[Tok]) -> Doc:
        doc = Doc(self.vocab, words=[t.lower for t in toks] or [" "])
        for token, tok in zip(doc, toks):
            token.norm_ = tok.folded
        return doc

    def marker_matches(self, doc: Doc) -> List[Tuple[int, int, Marker]]:
        return [(start, end, self._marker_info[self.vocab.strings[key]]) for key, start, end in self.markers(doc)]


def _alias_syllables(g: Gazetteer) -> Iterable[Tuple[str, ...]]:
    """Old names that vietnamadminunits keeps only glued ("trungphung"): split into syllables
    when there is exactly one way to split them into syllables of known names."""
    syllables = {fold(w.lower()) for refs in g.phrases.values() for r in refs if r.accented
                 for w in iter_words(r.accented)}
    for key, refs in g.phrases.items():
        if any(not r.accented for r in refs):
            splits = list(itertools.islice(_splits(key, syllables), 2))
            if len(splits) == 1 and len(splits[0]) >= 2:
                yield splits[0]
            yield (key,)  # typed glued, as one token


def _splits(text: str, syllables: set) -> Iterable[Tuple[str, ...]]:
    if not text:
        yield ()
        return
    for end in range(1, min(len(text), 7) + 1):
        head = text[:end]
        if head in syllables:
            for rest in _splits(text[end:], syllables):
                yield (head, *rest)


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    return Lexicon(get_gazetteer())


@lru_cache(maxsize=1)
def _abbreviations_of_places() -> Dict[str, str]:
    from bot.text import abbreviations

    return dict(abbreviations("address"))


def place_abbreviations(g: Gazetteer) -> Dict[str, str]:
    """Short forms people type for places ("hbt", "đđ", "btl"): folded short → folded full."""
    return {short: full for short, full in _abbreviations_of_places().items()
            if " " in full and g.lookup(full.split())}


def refs_for(g: Gazetteer, toks: Sequence[Tok]) -> List[PlaceRef]:
    """The gazetteer's places named by these tokens, keeping only those whose typed
    diacritics agree with the official spelling ("HBT" is Hai Bà Trưng)."""
    if len(toks) == 1 and toks[0].folded in place_abbreviations(g):
        return [r for r in g.lookup(place_abbreviations(g)[toks[0].folded].split()) if r.kind in ("district", "province", "home")]
    refs = g.lookup([t.folded for t in toks])
    return [r for r in refs if accents_agree(toks, r.accented)]


def accents_agree(toks: Sequence[Tok], accented: str) -> bool:
    """Each typed syllable either has no diacritics or is the official one ("Kim Lien",
    "Kim Liên"; not "Kìm Liên"). A name kept glued by the package has no official spelling."""
    if not accented:
        return True
    expected = [w.lower() for w in iter_words(normalize(accented))]
    if len(expected) != len(toks):
        return not any(t.accented for t in toks)
    return all(not t.accented or t.lower == e for t, e in zip(toks, expected))

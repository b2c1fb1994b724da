"""An admin's verdict on an inbox message: a training example, or "don't show this again".

Decisions (see also data/nlu/README.md):
- Labelled examples go to `data/nlu/reviewed.yml`, a normal Rasa NLU file, so `rasa train`
  and `make eval-fallback` use them with no extra step.
- A message is identified by `review_key`: `canonical()` of the text with phone numbers
  masked and entity markup removed. An example whose key is already anywhere in
  `data/nlu/*.yml` is not added again (the README's "no duplicates across files").
- Phone numbers are masked before they reach training data, keeping their shape: the
  prefix ("0" or "+84"/"84" plus one more digit), the separators and the length stay,
  the other digits become 0 — "0912 345 678" → "0900 000 000". The example stays a
  natural phone answer (the intake's phone pattern still matches it) and identifies no one.
- Discarded messages are kept as their keys (folded, phone-masked: no personal data) in
  `data/nlu/review_discarded.json`, next to the training data so they travel with it.
  JSON, not YAML: tools glob `data/nlu/*.yml` and load each file as Rasa NLU data, and
  Rasa's loader ignores a JSON file that is not in one of its formats.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from bot.config import PROJECT_ROOT
from bot.intake import PHONE_NUMBER
from bot.review.nlu_files import locked, read_examples, render, without_markup, write_atomically
from bot.text import canonical

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
DOMAIN = PROJECT_ROOT / "domain.yml"
REVIEWED = "reviewed.yml"
DISCARDED = "review_discarded.json"
NOT_LABELS = {"nlu_fallback"}  # set by the FallbackClassifier, never a training label

_ONE_FOR_ONE = str.maketrans({"[": "(", "]": ")", "\n": " ", "\r": " ", "\t": " "})
_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u2028\u2029]")
_WORD = re.compile(r"\w")

Entity = tuple[int, int, str]  # start, end (offsets in the message text), entity name


@dataclass(frozen=True)
class Labelled:
    example: str  # the line as stored, with entity markup
    intent: str
    added: bool  # False: the same text was already training data (under `intent`)


def mask_phones(text: str) -> str:
    """Phone numbers with all but their prefix digits zeroed; same length, same separators."""
    def mask(match: re.Match[str]) -> str:
        number = match.group(0)
        keep = 2 if number.startswith("0") else 3  # "09…", "+849…" / "849…"
        out, seen = [], 0
        for ch in number:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen <= keep else "0")
            else:
                out.append(ch)
        return "".join(out)
    return PHONE_NUMBER.sub(mask, text)


def review_key(text: str) -> str:
    """What identifies a message in training data, the inbox and the discard list."""
    return canonical(mask_phones(without_markup(text)))


def training_examples(nlu_dir: Path = NLU_DIR) -> dict[str, str]:
    """review_key → intent of every example in `nlu_dir/*.yml`."""
    keys: dict[str, str] = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        for intent, lines in read_examples(path).items():
            for line in lines:
                keys.setdefault(review_key(line), intent)
    return keys


def discarded_keys(nlu_dir: Path = NLU_DIR) -> set[str]:
    try:
        content = json.loads((nlu_dir / DISCARDED).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return set()
    return {str(key) for key in content.get("discarded") or []}


def handled_keys(nlu_dir: Path = NLU_DIR) -> set[str]:
    """Keys the inbox no longer shows: already training data (labelling would change
    nothing) or discarded."""
    return set(training_examples(nlu_dir)) | discarded_keys(nlu_dir)


def known_intents(domain: Path = DOMAIN) -> set[str]:
    return _names(yaml.safe_load(domain.read_text(encoding="utf-8")).get("intents")) - NOT_LABELS


def known_entities(domain: Path = DOMAIN) -> set[str]:
    return _names(yaml.safe_load(domain.read_text(encoding="utf-8")).get("entities"))


def _names(items: Iterable[object] | None) -> set[str]:
    """Domain lists hold names or one-key mappings (`- greet: {use_entities: []}`)."""
    return {str(next(iter(item))) if isinstance(item, dict) else str(item) for item in items or []}


def _clean(text: str) -> str:
    """Safe to write as one example line; one character in, one out, so offsets still hold.
    Square brackets would be read as entity markup, so they become round ones."""
    return _CONTROL.sub(" ", mask_phones(text).translate(_ONE_FOR_ONE))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def with_markup(text: str, entities: Sequence[Entity], allowed: set[str]) -> str:
    """`text` with `[span](entity)` markup, cleaned, on one line with single spaces."""
    spans: list[tuple[int, int, str]] = []
    for start, end, name in sorted(entities):
        if name not in allowed:
            raise ValueError(f"Loại đánh dấu không hợp lệ: {name!r}.")
        if not 0 <= start < end <= len(text):
            raise ValueError("Đoạn đánh dấu nằm ngoài tin nhắn.")
        start, end = _trimmed(text, start, end)
        if start == end:
            raise ValueError(f"Đoạn đánh dấu {name!r} đang trống.")
        if (start > 0 and _WORD.match(text[start - 1])) or (end < len(text) and _WORD.match(text[end])):
            raise ValueError("Đoạn đánh dấu phải gồm trọn từ, không cắt đôi một từ.")  # spans align with tokens
        if spans and start < spans[-1][1]:
            raise ValueError("Các đoạn đánh dấu không được chồng lên nhau.")
        spans.append((start, end, name))
    clean, parts, position = _clean(text), [], 0
    for start, end, name in spans:
        parts += [clean[position:start], f"[{clean[start:end]}]({name})"]
        position = end
    parts.append(clean[position:])
    return " ".join("".join(parts).split())


_ADMIN_MARKUP = re.compile(r"\[([^\[\]]+)\]\(([a-z_]+)\)")
MARKUP_CHANGED_TEXT = "Chỉ được đánh dấu địa danh, không sửa lời người dân."


def parse_markup(example: str, original: str) -> tuple[str, list[Entity]]:
    """An admin's `[Kim Liên](ward)` markup over the citizen's message → (text, entity spans).

    The text without markup must be the citizen's message (same words; ValueError otherwise).
    """
    text, entities, position = [], [], 0
    for match in _ADMIN_MARKUP.finditer(example):
        text.append(example[position:match.start()])
        start = sum(map(len, text))
        text.append(match.group(1))
        entities.append((start, start + len(match.group(1)), match.group(2)))
        position = match.end()
    text.append(example[position:])
    plain = "".join(text)
    if review_key(plain) != review_key(original):
        raise ValueError(MARKUP_CHANGED_TEXT)
    return plain, entities


def label(message_text: str, intent: str, entities: Sequence[Entity] = (), *, nlu_dir: Path = NLU_DIR,
          domain: Path = DOMAIN) -> Labelled:
    """Add the message as an example of `intent` to `nlu_dir/reviewed.yml`, unless its text
    already is training data. Raises ValueError (a Vietnamese message
    for the admin) for an unknown intent or a bad entity span."""
    if intent not in known_intents(domain):
        raise ValueError(f"Ý định không hợp lệ: {intent!r}.")
    example = with_markup(message_text, entities, known_entities(domain))
    if not review_key(example):
        raise ValueError("Tin nhắn trống, không có gì để học.")
    with locked(nlu_dir):
        existing = training_examples(nlu_dir).get(review_key(example))
        if existing is not None:
            return Labelled(example, existing, False)
        path = nlu_dir / REVIEWED
        examples = read_examples(path)
        examples.setdefault(intent, []).append(example)
        write_atomically(path, render(examples))
    return Labelled(example, intent, True)


def discard(*message_texts: str, nlu_dir: Path = NLU_DIR) -> None:
    """Never show these messages (or their look-alikes with the same key) in the inbox again."""
    with locked(nlu_dir):
        keys = discarded_keys(nlu_dir) | {review_key(text) for text in message_texts}
        content = {"comment": "NLU inbox: messages an admin chose not to label (bot/review/labels.py)",
                   "discarded": sorted(keys)}
        write_atomically(nlu_dir / DISCARDED, json.dumps(content, ensure_ascii=False, indent=2) + "\n")

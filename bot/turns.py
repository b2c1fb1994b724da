"""What one message of a report conversation means, besides the answer to the question asked.

Pure functions over the citizen's text (no Rasa, no database): is it a typed confirmation, a
command at the summary ("Bổ sung nội dung: …"), a descriptive detail worth keeping, a category
correction, "I don't know"? The word lists are data (`bot/data/conversation.yml`), matched on
whole tokens of the folded text, so diacritics are never required.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import FrozenSet, List, Optional, Sequence, Tuple

import yaml

from bot.intake import category_from_text
from bot.text import DATA_DIR, abbreviations, fold, has_diacritics, normalize

YES, REFUSE, ADD, REPLACE, FIX_PLACE = "yes", "refuse", "add", "replace", "fix_place"
MAX_OTHER_WORDS = 1  # "gửi giúp em với nhé" is a yes; "gửi cho phường Kim Liên xử lý" is not only a yes
MIN_CONTENT_WORDS = 2  # "bày hàng", "xây 5 tầng": enough to be a detail
MANY_CONTENT_WORDS = 3  # a mostly-address message with this much more describes the violation too
_WORD = re.compile(r"\w+", re.UNICODE)
_HELD = re.compile(r"(\w)\1+")
_APPROVING_EMOJI = ("👍", "👌", "🆗", "✅")


@dataclass(frozen=True)
class Vocabulary:
    confirm_yes: Tuple[Tuple[str, ...], ...]
    fillers: FrozenSet[str]
    refusal: FrozenSet[Tuple[str, ...]]
    add_content: Tuple[Tuple[str, ...], ...]
    replace_content: Tuple[Tuple[str, ...], ...]
    fix_place: Tuple[Tuple[str, ...], ...]
    correction_markers: Tuple[Tuple[str, ...], ...]
    dont_know: Tuple[Tuple[str, ...], ...]
    generic_marked: FrozenSet[str]
    generic_folded: FrozenSet[str]
    generic_phrases: Tuple[Tuple[str, ...], ...]
    notify_decline: Tuple[Tuple[str, ...], ...]  # with diacritics (see `notification_choice`)
    notify_accept: Tuple[Tuple[str, ...], ...]


def _phrases(items: Sequence[str]) -> Tuple[Tuple[str, ...], ...]:
    """Longest first, so "bổ sung nội dung" wins over "bổ sung"."""
    return tuple(sorted({tuple(fold(str(i)).split()) for i in items}, key=len, reverse=True))


def _marked_phrases(items: Sequence[str]) -> Tuple[Tuple[str, ...], ...]:
    return tuple(sorted({tuple(normalize(str(i)).lower().split()) for i in items}, key=len, reverse=True))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    raw = yaml.safe_load((DATA_DIR / "conversation.yml").read_text(encoding="utf-8"))
    marked = {normalize(str(w)).lower() for w in raw["generic_words"]}
    ambiguous = {fold(str(w)) for w in raw["ambiguous_folded"]}
    return Vocabulary(
        confirm_yes=_phrases(raw["confirm_yes"]),
        fillers=frozenset(fold(str(w)) for w in raw["fillers"]),
        refusal=frozenset(_phrases(raw["refusal"])),
        add_content=_phrases(raw["add_content"]),
        replace_content=_phrases(raw["replace_content"]),
        fix_place=_phrases(raw["fix_place"]),
        correction_markers=_phrases(raw["correction_markers"]),
        dont_know=_phrases(raw["dont_know"]),
        generic_marked=frozenset(marked),
        generic_folded=frozenset(fold(w) for w in marked) - ambiguous,
        generic_phrases=_phrases(raw["generic_phrases"]),
        notify_decline=_marked_phrases(raw["notify_decline"]),
        notify_accept=_marked_phrases(raw["notify_accept"]),
    )


def words(text: str) -> List[str]:
    """Folded tokens, chat abbreviations spelled out ("ko" → "khong"; "dc" → "duoc")."""
    return [part for token in _WORD.findall(fold(normalize(text))) for part in _spelled_out(token)]


def _spelled_out(folded_token: str) -> List[str]:
    """One folded token with its chat abbreviation spelled out: "ko" → ["khong"], "sdt" →
    ["so", "dien", "thoai"]; single letters only when they are nothing else ("k", "r", "j")."""
    if len(folded_token) > 1 or folded_token in "krj":
        return abbreviations("chat").get(folded_token, folded_token).split()
    return [folded_token]


def _squeezed(token: str) -> str:
    return _HELD.sub(r"\1", token)  # "okkk" → "ok", "uhmmm" → "uhm"


def _find(tokens: Sequence[str], phrase: Tuple[str, ...], start: int = 0) -> int:
    n = len(phrase)
    for i in range(start, len(tokens) - n + 1):
        if tuple(tokens[i:i + n]) == phrase:
            return i
    return -1


def _leads_with(tokens: Sequence[str], phrases: Sequence[Tuple[str, ...]],
                skip: int = 2) -> Optional[Tuple[int, int]]:
    """(start, end) of a phrase among the first `skip` + 1 tokens ("à, bổ sung …", "cho mình sửa nội dung")."""
    for phrase in phrases:
        i = _find(tokens[: skip + len(phrase)], phrase)
        if i >= 0:
            return i, i + len(phrase)
    return None


def _rest(text: str, tokens_to_skip: int) -> str:
    """The text after its first `tokens_to_skip` word tokens, without leading punctuation."""
    matches = list(_WORD.finditer(normalize(text)))
    if tokens_to_skip >= len(matches):
        return ""
    return normalize(text)[matches[tokens_to_skip].start():].strip(" :.-,;")


def _token_count_before(text: str, folded_tokens: int) -> int:
    """How many raw word tokens make up the first `folded_tokens` folded ones (abbreviations
    like "sdt" spell out to several)."""
    count, seen = 0, 0
    for token in _WORD.findall(fold(normalize(text))):
        if seen >= folded_tokens:
            break
        seen += len(_spelled_out(token))
        count += 1
    return count


@dataclass(frozen=True)
class SummaryAnswer:
    kind: Optional[str]  # YES | REFUSE | ADD | REPLACE | FIX_PLACE | None (not understood)
    text: str = ""  # the content to add or put instead, if the command carried it


def _only_yes(tokens: Sequence[str]) -> bool:
    v = vocabulary()
    squeezed = [_squeezed(t) for t in tokens]
    i, core, others = 0, False, 0
    while i < len(squeezed):
        for phrase in v.confirm_yes:  # longest first
            n = len(phrase)
            if tuple(squeezed[i:i + n]) == phrase or tuple(tokens[i:i + n]) == phrase:
                core, i = True, i + n
                break
        else:
            if any(tuple(squeezed[i:i + len(p)]) == p for p in v.refusal):
                return False
            if squeezed[i] not in v.fillers and tokens[i] not in v.fillers:
                others += 1
            i += 1
    return core and others <= MAX_OTHER_WORDS


def summary_answer(text: str) -> SummaryAnswer:
    """A typed answer to "Bạn kiểm tra lại thông tin phản ánh": send, refuse, a command."""
    v = vocabulary()
    tokens = words(text)
    if not tokens:
        return SummaryAnswer(YES if any(e in text for e in _APPROVING_EMOJI) else None)
    for kind, phrases in ((REPLACE, v.replace_content), (ADD, v.add_content), (FIX_PLACE, v.fix_place)):
        found = _leads_with(tokens, phrases, skip=3 if kind == FIX_PLACE else 2)
        if found and (kind != ADD or found[0] == 0 or tokens[found[0]:found[1]] != ["them"]):
            return SummaryAnswer(kind, _rest(text, _token_count_before(text, found[1])))
    if _only_yes(tokens):
        return SummaryAnswer(YES)
    if any(_find(tokens, phrase) >= 0 for phrase in v.fix_place):
        return SummaryAnswer(FIX_PLACE)
    if len(tokens) <= 4 and any(_find(tokens, phrase) >= 0 for phrase in v.refusal):
        return SummaryAnswer(REFUSE)
    return SummaryAnswer(None)


def _marked_words(text: str) -> List[str]:
    """Lower-case tokens with their diacritics; chat abbreviations spelled out (folded)."""
    tokens: List[str] = []
    for token in _WORD.findall(normalize(text).lower()):
        key = fold(token)
        parts = _spelled_out(key)
        tokens.extend([token] if parts == [key] else parts)
    return tokens


def _says(tokens: Sequence[str], phrase: Tuple[str, ...]) -> bool:
    """`phrase` in `tokens`; a token typed without diacritics matches any diacritics."""
    n = len(phrase)
    return any(all(t == w if has_diacritics(t) else t == fold(w) for t, w in zip(tokens[i:i + n], phrase))
               for i in range(len(tokens) - n + 1))


def notification_choice(text: str) -> Optional[bool]:
    """False: "không cần thông báo", "đừng nhắn"…; True: "nhắn qua Zalo giúp mình"…; None: neither."""
    v, tokens = vocabulary(), _marked_words(text)
    if any(_says(tokens, phrase) for phrase in v.notify_decline):
        return False
    if any(_says(tokens, phrase) for phrase in v.notify_accept):
        return True
    return None


def says_dont_know(text: str) -> bool:
    tokens = words(text)
    return any(_find(tokens, phrase) >= 0 for phrase in vocabulary().dont_know)


# --- what a message describes -----------------------------------------------------------------

def _address_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans of the address in `text` (markers and numbers included)."""
    from bot.address.parser import parse

    p = parse(text)
    spans: List[Tuple[int, int]] = []
    for name, span in p.spans():
        start = min(span.start, p.marked_from.get(name, span.start))
        spans.append((start, span.end))
    spans += [(u.start, u.name.end) for u in p.units]
    spans += [(s.start, s.end) for s in p.other_streets]
    return spans


def content_words(text: str) -> List[str]:
    """The words of `text` that say something about the violation: not the address, not
    "tôi muốn phản ánh tình trạng", not politeness. Numbers left once the address is out are
    quantities ("3 tầng", "10 bộ bàn ghế") and count."""
    v = vocabulary()
    text = normalize(text)
    blanked = list(text)
    for start, end in _address_spans(text):
        blanked[start:end] = " " * (end - start)
    kept, folded = [], []
    for token in _WORD.findall("".join(blanked).lower()):
        key = fold(token)
        parts = _spelled_out(key) if len(key) > 1 else [key]
        for part in parts:  # "ko" → "khong": spelled out, compared folded
            kept.append(token if part == key else part)
            folded.append(part)
    for phrase in v.generic_phrases:
        i = _find(folded, phrase)
        while i >= 0:
            folded[i:i + len(phrase)] = [""] * len(phrase)
            i = _find(folded, phrase, i + len(phrase))
    content = []
    marked_text = has_diacritics(text)
    for token, key in zip(kept, folded):
        if not key:
            continue
        generic = token in v.generic_marked if marked_text else key in v.generic_folded
        if not generic and (len(key) > 1 or key.isdigit()):
            content.append(token)
    return content


def is_detail(text: str) -> bool:
    """Does the message describe the violation (beyond naming its kind and place)?"""
    return len(content_words(text)) >= MIN_CONTENT_WORDS


def describes_violation(text: str) -> bool:
    """A message that is mostly an address still describes the violation when it names its
    kind or says a good deal more ("quán bày bàn ghế ở số 5 phố Huế")."""
    content = len(content_words(text))
    return content >= MIN_CONTENT_WORDS and bool(category_from_text(text)) or content >= MANY_CONTENT_WORDS


def corrected_category(text: str) -> Optional[str]:
    """"à không, là xây dựng không phép", "lấn chiếm chứ không phải xây dựng": the category the
    citizen now means, if they correct it (a category after "không phải" is the one ruled out)."""
    tokens = words(text)
    for phrase in vocabulary().correction_markers:
        i = _find(tokens[:2 + len(phrase)], phrase)
        if i >= 0:
            after = _rest(text, _token_count_before(text, i + len(phrase)))
            return category_from_text(after) or category_from_text(_after_but(after))
    if _find(tokens, ("khong", "phai")) >= 0:
        return category_from_text(text)
    return None


def _after_but(text: str) -> str:
    """"xây dựng mà là lấn chiếm vỉa hè" → "lấn chiếm vỉa hè": what comes after "mà (là)"."""
    tokens = words(text)
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] in ("ma", "chu"):
            return _rest(text, _token_count_before(text, i + 1))
    return ""


def has_correction_marker(text: str) -> bool:
    tokens = words(text)
    return any(0 <= _find(tokens[:2 + len(p)], p) for p in vocabulary().correction_markers)


def joined(record: Optional[str], addition: str, limit: int) -> str:
    """The description record with one more of the citizen's messages, in order, clipped."""
    addition = normalize(addition)
    if not record:
        text = addition
    elif fold(addition) in fold(record):
        text = record
    else:
        head = record if record.rstrip()[-1:] in ".!?…" else record.rstrip() + "."
        text = f"{head} {addition}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

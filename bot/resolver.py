"""From a citizen's words (or a shared location) to the ward responsible since 2025-07-01.

The resolver never guesses: a split old ward, a street alone or an old district alone give
`ambiguous` with candidate wards for the citizen to pick; only one clear ward gives `resolved`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from bot.gazetteer import Gazetteer, PlaceRef, distance_km, get_gazetteer, key_of, load_places_extra
from bot.text import Token, abbreviations, fold, has_diacritics, iter_words, nfc, normalize, tokens

RESOLVED, AMBIGUOUS, OUTSIDE, NONE = "resolved", "ambiguous", "outside", "none"
HANOI_BBOX = (20.53, 21.42, 105.28, 106.03)  # lat min, lat max, lon min, lon max
MAX_POINT_DISTANCE_KM = 8.0
MAX_HOUSE_NUMBER_TOKENS = 3
RURAL_UNITS = ("xa", "thi tran")
MAX_STREET_NAMED_LIKE_WARD_CODES = 6
MAX_NEAR_WORDS = 5  # "van mieu quoc tu giam"
MIN_BARE_NEAR_LENGTH = 10 # letters in a name matched with a typo and without a marker
MIN_LONGER_NEAR_LENGTH = 12  # letters in a typo'd name that may override a shorter exact one


@dataclass(frozen=True)
class Candidate:
    ward_code: str
    ward_name: str


@dataclass
class Resolution:
    status: str
    ward_code: Optional[str] = None
    ward_name: Optional[str] = None
    candidates: List[Candidate] = field(default_factory=list)
    reason: str = ""
    address_text: str = ""
    needs_confirmation: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


Match = Tuple[int, List[PlaceRef], int]  # words, the places, letters


@dataclass
class Mention:
    refs: List[PlaceRef]
    marker: Optional[str]  # "ward" | "district" | "street" | "province" | "landmark" | None
    start: int  # character offsets in the NFC text, marker included
    end: int
    numbered: bool = False  # "quận 1", "phường 12": a numbered unit, not in Hanoi
    unit_word: str = ""  # the folded marker as typed: "phuong", "xa", "thi tran", ...
    name_start: int = -1  # where the name itself starts, after the marker and house numbers
    doubtful: bool = False  # a typo of a Hanoi name, or exactly a place elsewhere

    def kinds(self) -> Set[str]:
        return {r.kind for r in self.refs}

    def of(self, *kinds: str) -> List[PlaceRef]:
        return [r for r in self.refs if r.kind in kinds]


@lru_cache(maxsize=1)
def _markers() -> Dict[tuple, tuple]:
    """Folded marker phrase → (kind, accented words that a diacritic-bearing marker must equal)."""
    table = {}
    for kind, phrases in load_places_extra()["markers"].items():
        for phrase in phrases:
            words = normalize(phrase).lower().split()
            table[tuple(fold(w) for w in words)] = (kind, tuple(words))
    return table


@lru_cache(maxsize=1)
def _marker_words() -> frozenset:
    """One-word markers and their abbreviations ("phuong", "p", "q"); not "thanh" of "thành phố"."""
    words = {phrase[0] for phrase in _markers() if len(phrase) == 1}
    return frozenset(words | {short for short, full in abbreviations("address").items() if full in words})


def _marker_before(toks: Sequence[Token], i: int) -> tuple:
    """The marker kind ending just before token i (skipping house numbers) and its start index."""
    j = i
    while j > 0 and i - j < MAX_HOUSE_NUMBER_TOKENS and any(ch.isdigit() for ch in toks[j - 1].folded):
        j -= 1  # "ngõ 12 Khâm Thiên", "số 5/12 Huế": the marker stands before the numbers
    address_abbr = abbreviations("address")
    for length in (2, 1):
        if j - length < 0:
            continue
        window = toks[j - length:j]
        folded = tuple(address_abbr.get(t.folded, t.folded) for t in window) if length == 1 else tuple(t.folded for t in window)
        entry = _markers().get(folded)
        if not entry:
            continue
        kind, accented = entry
        if length == 2 or window[0].folded not in address_abbr:
            if any(has_diacritics(t.text) and t.text != a for t, a in zip(window, accented)):
                continue  # "quán" is not "quận", "phương" is not "phường"
        return kind, j - length
    return None, i


def _accents_agree(words: Sequence[Token], accented: str) -> bool:
    if not accented:
        return True
    expected = normalize(accented).lower().replace("-", " ").split()
    typed = [t.text for t in words]
    if len(expected) != len(typed):
        return not has_diacritics("".join(typed)) or "".join(typed) == "".join(expected)
    return all(not has_diacritics(t) or t == e for t, e in zip(typed, expected))


@lru_cache(maxsize=1)
def _names_needing_marker() -> frozenset:
    return frozenset(key_of(iter_words(n)) for n in load_places_extra()["bare_names_need_marker"])


@lru_cache(maxsize=1)
def _not_places() -> Tuple[Tuple[Tuple[str, ...], str], ...]:
    """(folded words, accented phrase) of each everyday phrase in places.yml."""
    phrases = [normalize(p).lower() for p in load_places_extra()["not_places"]]
    return tuple((tuple(fold(w) for w in p.split()), p) for p in phrases)


def _not_place_ends(text: str, toks: Sequence[Token]) -> Dict[int, int]:
    """Token index → end of the everyday phrase covering it ("tuổi thanh xuân": youth, not the
    district). Typed diacritics must agree ("tươi" is not "tuổi") and no punctuation may split it."""
    ends: Dict[int, int] = {}
    for folded, accented in _not_places():
        for i in range(len(toks) - len(folded) + 1):
            window = toks[i:i + len(folded)]
            if tuple(t.folded for t in window) != folded or not _accents_agree(window, accented):
                continue
            if any(text[a.end:b.start].strip() for a, b in zip(window, window[1:])):
                continue
            for k in range(i, i + len(folded)):
                ends[k] = max(ends.get(k, 0), i + len(folded))
    return ends


def _longest(toks: Sequence[Token], i: int, lookup: Callable[[List[str]], List[PlaceRef]],
             max_words: int, min_words: int = 1, kind: Optional[str] = None) -> Optional[Match]:
    """The longest name starting at token i, diacritics checked where typed."""
    for length in range(min(max_words, len(toks) - i), min_words - 1, -1):
        words = toks[i:i + length]
        refs = [r for r in lookup([t.folded for t in words])
                if (kind is None or r.kind == kind) and _accents_agree(words, r.accented)]
        if refs:
            return length, refs, len("".join(t.folded for t in words))
    return None


def _exact_match(toks: Sequence[Token], i: int, g: Gazetteer) -> Optional[Match]:
    return _longest(toks, i, g.lookup, g.max_phrase_words)


def _near_match(toks: Sequence[Token], i: int, g: Gazetteer, marker: Optional[str]) -> Optional[Match]:
    """A place name one typo away: after "phường"/"quận" ("phuong kim lein"), or a long ward
    name ("kham thienn"). Short bare words never match, so "lấn" cannot become "Láng"."""
    unit_marker = marker in ("ward", "district")
    for length in range(min(MAX_NEAR_WORDS, len(toks) - i), 0 if unit_marker else 1, -1):
        words = [t.folded for t in toks[i:i + length]]
        if any(w.isdigit() or w in _marker_words() for w in words):
            continue  # "phuong van" is the marker and a word, not "Phong Vân"
        if not unit_marker and len("".join(words)) < MIN_BARE_NEAR_LENGTH:
            continue
        refs = g.lookup_near(words)
        if not unit_marker:
            refs = [r for r in refs if r.kind in ("ward", "old_ward")]  # no street or province on a guess
        if refs:
            return length, refs, len("".join(words))
    return None


def _outside_match(toks: Sequence[Token], i: int, g: Gazetteer, marker: Optional[str]) -> Optional[Match]:
    """A ward or district of another province, right after its marker: "phường Bến Nghé"."""
    kind = {"ward": "outside_ward", "district": "outside_district"}.get(marker or "")
    return _longest(toks, i, g.lookup_outside, g.max_phrase_words, min_words=2, kind=kind) if kind else None


def _match_at(toks: Sequence[Token], i: int, g: Gazetteer, marker: Optional[str]) -> Tuple[Optional[Match], bool]:
    """The place named at token i, and whether it is in doubt: a one-typo Hanoi name that is
    also, exactly, a ward elsewhere ("phường Cát Minh": Cát Linh mistyped, or Cát Minh in
    another province?). A longer name elsewhere beats a shorter one in Hanoi: "phường Láng
    Tròn" is not "phường Láng" and a word."""
    exact, outside = _exact_match(toks, i, g), _outside_match(toks, i, g, marker)
    if outside and (exact is None or outside[0] > exact[0]):
        near = None if exact else _near_match(toks, i, g, marker)
        return (near, True) if near else (outside, False)
    return _best_match(exact, _near_match(toks, i, g, marker)), False


def _best_match(exact: Optional[Match], near: Optional[Match]) -> Optional[Match]:
    """Exact wins, unless a longer name matches with one typo: "p. van mieu quoc tu giamm"
    is the ward Văn Miếu - Quốc Tử Giám, not the old ward Văn Miếu plus noise."""
    if exact and near and near[0] > exact[0] and near[2] >= MIN_LONGER_NEAR_LENGTH:
        return near
    return exact or near


def _is_unit_marker_before_a_name(toks: Sequence[Token], i: int, g: Gazetteer) -> bool:
    """Is token i "quan"/"phuong"/"xa"… typed as a marker, with a district or ward name after it?"""
    entry = _markers().get((abbreviations("address").get(toks[i].folded, toks[i].folded),))
    if not entry or entry[0] not in ("ward", "district") or i + 1 >= len(toks):
        return False
    if has_diacritics(toks[i].text) and toks[i].text != entry[1][0]:
        return False  # "quán" is a word, not "quận"
    after = _exact_match(toks, i + 1, g)
    wanted = {"ward", "old_ward"} if entry[0] == "ward" else {"district"}
    return bool(after and any(r.kind in wanted for r in after[1]))


def find_mentions(text: str, g: Optional[Gazetteer] = None) -> List[Mention]:
    g = g or get_gazetteer()
    toks = tokens(text)
    need_marker = _names_needing_marker()
    not_place_ends = _not_place_ends(text, toks)
    mentions: List[Mention] = []
    i = 0
    while i < len(toks):
        if i in not_place_ends:
            exact = _exact_match(toks, i, g)
            if not exact or i + exact[0] <= not_place_ends[i]:  # "tuổi Thanh Xuân Bắc" still names a ward
                i += 1
                continue
        marker, start = _marker_before(toks, i)
        if _is_unit_marker_before_a_name(toks, i, g):
            i += 1
            continue
        found, doubtful = _match_at(toks, i, g, marker)
        if not found:
            if marker in ("district", "ward") and toks[i].folded.isdigit():
                mentions.append(Mention([], marker, toks[start].start, toks[i].end, numbered=True))
            i += 1
            continue
        length, refs, _ = found
        key = "".join(t.folded for t in toks[i:i + length])
        bare_ok = length >= 2 and key not in need_marker
        if (marker and (marker != "landmark" or key not in need_marker)) or bare_ok or any(r.kind == "province" for r in refs):
            unit = " ".join(abbreviations("address").get(t.folded, t.folded) for t in toks[start:i]
                            if not any(ch.isdigit() for ch in t.folded))
            mentions.append(Mention(refs, marker, toks[start].start, toks[i + length - 1].end, unit_word=unit,
                                    name_start=toks[i].start, doubtful=doubtful))
        i += length
    return mentions


def place_name_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans (NFC offsets) of the place names in `text`, without their markers or house
    numbers: "số 5 ngõ 12 Thái Hà" → the span of "Thái Hà". Used to delexicalise NLU features."""
    return [(m.name_start, m.end) for m in find_mentions(text) if m.refs and m.name_start >= 0]


def _candidates(codes: Iterable[str], g: Gazetteer) -> List[Candidate]:
    seen: List[str] = []
    for c in codes:
        if c not in seen:
            seen.append(c)
    return [Candidate(c, g.ward_name(c)) for c in seen]


def _ward_codes(m: Mention, districts: Set[str], g: Gazetteer) -> List[str]:
    new = [r.key for r in m.of("ward")]
    old = [g.old_wards[r.key] for r in m.of("old_ward")]
    old_in_district = [o for o in old if o.district_key in districts]
    if old_in_district:
        return [c for o in old_in_district for c in o.new_codes]
    if new:
        return new
    return [c for o in old for c in o.new_codes]


def _place_codes(m: Mention, g: Gazetteer) -> List[str]:
    """Every new ward a mention's names may lie in: its streets' wards, then its wards'."""
    codes = [c for r in m.of("street") for c in g.streets[r.key].ward_codes]
    codes += [r.key for r in m.of("ward")] + [c for r in m.of("old_ward") for c in g.old_wards[r.key].new_codes]
    return codes


def _street_codes(m: Mention, g: Gazetteer) -> List[str]:
    """Wards of a street: "phố Huế", a bare "Bà Triệu" (not "Hai Bà Trưng": that names a ward or
    district), or "ngõ Văn Chương" — a street named like an old ward, which is near that ward."""
    if m.marker == "street":
        codes = _place_codes(m, g)
        return codes if m.of("street") else codes[:MAX_STREET_NAMED_LIKE_WARD_CODES]
    if m.marker is None and not m.of("ward", "old_ward", "district"):
        return [c for r in m.of("street") for c in g.streets[r.key].ward_codes]
    return []


def _unit_agrees(m: Mention, g: Gazetteer) -> bool:
    """Does "phường"/"xã"/"thị trấn" as typed fit at least one unit the name refers to?"""
    if m.marker != "ward" or not m.unit_word:
        return True
    names = [g.wards[r.key].name for r in m.of("ward")] + [g.old_wards[r.key].name for r in m.of("old_ward")]
    typed = RURAL_UNITS if m.unit_word in RURAL_UNITS else (m.unit_word,)
    return any(fold(name).startswith(typed) for name in names)


def _pick(groups: List[List[str]]) -> List[str]:
    """Codes all mentions agree on, or every candidate when they disagree."""
    common = set(groups[0]).intersection(*map(set, groups[1:]))
    ordered = [c for grp in groups for c in grp]
    return [c for c in ordered if c in common] if common else ordered


def _address_text(text: str, mentions: List[Mention]) -> str:
    if not mentions:
        return ""
    return nfc(text)[min(m.start for m in mentions):max(m.end for m in mentions)].strip()[:300]


def resolve_text(text: str) -> Resolution:
    g = get_gazetteer()
    text = normalize(text or "")
    mentions = find_mentions(text, g)
    if any(m.numbered for m in mentions) or any(m.marker == "province" and m.of("province") for m in mentions):
        return Resolution(OUTSIDE, reason="outside_hanoi", address_text=_address_text(text, mentions))

    # A bare name that is also an old district ("Đống Đa", "Hai Bà Trưng") is read as the district:
    # the new ward of that name is only a part of it, so only "phường Đống Đa" means the ward.
    district_mentions = [m for m in mentions if m.of("district") and m.marker in ("district", None)]
    ward_mentions = [m for m in mentions if m.of("ward", "old_ward") and (
        m.marker == "ward" or (m.marker is None and not m.of("district")))]
    if any(m.marker == "ward" for m in ward_mentions):
        ward_mentions = [m for m in ward_mentions if m.marker == "ward"]
    districts = {r.key for m in district_mentions for r in m.of("district")}
    street_codes = [c for m in mentions for c in _street_codes(m, g)]
    landmark_codes = [c for m in mentions if m.marker == "landmark" for c in _place_codes(m, g)]
    address = _address_text(text, mentions)

    if ward_mentions:
        codes = _pick([_ward_codes(m, districts, g) for m in ward_mentions])
        narrowed = [c for c in codes if c in street_codes]
        if len(set(codes)) > 1 and narrowed:
            # the street table is incomplete: it may order the buttons, never decide alone
            codes = narrowed + [c for c in codes if c not in narrowed]
        if not all(_unit_agrees(m, g) for m in ward_mentions):  # "phường X" where only a "xã X" exists
            return Resolution(AMBIGUOUS, candidates=_candidates(codes, g), reason="unit_type_mismatch", address_text=address)
        if any(m.doubtful for m in ward_mentions):
            return Resolution(AMBIGUOUS, candidates=_candidates(codes, g), reason="typo_or_outside", address_text=address)
        if len(set(codes)) == 1:
            return _resolved(codes[0], "ward", address, g)
        return Resolution(AMBIGUOUS, candidates=_candidates(codes, g), reason="split_or_several_wards", address_text=address)
    if not districts and any(m.of("outside_ward", "outside_district") for m in mentions):
        return Resolution(OUTSIDE, reason="outside_hanoi", address_text=address)
    district_codes = [c for d in sorted(districts) for c in g.new_codes_of_district(d)]
    for reason, near_codes in (("street_only", street_codes), ("landmark", landmark_codes)):
        if near_codes:
            in_district = [c for c in near_codes if c in district_codes] if district_codes else []
            return Resolution(AMBIGUOUS, candidates=_candidates(in_district or near_codes, g), reason=reason, address_text=address)
    if district_codes:
        return Resolution(AMBIGUOUS, candidates=_candidates(district_codes, g), reason="district_only", address_text=address)
    if any(m.of("province") for m in mentions):
        return Resolution(OUTSIDE, reason="outside_hanoi", address_text=address)
    return Resolution(NONE, reason="no_place")


def _resolved(code: str, reason: str, address: str, g: Gazetteer) -> Resolution:
    return Resolution(RESOLVED, code, g.ward_name(code), [Candidate(code, g.ward_name(code))], reason, address)


def resolve_point(lat: float, lon: float) -> Resolution:
    """A shared location: the nearest old ward's centroid, mapped to the new ward; to be confirmed."""
    g = get_gazetteer()
    lat_min, lat_max, lon_min, lon_max = HANOI_BBOX
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        return Resolution(OUTSIDE, reason="point_outside_hanoi")
    nearest = g.nearest_old_wards(lat, lon, limit=6)
    if not nearest or nearest[0][0] > MAX_POINT_DISTANCE_KM:
        return Resolution(OUTSIDE, reason="point_outside_hanoi")
    ranked: List[str] = []
    for _dist, old in nearest:
        by_distance = sorted(old.new_codes, key=lambda c: distance_km(lat, lon, g.wards[c].lat, g.wards[c].lon))
        ranked.extend(c for c in by_distance if c not in ranked)
    best = ranked[0]
    return Resolution(
        RESOLVED, best, g.ward_name(best), _candidates(ranked[:4], g), "coordinates",
        f"{lat:.5f}, {lon:.5f}", needs_confirmation=True,
    )


def resolution_for_code(code: str) -> Resolution:
    """A ward the citizen picked from the candidate buttons."""
    g = get_gazetteer()
    if code not in g.wards:
        return Resolution(NONE, reason="unknown_ward_code")
    return _resolved(code, "chosen", "", g)

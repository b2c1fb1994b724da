"""A Vietnamese address parser: the parts of an address in a citizen's message.

`parse(text)` finds, with character offsets: the house number ("số 25", "nhà 12A",
"15/3"), the alley chain ("ngõ 120 ngách 45", "ngõ 120/45", "hẻm 3", a named "ngõ Văn
Chương"), the street ("phố Hàng Bông", "25 Hàng Bông", "ngõ 12 Khâm Thiên"), a residential
area ("tổ 9", "khu tập thể Kim Liên"), a landmark ("chợ Đồng Xuân", "gần cầu Long Biên"),
and every administrative unit it names (ward, district, province) with the gazetteer's
places and how it was named: after its marker ("phường Kim Liên"), in an address position
(a comma-separated segment, after the street, after "ở"/"tại"), confirmed by the district
that follows it ("Khâm Thiên Đống Đa"), or merely somewhere in the text. Deciding which ward
that means is `bot.resolver`'s work; this module only reads.

No Rasa here: the NLU component (`bot.nlu.address`) and the resolver both call it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from bot.address.lexicon import (
    Lexicon, Marker, accents_agree, folded_start_stops, folded_stops, get_lexicon, not_name_start, not_name_words,
    refs_for, word_set,
)
from bot.address.tokens import Tok, house_number_like, tokenize
from bot.gazetteer import PlaceRef
from bot.text import fold

MAX_NAME_TOKENS = 6
MAX_UNKNOWN_NAME_TOKENS = 4
MAX_UNCASED_NAME_TOKENS = 3
ALLEY_RANK = {"ngo": 0, "kiet": 0, "ngach": 1, "hem": 2}
ENDS_A_NAME = ("house", "alley", "street", "ward", "district", "province")  # markers that start another part  # without capitals to go by, a longer run is a name and the complaint
MAX_NEAR_TOKENS = 5
MIN_LONGER_NEAR_LETTERS = 12  # a typo'd name this long may override a shorter exact one
MIN_BARE_NEAR_LETTERS = 10  # a typo'd name without a marker: only long ones, alone in their segment

# How a unit was named, strongest first.
MARKED, PAIRED, LISTED, AFTER_ADDRESS, LOCATIVE, AREA_NAME, BARE = (
    "marked", "paired", "listed", "after_address", "locative", "area_name", "bare")
PLACED = frozenset({MARKED, PAIRED, LISTED, AFTER_ADDRESS, LOCATIVE})  # an area's name is not: "tập thể Kim Liên" asks


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


@dataclass
class Unit:
    """An administrative unit named in the text."""

    level: str  # "ward" | "district" | "province": from the marker, or "" for a bare name
    marker: str  # the folded marker as typed in full ("phuong", "xa", "thi tran", "quan"…) or ""
    name: Span
    refs: List[PlaceRef]
    start: int  # the marker's start when there is one
    position: str = BARE
    number: bool = False  # "quận 1", "phường 12": numbered units are not Hanoi's
    near_match: bool = False  # read with one typo
    doubtful: bool = False  # a one-typo Hanoi name that is exactly a unit elsewhere

    def of(self, *kinds: str) -> List[PlaceRef]:
        return [r for r in self.refs if r.kind in kinds]

    @property
    def placed(self) -> bool:
        return self.position in PLACED


@dataclass
class Parse:
    text: str
    house_number: Optional[Span] = None
    alleys: List[Span] = field(default_factory=list)  # the chain, outermost first: ngõ 120, ngách 45
    street: Optional[Span] = None
    street_refs: List[PlaceRef] = field(default_factory=list)
    alley_refs: List[PlaceRef] = field(default_factory=list)
    area: Optional[Span] = None
    landmark: Optional[Span] = None
    landmark_refs: List[PlaceRef] = field(default_factory=list)
    units: List[Unit] = field(default_factory=list)
    marked_from: Dict[str, int] = field(default_factory=dict)  # part → where its marker starts ("số", "ngõ", "phố")
    other_streets: List[Span] = field(default_factory=list)  # "phố Huế, Thái Hà": a crossing, or a second street

    @property
    def alley(self) -> Optional[str]:
        """The chain as one number ("120/45") or the named alley ("Văn Chương")."""
        return "/".join(a.text for a in self.alleys) if self.alleys else None

    def spans(self) -> List[Tuple[str, Span]]:
        found: List[Tuple[str, Span]] = []
        for name in ("house_number", "street", "area", "landmark"):
            span = getattr(self, name)
            if span is not None:
                found.append((name, span))
        found += [("alley", a) for a in self.alleys]
        found += [(u.level or "place", u.name) for u in self.units]
        return sorted(found, key=lambda pair: pair[1].start)

    def name_spans(self) -> List[Tuple[int, int]]:
        """Character spans of every place name (markers and numbers aside)."""
        spans = [u.name for u in self.units if u.refs]
        spans += [s for s in (self.street, self.landmark) if s is not None and s.text] + self.other_streets
        return [(s.start, s.end) for s in spans]

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------------------------

class _Reader:
    """One pass over a message's tokens."""

    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.text = text
        self.lex = lexicon
        self.g = lexicon.g
        self.toks: Tuple[Tok, ...] = tokenize(text)
        self.doc = lexicon.doc(self.toks)
        self.lowercase_text = not any(t.title for t in self.toks)
        words = [t for t in self.toks if not t.is_number]
        # Capitals tell names apart only in text that mixes them ("All Title Case" does not)
        self.case_informative = any(t.title for t in words) and not all(t.title for t in words)
        self.accented_text = any(t.accented for t in self.toks)
        self.markers: Dict[int, Tuple[int, Marker]] = {}
        for start, end, marker in lexicon.marker_matches(self.doc):
            if self._marker_ok(start, end, marker):
                known = self.markers.get(start)
                if known is None or end > known[0]:
                    self.markers[start] = (end, marker)
        self.places: Dict[int, List[int]] = {}
        for _key, start, end in lexicon.places(self.doc):
            if not any(t.broken for t in self.toks[start + 1:end]):
                self.places.setdefault(start, []).append(end)
        self.outside: Dict[int, List[int]] = {}
        for _key, start, end in lexicon.outside(self.doc):
            self.outside.setdefault(start, []).append(end)
        self.everyday: Dict[int, int] = {}
        for key, start, end in lexicon.not_places(self.doc):
            if accents_agree(self.toks[start:end], lexicon.vocab.strings[key]) and \
                    not any(t.broken for t in self.toks[start + 1:end]):
                for k in range(start, end):
                    self.everyday[k] = max(self.everyday.get(k, 0), end)
        self.parse = Parse(text)
        self.used = [False] * len(self.toks)

    # --- small readers -----------------------------------------------------------------
    def _marker_ok(self, start: int, end: int, marker: Marker) -> bool:
        toks = self.toks
        if marker.kind == "house" and not (end < len(toks) and toks[end].is_number):
            return False  # "nhà", "số", "lô" mark a house only before its number: "Cao Lộ" is a name
        if marker.kind == "street" and marker.canonical == "duong" and start > 0:
            if fold(toks[start - 1].lower) in word_set("not_street_after") and not toks[start].broken:
                return False  # "lòng đường", "ra đường": the road itself
        if marker.length == 1 and len(toks[start].lower) <= 2 and self._glued(start):
            return False  # "PA-Q2R7ZN" is a report code, not "quận 2"
        if marker.length == 1 and len(toks[start].lower) <= 2 and toks[start].lower not in ("số", "xã", "tổ"):
            # one- and two-letter abbreviations ("p", "q", "tt", "đ") only count before a name or a number
            return end < len(toks) and not toks[end].broken or (end < len(toks) and "." in toks[end].before)
        return True

    def _glued(self, i: int) -> bool:
        """Is token i part of a longer code: letters or digits stuck to it on either side, or
        a number after it that runs straight into letters?"""
        tok, text = self.toks[i], self.text
        before = text[tok.start - 1:tok.start]
        if before and (before.isalnum() or before in "-_/"):
            return True
        after_end = tok.end
        if i + 1 < len(self.toks) and self.toks[i + 1].start == tok.end and self.toks[i + 1].is_number:
            after_end = self.toks[i + 1].end
        after = text[after_end:after_end + 1]
        return bool(after) and (after.isalnum() or after == "_")

    def marker_wins(self, i: int) -> bool:
        """A marker at token i, or the start of a name ("Hồ Tùng Mậu", "Cầu Giấy", "Phương Mai")?
        The marker, when the name after it is longer than the name it would start ("quan Thanh
        Xuan" is "quận Thanh Xuân", not "Quán Thánh"), or when it is a street's marker and the
        name it would start is not a street's ("phố Huế" is the street, not the old ward "Phố Huế")."""
        found, place = self.markers.get(i), self.place_at(i)
        if not found or not place or place[0] <= found[0]:
            return bool(found)
        after_marker = self.place_at(found[0])
        if after_marker and after_marker[0] > place[0]:
            return True
        if self.case_informative and not self.toks[i].title and found[0] < len(self.toks) and self.toks[found[0]].title:
            return True  # "gần cầu Giấy": the bridge; "Cầu Giấy" would be the place
        return found[1].kind == "street" and not any(r.kind == "street" for r in place[1])

    def marker_at(self, i: int, *kinds: str) -> Optional[Tuple[int, Marker]]:
        found = self.markers.get(i)
        return found if found and (not kinds or found[1].kind in kinds) else None

    def number_at(self, i: int) -> bool:
        return i < len(self.toks) and house_number_like(self.toks[i])

    def span(self, start: int, end: int) -> Span:
        a, b = self.toks[start].start, self.toks[end - 1].end
        return Span(self.text[a:b], a, b)

    def adjacent(self, i: int) -> bool:
        """May token i continue what came before it (no comma or full stop in between)?"""
        return i < len(self.toks) and not self.toks[i].broken

    def place_at(self, i: int, *, outside: bool = False) -> Optional[Tuple[int, List[PlaceRef]]]:
        """The longest gazetteer name starting at token i whose typed diacritics agree."""
        table = self.outside if outside else self.places
        for end in sorted(table.get(i, []), reverse=True):
            if i in self.everyday and end <= self.everyday[i]:
                continue  # "tuổi thanh xuân": youth, not the district
            toks = self.toks[i:end]
            refs = refs_for(self.g, toks) if not outside else [
                r for r in self.g.lookup_outside([t.folded for t in toks]) if accents_agree(toks, r.accented)]
            if refs:
                return end, refs
        return None

    def unknown_name(self, i: int, limit: int = MAX_UNKNOWN_NAME_TOKENS) -> int:
        """The end of a name the gazetteer does not know, stopping at punctuation, markers and
        numbers. In text with informative capitals, the capitalised words; otherwise words
        that are not everyday words (compared with their diacritics when typed with them:
        "trong" may be "Trọng", "trong" typed as "trong" in accented text is "in"), three at most."""
        end = i
        informative = self.case_informative
        limit = limit if informative else min(limit, MAX_UNCASED_NAME_TOKENS)
        while end < len(self.toks) and end - i < limit:
            tok = self.toks[end]
            if tok.is_number or (end > i and tok.broken) or (end > i and self.marker_at(end, *ENDS_A_NAME)):
                break  # "hồ", "cầu", "chợ" inside a name do not end it: "Vĩnh Hồ", "Chợ Gạo"
            if informative:
                if not tok.title:
                    break
            elif tok.accented or self.accented_text:
                stops = not_name_start() if end == i else not_name_words() | not_name_start()
                if tok.lower in stops:
                    break
            elif tok.folded in (folded_start_stops() if end == i else folded_stops() | folded_start_stops()):
                break
            end += 1
        return end

    def name(self, i: int, *, known_only: bool = False) -> Optional[Tuple[int, List[PlaceRef]]]:
        """A name starting at token i: the gazetteer's longest, else an unknown one."""
        if i >= len(self.toks) or self.toks[i].is_number:
            return None
        known = self.place_at(i)
        if known_only:
            return known
        end = self.unknown_name(i)
        if known and not (end > known[0] and self.case_informative and all(t.title for t in self.toks[i:end])):
            return known  # "Phùng Khoang" is another street than the commune "Phùng"
        return (end, []) if end > i else None

    # --- the grammar ---------------------------------------------------------------------
    def read(self) -> Parse:
        i = 0
        while i < len(self.toks):
            i = self.step(i)
        self.position_units()
        return self.parse

    def step(self, i: int) -> int:
        found = self.markers.get(i)
        place = self.place_at(i)
        if found and place and self.marker_wins(i):
            place = None
        if found and not (place and place[0] > found[0]):  # "Hồ Tùng Mậu", "Cầu Giấy": names, not "hồ"/"cầu"
            end, marker = found
            reader = getattr(self, f"_{marker.kind}")
            after = reader(i, end, marker)
            if after is not None:
                self._use(i, after)
                return after
        if self.number_at(i) and self.parse.house_number is None and self._bare_house_number(i):
            self.parse.house_number = self.span(i, i + 1)
            self._use(i, i + 1)
            return self._street_after(i + 1)
        if place is None and (i == 0 or self.toks[i].broken):
            place = self._listed_near(i)
        if place:
            end, refs = place
            if all(r.kind == "street" for r in refs):
                self._set_street(i, end, refs)
            else:
                self.parse.units.append(Unit("", "", self.span(i, end), refs, self.toks[i].start))
            return end
        return i + 1

    def _use(self, start: int, end: int) -> None:
        for k in range(start, min(end, len(self.toks))):
            self.used[k] = True

    def _bare_house_number(self, i: int) -> bool:
        """"25 Hàng Bông": a number right before a street's name, at the start of an address."""
        tok = self.toks[i]
        if i + 1 >= len(self.toks) or not self.adjacent(i + 1) or "/" not in tok.lower and len(tok.lower) > 4:
            return False
        nxt = self.toks[i + 1]
        if nxt.folded in word_set("not_house_number_after") or nxt.is_number:
            return False
        starts_address = i == 0 or tok.broken or fold(self.toks[i - 1].lower) in word_set("locatives") | {"truoc", "o"}
        if not starts_address:
            return False
        place = self.place_at(i + 1)
        return place is not None and any(r.kind == "street" for r in place[1])

    def _house(self, i: int, end: int, marker: Marker) -> Optional[int]:
        if not self.number_at(end) or not self.adjacent(end):
            return None
        if end + 1 < len(self.toks) and self.toks[end + 1].folded in word_set("not_house_number_after") \
                and not self._street_name_at(end + 1):
            return None  # "số 3 người"; but "số 60 Quán Thánh" is a house on a street
        if self.parse.house_number is None:
            self.parse.house_number = self.span(end, end + 1)
            self.parse.marked_from["house_number"] = self.toks[i].start
        return self._street_after(end + 1)

    def _street_name_at(self, i: int) -> bool:
        place = self.place_at(i)
        return place is not None and any(r.kind == "street" for r in place[1]) and place[0] - i > 1

    def _alley(self, i: int, end: int, marker: Marker) -> Optional[int]:
        if self.number_at(end) and self.adjacent(end):
            chain = [(ALLEY_RANK.get(marker.canonical, 0), self.span(end, end + 1))]
            j = end + 1
            while j < len(self.toks) and self.marker_at(j, "alley") and self.adjacent(j):
                m_end, m = self.markers[j]
                if not self.number_at(m_end):
                    break
                chain.append((ALLEY_RANK.get(m.canonical, 0), self.span(m_end, m_end + 1)))
                j = m_end + 1
            if not self.parse.alleys:
                # outermost first, however it was written: "hẻm 3 ngõ 8" is ngõ 8, hẻm 3 → "8/3"
                self.parse.alleys = [span for _rank, span in sorted(chain, key=lambda pair: pair[0])]
                self.parse.marked_from["alley"] = self.toks[i].start
            return self._street_after(j)
        if not self.adjacent(end) or end >= len(self.toks):
            return None
        start = end + 1 if self.marker_at(end, "landmark") and end + 1 < len(self.toks) else end  # "ngõ chợ Khâm Thiên"
        named = self.name(start)
        if named is None:
            return None
        if not self.parse.alleys:
            self.parse.alleys = [self.span(end, named[0])]
            self.parse.alley_refs = named[1]
            self.parse.marked_from["alley"] = self.toks[i].start  # "ngõ Văn Chương" runs near the old ward of that name
        return named[0]

    def _street_after(self, j: int) -> int:
        """After a house number or an alley, the street's name, with or without "phố"."""
        if j >= len(self.toks) or not self.adjacent(j):
            return j
        found = self.marker_at(j, "street")
        if found and self.marker_wins(j):
            return self._street(j, found[0], found[1]) or j
        if self.marker_at(j) and self.marker_wins(j):
            return j
        named = self.name(j)
        if named is None:
            return j
        end, refs = named
        if refs and not any(r.kind == "street" for r in refs) and any(r.kind in ("district", "province") for r in refs):
            return j  # "số 5 Đống Đa": a district, read as such
        self._set_street(j, end, refs)
        return end

    def _set_street(self, start: int, end: int, refs: List[PlaceRef]) -> None:
        if self.parse.street is None:
            self.parse.street = self.span(start, end)
            self.parse.street_refs = refs
        else:
            self.parse.other_streets.append(self.span(start, end))
        for k in range(start, end):
            self.used[k] = True

    def _street(self, i: int, end: int, marker: Marker) -> Optional[int]:
        if not self.adjacent(end) and not (end < len(self.toks) and "." in self.toks[end].before):
            return None
        if self.parse.street is None:
            self.parse.marked_from["street"] = self.toks[i].start
        if self.number_at(end):  # "đường 32", "phố 8/3"
            self._set_street(end, end + 1, [])
            return end + 1
        named = self.name(end)
        if named is None:
            self.parse.marked_from.pop("street", None) if self.parse.street is None else None
            return None
        self._set_street(end, named[0], named[1])
        return named[0]

    def _area(self, i: int, end: int, marker: Marker) -> Optional[int]:
        if end < len(self.toks) and self.toks[end].folded == "so" and self.number_at(end + 1):
            end += 1  # "tổ dân phố số 5"
        if end >= len(self.toks) or not self.adjacent(end):
            return None
        if self.toks[end].is_number:
            last = end + 1
        else:
            hamlet = all(t.folded == "thon" for t in self.toks[i:end]) and self.place_at(end) is not None
            if not (self._typed_as_marker(i, end) or self.toks[end].title and self.case_informative or hamlet):
                return None  # "hang xom cau dien" is "hàng xóm câu điện", not a hamlet ("thon kieu ky" is one)
            named = self.name(end)
            if named is None:
                return None
            last = named[0]
        while last < len(self.toks) and self.adjacent(last) and (self.toks[last].is_number or (
                self.toks[last].title and self.case_informative and last not in self.markers)):
            last += 1  # "chung cư HH4 Linh Đàm", "khu tập thể A 2"
        chained = self.marker_at(last, "area")
        if chained and self.adjacent(last):  # "xóm Chùa thôn Đông"
            first_area = self.parse.area
            more = self._area(last, chained[0], chained[1])
            if more is not None:
                last = more
                if first_area is not None and first_area.start == self.toks[i].start:
                    self.parse.area = self.span(i, last)
        if self.parse.area is None:
            self.parse.area = self.span(i, last)
        named_refs = [] if self.toks[end].is_number else (self.place_at(end) or (0, []))[1]
        typed = self._typed_as_marker(i, end) or any(t.title for t in self.toks[end:last])
        if typed and any(r.kind in ("ward", "old_ward") for r in named_refs):
            # "tập thể Kim Liên", "làng Vạn Phúc": a quarter named after the ward it lies in
            self.parse.units.append(Unit("", "", self.span(end, last), named_refs, self.toks[end].start, AREA_NAME))
        return last

    def _typed_as_marker(self, i: int, end: int) -> bool:
        """Was the marker typed with its own diacritics (not "bên" for "bến", "cho" for "chợ"),
        or as an abbreviation nobody writes for anything else?"""
        return all(t.accented for t in self.toks[i:end]) or all(t.lower in _UNAMBIGUOUS_ABBREVIATIONS
                                                               for t in self.toks[i:end])

    def _landmark(self, i: int, end: int, marker: Marker) -> Optional[int]:
        if end >= len(self.toks) or not self.adjacent(end):
            return None
        known = self.name(end, known_only=True)
        if known is None and not (self._typed_as_marker(i, end) or self.toks[end].title and self.case_informative):
            return None  # "ben canh" is "bên cạnh", not "bến"; "cho toi" is "cho tôi", not "chợ"
        named = known or self.name(end)
        if named is None:
            return None
        if marker.canonical.startswith("nga ") and named[0] < len(self.toks):  # "ngã tư Nguyễn Chí Thanh - Láng"
            joint = self.toks[named[0]]
            second = named[0] + (1 if joint.folded in ("giao", "voi", "va") else 0)
            if (set(joint.before) & {"-", "–", "/", "&"} or second > named[0]) and not self.toks[second].broken:
                more = self.name(second)
                if more is not None:
                    named = (more[0], named[1] + more[1])
        if self.parse.landmark is None:
            self.parse.landmark = self.span(i, named[0])
            self.parse.landmark_refs = named[1]
        return named[0]

    def _unit(self, level: str, i: int, end: int, marker: Marker) -> Optional[int]:
        if end >= len(self.toks):
            return None
        if self.toks[end].is_number and self.adjacent(end) or (self.toks[end].is_number and "." in self.toks[end].before):
            self.parse.units.append(Unit(level, marker.canonical, self.span(end, end + 1), [], self.toks[i].start,
                                         MARKED, number=True))
            return end + 1
        if not (self.adjacent(end) or "." in self.toks[end].before or ":" in self.toks[end].before):
            return None
        known, outside = self.place_at(end), self.place_at(end, outside=True)
        if outside and self.toks[i].lower == "xa" and not any(t.title or t.accented for t in self.toks[end:outside[0]]):
            outside = None  # "cay xa cu" is "cây xà cừ", not "xã Cù Bị" of another province
        near = self._near(end, level)
        if known and near and not (near[0] > known[0] and _letters(self.toks[end:near[0]]) >= MIN_LONGER_NEAR_LETTERS):
            near = None  # exact wins, unless a longer name matches with one typo ("van mieu quoc tu giamm")
        if outside and (known is None or outside[0] > known[0]):  # "phường Láng Tròn" is not "phường Láng"
            if near is None or known is not None:
                self.parse.units.append(Unit(level, marker.canonical, self.span(end, outside[0]),
                                             [r for r in outside[1]], self.toks[i].start, MARKED))
                return outside[0]
            unit = Unit(level, marker.canonical, self.span(end, near[0]), near[1], self.toks[i].start, MARKED,
                        near_match=True, doubtful=True)
            self.parse.units.append(unit)
            return near[0]
        if near is not None:
            self.parse.units.append(Unit(level, marker.canonical, self.span(end, near[0]), near[1],
                                         self.toks[i].start, MARKED, near_match=True))
            return near[0]
        if known is None:
            return None
        kinds = {"ward": ("ward", "old_ward"), "district": ("district",), "province": ("province",)}[level]
        refs = [r for r in known[1] if r.kind in kinds] or known[1]
        self.parse.units.append(Unit(level, marker.canonical, self.span(end, known[0]), refs, self.toks[i].start, MARKED))
        return known[0]

    def _brand(self, i: int, end: int, marker: Marker) -> Optional[int]:
        """"Royal City", "Vincom Bà Triệu": a landmark by itself, with the branch's name if one follows."""
        last = end
        if end < len(self.toks) and self.adjacent(end) and self.toks[end].title and self.case_informative:
            named = self.name(end)
            last = named[0] if named else end
        if self.parse.landmark is None:
            self.parse.landmark = self.span(i, last)
        return last

    def _ward(self, i: int, end: int, marker: Marker) -> Optional[int]:
        return self._unit("ward", i, end, marker)

    def _district(self, i: int, end: int, marker: Marker) -> Optional[int]:
        return self._unit("district", i, end, marker)

    def _province(self, i: int, end: int, marker: Marker) -> Optional[int]:
        return self._unit("province", i, end, marker)

    def _near(self, i: int, level: str) -> Optional[Tuple[int, List[PlaceRef]]]:
        """A unit name one typo away, right after its marker ("phuong kim lein")."""
        wanted = {"ward": ("ward", "old_ward"), "district": ("district",), "province": ("province",)}[level]
        for end in range(min(len(self.toks), i + MAX_NEAR_TOKENS), i, -1):
            toks = self.toks[i:end]
            if any(t.is_number or t.broken and k for k, t in enumerate(toks)) or any(k + i in self.markers for k in range(1, len(toks))):
                continue
            refs = [r for r in self.g.lookup_near([t.folded for t in toks]) if r.kind in wanted]
            if refs:
                return end, refs
        return None

    def _listed_near(self, i: int) -> Optional[Tuple[int, List[PlaceRef]]]:
        """A long ward name with one typo, alone in its comma-separated segment ("kham thienn,")."""
        for end in range(min(len(self.toks), i + MAX_NEAR_TOKENS), i + 1, -1):
            toks = self.toks[i:end]
            if any(t.is_number for t in toks) or any(t.broken for t in toks[1:]) or any(k in self.markers for k in range(i, end)):
                continue
            if not (end == len(self.toks) or self.toks[end].broken) or _letters(toks) < MIN_BARE_NEAR_LETTERS:
                continue
            refs = [r for r in self.g.lookup_near([t.folded for t in toks]) if r.kind in ("ward", "old_ward")]
            if refs:
                return end, refs
        return None

    # --- where the bare names stand ------------------------------------------------------
    def position_units(self) -> None:
        units = self.parse.units
        for k, unit in enumerate(units):
            if unit.level or unit.position != BARE:
                continue
            first = self._index_at(unit.name.start)
            last = self._index_at(unit.name.end - 1) + 1
            nxt = units[k + 1] if k + 1 < len(units) else None
            if nxt is not None and self._index_at(nxt.start) == last and self._segment_gap(last):
                districts = {r.key for r in nxt.of("district")}
                if any(r.kind == "old_ward" and self.g.old_wards[r.key].district_key in districts for r in unit.refs):
                    unit.position = PAIRED  # "Khâm Thiên Đống Đa": the district that follows confirms it
                    continue
            if first > 0 and fold(self.toks[first - 1].lower) in word_set("locatives") and not self.toks[first].broken:
                unit.position = LOCATIVE
            elif first > 1 and " ".join(t.folded for t in self.toks[first - 2:first]) in word_set("locatives"):
                unit.position = LOCATIVE
            elif (first == 0 or self._separated(first)) and (last == len(self.toks) or self._separated(last) or
                                                            (last in by_start_index(units, self))):
                unit.position = LISTED
            elif first > 0 and self.used[first - 1] and not self.toks[first].broken:
                unit.position = AFTER_ADDRESS
            elif first > 0 and self.used[first - 1] and self.toks[first].broken:
                unit.position = LISTED if (last == len(self.toks) or self.toks[last].broken) else BARE
        districts = {r.key for u in units for r in u.of("district") if u.level == "district" or not u.level}
        for unit in units:
            if unit.position == AREA_NAME and any(r.kind == "old_ward" and self.g.old_wards[r.key].district_key in districts
                                                  for r in unit.refs):
                unit.position = PAIRED  # "làng Vạn Phúc …, quận Hà Đông": its district confirms it
            if unit.level:
                for k in range(self._index_at(unit.start), self._index_at(unit.name.end - 1) + 1):
                    self.used[k] = True

    def _separated(self, i: int) -> bool:
        """Does a segment of an address start at token i (after a comma, or " - ")?"""
        tok = self.toks[i]
        return tok.broken or "-" in tok.before and self.text[tok.start - 1:tok.start] == " "

    def _segment_gap(self, i: int) -> bool:
        """Nothing, or only a comma or a dash, between token i and what comes before it."""
        return i < len(self.toks) and set(self.toks[i].before) <= {",", "-", "–"}

    def _index_at(self, char: int) -> int:
        for k, tok in enumerate(self.toks):
            if tok.start <= char < tok.end or tok.start >= char:
                return k
        return len(self.toks)


def by_start_index(units: Sequence[Unit], reader: "_Reader") -> set:
    return {reader._index_at(u.start) for u in units}


_UNAMBIGUOUS_ABBREVIATIONS = frozenset({"bv", "kđt", "kdt", "ktt", "cc", "svđ", "svd", "ubnd", "tdp", "kdc"})


def _letters(toks: Sequence[Tok]) -> int:
    return sum(len(t.folded) for t in toks)


@lru_cache(maxsize=4096)
def parse(text: str) -> Parse:
    """The address parts of `text` (give NFC text; offsets are in it)."""
    return _Reader(text, get_lexicon()).read()

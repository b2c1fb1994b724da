"""From a citizen's words (or a shared location) to the ward responsible since 2025-07-01.

The address parser (`bot.address.parser`) reads the parts; this module decides, and never
guesses: a ward is committed only from a unit the parser placed as one (after its marker, in
an address position, or confirmed by its district), never from a name found among ordinary
words. A split old ward, a street alone or with its old district, an old district alone, a
landmark, parts that disagree, or a name merely mentioned give `ambiguous` with candidate wards
for the citizen to pick; a province, a numbered unit or another province's ward or district
anywhere makes it `outside`; only one clear ward gives `resolved`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Iterable, List, Optional, Sequence, Set

from bot.address.parser import AREA_NAME, MARKED, PAIRED, Parse, Unit, parse
from bot.address.parts import AddressParts
from bot.gazetteer import Gazetteer, OldWard, PlaceRef, distance_km, get_gazetteer, key_of, load_places_extra
from bot.text import fold, iter_words, normalize

RESOLVED, AMBIGUOUS, OUTSIDE, NONE = "resolved", "ambiguous", "outside", "none"
MAX_STREET_NAMED_LIKE_WARD_CODES = 6
WARD_KINDS = ("ward", "old_ward")
# What each ward marker may name: a "xã" is also what people call an old rural town.
_KIND_PREFIXES = {"phuong": ("phuong",), "ph": ("phuong",), "p": ("phuong",), "xa": ("xa", "thi tran"),
                  "thi tran": ("thi tran",), "tt": ("thi tran",)}


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
    address_text: str = ""  # the place inside the ward, clean ("Số 25 phố Hàng Bông")
    needs_confirmation: bool = False
    address: AddressParts = field(default_factory=AddressParts)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["address"] = self.address.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Resolution":
        """Back from `to_dict` (the NLU component's result, carried in the parse data)."""
        return cls(data.get("status") or NONE, data.get("ward_code"), data.get("ward_name"),
                   [Candidate(c["ward_code"], c["ward_name"]) for c in data.get("candidates") or []],
                   data.get("reason") or "", data.get("address_text") or "", bool(data.get("needs_confirmation")),
                   AddressParts.from_dict(data.get("address")))


@lru_cache(maxsize=1)
def _names_needing_marker() -> frozenset:
    return frozenset(key_of(iter_words(n)) for n in load_places_extra()["bare_names_need_marker"])


def _candidates(codes: Iterable[str], g: Gazetteer) -> List[Candidate]:
    return [Candidate(c, g.ward_name(c)) for c in dict.fromkeys(codes)]


def _key(unit: Unit) -> str:
    return key_of(iter_words(unit.name.text))


# --- which units count, and as what ------------------------------------------------------

def _strong(unit: Unit) -> bool:
    """Evidence enough to commit a ward: the parser placed it as a unit."""
    if unit.position == MARKED:
        return True
    return unit.placed and (_key(unit) not in _names_needing_marker() or unit.position == PAIRED)


def _weak(unit: Unit, text_has_capitals: bool) -> bool:
    """A name merely mentioned, capitalised or with its diacritics: enough to ask about,
    never to commit. A lower-case name without diacritics among other words counts for
    nothing ("ba vi can bo…" is "ba vị cán bộ", not Ba Vì)."""
    words = unit.name.text.split()
    titled = text_has_capitals and all(w[:1].isupper() for w in words)
    accented = fold(unit.name.text) != unit.name.text.lower()
    return (titled or accented or unit.position == AREA_NAME) and (
        _key(unit) not in _names_needing_marker() or unit.position == AREA_NAME)


def _is_district(unit: Unit) -> bool:
    """A bare name that is also an old district ("Đống Đa") is the district: the new ward of
    that name is only a part of it, so only "phường Đống Đa" means the ward."""
    return unit.level == "district" or (not unit.level and bool(unit.of("district")))


def _is_ward(unit: Unit) -> bool:
    return unit.level == "ward" or (not unit.level and bool(unit.of(*WARD_KINDS)) and not unit.of("district"))


def _is_province(unit: Unit) -> bool:
    """Another province or city ("Bắc Ninh", "TP HCM"); Hà Nội itself is "home", not this."""
    if unit.of("home"):
        return False
    return unit.level == "province" or (not unit.level and bool(unit.of("province")) and not unit.of(*WARD_KINDS, "district"))


# --- deciding ---------------------------------------------------------------------------------

def _outside(units: Sequence[Unit], text_has_capitals: bool) -> bool:
    for unit in units:
        if unit.number:
            return True
        if unit.doubtful:
            continue
        if unit.level and unit.refs and all(r.kind in ("outside_ward", "outside_district") for r in unit.refs):
            return True  # "phường Bến Nghé", "huyện Củ Chi"
        if unit.level == "province" and unit.of("province"):
            return True  # "tỉnh Bắc Ninh", "TP Hạ Long"
        if _is_province(unit) and (unit.placed or _weak(unit, text_has_capitals)):
            return True  # "…, Nghệ An", "ở Đà Nẵng"
    return False


def _typed_kind(unit: Unit, g: Gazetteer) -> List[PlaceRef]:
    """The unit's places of the kind its marker says: "thị trấn" is only ever an old town,
    "phường" a phường, "xã" a xã; all of them when the marker fits none (asked about)."""
    refs = unit.of(*WARD_KINDS)
    if unit.level != "ward" or not unit.marker:
        return refs
    prefix = _KIND_PREFIXES.get(unit.marker)
    fitting = [r for r in refs if prefix and fold(_official_ward(r, g)).startswith(prefix)]
    return fitting or refs


def _ward_codes(unit: Unit, districts: Set[str], g: Gazetteer) -> List[str]:
    refs = _typed_kind(unit, g)
    new = [r.key for r in refs if r.kind == "ward"]
    # old names kept only glued by the package (no official spelling) are weak: they never
    # make a new unit's own name ambiguous
    old = [g.old_wards[r.key] for r in refs if r.kind == "old_ward" and (r.accented or not new)]
    in_district = [o for o in old if o.district_key in districts]
    if in_district:
        return [c for o in in_district for c in o.new_codes]
    # A new unit of this name wins over old ones that (at least partly) became it; an old one
    # that became another unit makes the name ambiguous without its district (the old xã
    # Hòa Phú of Ứng Hòa is not today's xã Hòa Phú).
    if new and all(any(c in new for c in o.new_codes) for o in old):
        return new
    return list(dict.fromkeys(new + [c for o in old for c in o.new_codes]))


def _disagrees(unit: Unit, districts: Set[str], g: Gazetteer) -> bool:
    """A ward of one old district named with another: "phường Kim Liên, quận Hoàn Kiếm"."""
    if not districts:
        return False
    if any(g.old_wards[r.key].district_key in districts for r in unit.of("old_ward")):
        return False
    covered = {c for d in districts for c in g.new_codes_of_district(d)}
    return not any(r.key in covered for r in unit.of("ward"))


def _unit_agrees(unit: Unit, g: Gazetteer) -> bool:
    """Does "phường"/"xã"/"thị trấn" as typed fit at least one unit the name refers to?"""
    if unit.level != "ward" or not unit.marker:
        return True
    prefix = _KIND_PREFIXES.get(unit.marker)
    return prefix is None or any(fold(_official_ward(r, g)).startswith(prefix) for r in unit.of(*WARD_KINDS))


def _pick(groups: List[List[str]]) -> List[str]:
    """Codes all units agree on, or every candidate when they disagree."""
    common = set(groups[0]).intersection(*map(set, groups[1:]))
    ordered = [c for grp in groups for c in grp]
    return [c for c in ordered if c in common] if common else ordered


def _street_codes(p: Parse, g: Gazetteer) -> List[str]:
    """Wards a street is known to cross; for a street named like a ward ("phố Quán Thánh"),
    the wards of that name, near which it runs."""
    refs = p.street_refs or p.alley_refs
    codes = [c for r in refs if r.kind == "street" for c in g.streets[r.key].ward_codes]
    if codes:
        return codes
    named = [r.key for r in refs if r.kind == "ward"] + [c for r in refs if r.kind == "old_ward"
                                                        for c in g.old_wards[r.key].new_codes]
    return list(dict.fromkeys(named))[:MAX_STREET_NAMED_LIKE_WARD_CODES]


def _landmark_codes(p: Parse, g: Gazetteer) -> List[str]:
    refs = p.landmark_refs
    codes = [c for r in refs if r.kind == "street" for c in g.streets[r.key].ward_codes]
    codes += [r.key for r in refs if r.kind == "ward"]
    codes += [c for r in refs if r.kind == "old_ward" for c in g.old_wards[r.key].new_codes]
    return list(dict.fromkeys(codes))


def resolve_parse(p: Parse) -> Resolution:
    g = get_gazetteer()
    capitals = any(ch.isupper() for ch in p.text)
    units = p.units
    address = address_parts(p, g)
    place = address.place_line()

    def answer(status: str, reason: str, codes: Sequence[str] = (), code: Optional[str] = None) -> Resolution:
        return Resolution(status, code, g.ward_name(code) if code else None, _candidates(codes, g), reason, place,
                          address=address)

    if _outside(units, capitals):
        address = outside_parts(p, address)
        return Resolution(OUTSIDE, reason="outside_hanoi", address_text=address.place_line(), address=address)
    district_units = [u for u in units if _is_district(u) and (u.placed or _weak(u, capitals))]
    districts = {r.key for u in district_units for r in u.of("district")}
    ward_units = [u for u in units if _is_ward(u) and u.refs and (_strong(u) or _weak(u, capitals))]
    if any(u.position == MARKED for u in ward_units):
        ward_units = [u for u in ward_units if u.position == MARKED]
    street_codes = _street_codes(p, g) if p.street or p.alley_refs else []
    if ward_units:
        codes = _pick([_ward_codes(u, districts, g) for u in ward_units])
        narrowed = [c for c in codes if c in street_codes]
        if len(set(codes)) > 1 and narrowed:  # the street table may order the buttons, never decide alone
            codes = narrowed + [c for c in codes if c not in narrowed]
        if not all(_unit_agrees(u, g) for u in ward_units):
            return answer(AMBIGUOUS, "unit_type_mismatch", codes)
        if any(u.doubtful or (u.position not in (MARKED, PAIRED) and u.of("province")) for u in ward_units):
            return answer(AMBIGUOUS, "typo_or_outside", codes)  # "ở Yen Bai": xã Yên Bài, or the province?
        if any(_disagrees(u, districts, g) for u in ward_units):
            district_codes = [c for d in sorted(districts) for c in g.new_codes_of_district(d)]
            return answer(AMBIGUOUS, "parts_disagree", list(dict.fromkeys(codes + district_codes)))
        if len(set(codes)) == 1 and not all(_strong(u) for u in ward_units):
            return answer(AMBIGUOUS, "bare_name", codes)  # merely mentioned: ask, never commit
        if len(set(codes)) == 1:
            return answer(RESOLVED, "ward", codes, codes[0])
        return answer(AMBIGUOUS, "split_or_several_wards", codes)
    district_codes = [c for d in sorted(districts) for c in g.new_codes_of_district(d)]
    # The street table may leave out a ward a street crosses (bot/data/streets.yml): with an old
    # district it only orders the district's wards, the ones it knows first ("25 Hàng Bông, Hoàn
    # Kiếm": Phường Hoàn Kiếm, then the rest of old Hoàn Kiếm), and never decides alone.
    street_reason = "street_in_district" if district_codes else "street_only"
    for reason, near in ((street_reason, street_codes), ("landmark", _landmark_codes(p, g) if p.landmark else [])):
        if near:
            in_district = [c for c in near if c in district_codes]
            return answer(AMBIGUOUS, reason, list(dict.fromkeys(in_district + district_codes)) or near)
    if district_codes and p.street:  # a street the table does not know, in an old district
        return answer(AMBIGUOUS, "street_in_district", district_codes)
    if district_codes:
        return answer(AMBIGUOUS, "district_only", district_codes)
    if p.street or p.alleys or p.landmark or p.area or p.house_number:
        return answer(NONE, "no_ward")  # a place inside some ward: the bot asks which
    return answer(NONE, "no_place")


# --- the parts, named officially ------------------------------------------------------------

def _official_ward(ref: PlaceRef, g: Gazetteer) -> str:
    return g.old_wards[ref.key].name if ref.kind == "old_ward" else g.wards[ref.key].name


_STREET_KINDS = {"pho": "phố", "duong": "đường", "dai lo": "đại lộ", "quoc lo": "quốc lộ", "ql": "quốc lộ",
                 "tinh lo": "tỉnh lộ", "tl": "tỉnh lộ", "duong tinh": "đường tỉnh", "dt": "đường tỉnh"}


def address_parts(p: Parse, g: Gazetteer) -> AddressParts:
    street = None
    if p.street is not None:
        known = [r for r in p.street_refs if r.kind == "street"]
        street = known[0].key if known else p.street.text
    street_kind = None
    if p.street is not None:
        before = [fold(w.lower()) for w in p.text[:p.street.start].rstrip(" .").split()]
        street_kind = _STREET_KINDS.get(" ".join(before[-2:])) or _STREET_KINDS.get(before[-1] if before else "")
    old_ward = old_district = new_ward = province = None
    capitals = any(ch.isupper() for ch in p.text)
    for unit in p.units:
        if (unit.of("home") or _is_province(unit)) and (unit.placed or _weak(unit, capitals) or unit.of("home")):
            province = province or unit.name.text
        elif _is_district(unit) and unit.of("district") and (unit.placed or _weak(unit, capitals)):
            old_district = old_district or g.districts[unit.of("district")[0].key].name
        elif _is_ward(unit) and (_strong(unit) or _weak(unit, capitals)):
            typed = _typed_kind(unit, g)
            olds, news = [r for r in typed if r.kind == "old_ward"], [r for r in typed if r.kind == "ward"]
            named_district = any(u is not unit and _is_district(u) for u in p.units)
            if olds and (named_district or not news):
                old_ward = old_ward or _official_ward(olds[0], g)
            elif news:
                new_ward = new_ward or _official_ward(news[0], g)
    landmark = p.landmark.text if p.landmark else None
    area = p.area.text if p.area else None
    return AddressParts(p.house_number.text if p.house_number else None, p.alley, street, street_kind, area,
                        landmark, _lower_kind(old_ward), _lower_kind(old_district), new_ward, province)


def outside_parts(p: Parse, inside: AddressParts) -> AddressParts:
    """An address outside Hanoi keeps its units as typed: they are not ours to name."""
    ward = district = province = None
    for unit in p.units:
        typed = unit.name.text
        if unit.level == "province" or (not unit.level and unit.of("province") and not unit.of(*WARD_KINDS)):
            if unit.level == "province" and not unit.of("province") and province is None:
                district = district or typed  # "TP Thuận An": a city of a province
            else:
                province = province or typed
        elif unit.level == "district" or unit.of("outside_district") or (not unit.level and unit.of("district")):
            district = district or typed
        elif unit.level == "ward" or unit.of("outside_ward", *WARD_KINDS):
            ward = ward or typed
    return replace(inside, old_ward=ward, old_district=district, new_ward=None, province=province)


def _lower_kind(name: Optional[str]) -> Optional[str]:
    """"Phường Hàng Gai" → "phường Hàng Gai": an old name inside a sentence."""
    return name[:1].lower() + name[1:] if name else None


# --- entry points -----------------------------------------------------------------------------

def resolve_text(text: str) -> Resolution:
    return resolve_parse(parse(normalize(text or "")))


def resolve_point(lat: float, lon: float, *, strict: bool = False) -> Resolution:
    """A shared location: the nearest old ward's centroid, mapped to the new ward; to be confirmed.
    A point nearer to a neighbouring province's old ward than to any of Hanoi's is `outside`
    (`Gazetteer.in_hanoi`).
    `strict` (nobody is there to confirm, e.g. Open311): when that old ward was split among
    several new wards, `ambiguous` ("point_split") with those wards, nearest first, instead
    of the nearest one. Old wards the package places on the same centroid (Liên Phương and
    Văn Phú of Thường Tín) count as one ward split between their new wards."""
    g = get_gazetteer()
    if not g.in_hanoi(lat, lon):
        return Resolution(OUTSIDE, reason="point_outside_hanoi")  # the pin is not kept: no use to anyone
    pin = AddressParts(latitude=lat, longitude=lon)
    nearest = g.nearest_old_wards(lat, lon, limit=6)
    ranked = _codes_by_distance(lat, lon, [old for _dist, old in nearest], g)
    near = nearest[0][1]
    at_nearest = {c for dist, old in nearest if dist == nearest[0][0] for c in old.new_codes}
    if strict and len(at_nearest) > 1:
        return Resolution(AMBIGUOUS, reason="point_split", candidates=_candidates(ranked[:len(at_nearest)], g),
                          address_text=f"gần {_lower_kind(near.name)}", address=pin)
    return Resolution(RESOLVED, ranked[0], g.ward_name(ranked[0]), _candidates(ranked[:4], g), "coordinates",
                      f"vị trí bạn chia sẻ, gần {_lower_kind(near.name)}", needs_confirmation=True, address=pin)


def _codes_by_distance(lat: float, lon: float, olds: Sequence[OldWard], g: Gazetteer) -> List[str]:
    """The new wards of old wards (nearest first), each old ward's nearest new ward first."""
    ranked: List[str] = []
    for old in olds:
        by_distance = sorted(old.new_codes, key=lambda c: distance_km(lat, lon, g.wards[c].lat, g.wards[c].lon))
        ranked.extend(c for c in by_distance if c not in ranked)
    return ranked


def resolution_for_code(code: str) -> Resolution:
    """A ward the citizen picked from the candidate buttons."""
    g = get_gazetteer()
    if code not in g.wards:
        return Resolution(NONE, reason="unknown_ward_code")
    return Resolution(RESOLVED, code, g.ward_name(code), _candidates([code], g), "chosen")


def with_address(resolution: Resolution, address: AddressParts) -> Resolution:
    return replace(resolution, address=address)

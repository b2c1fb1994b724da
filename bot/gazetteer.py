"""Hanoi's wards before and after the 2025 reform, built from vietnamadminunits' data files.

We read the package's JSON data directly and never call its parser or its online geocoder
(the evaluation's baseline does, with the geocoder switched off: bot.evaluation.baselines).
"""
from __future__ import annotations

import importlib.resources
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import yaml

from bot.fuzzy import OneEditIndex
from bot.text import DATA_DIR, fold, iter_words, normalize

HANOI = "thanhphohanoi"
MAX_WARD_DISTANCE_KM = 8.0  # a point farther than this from every old Hanoi ward's centroid is not in Hanoi
# Other provinces' wards loaded: those within this many degrees of Hanoi's old wards' extent,
# wider than 2 × MAX_WARD_DISTANCE_KM (0.2° of longitude is 20.7 km at 21.4° N), so that every
# ward that can be nearer to a point than the point's nearest Hanoi ward is among them.
NEIGHBOURHOOD_MARGIN_DEG = 0.2
FUZZY_MIN_KEY_LENGTH = 6  # shorter names ("lang", "hang") are too close to everyday words
_WARD_PREFIXES = ("phuong", "xa", "thitran")
_BRACKETED = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Ward:
    code: str
    name: str  # "Phường Kim Liên"
    short_name: str  # "Kim Liên"
    kind: str  # "phuong" | "xa"
    lat: float
    lon: float


@dataclass(frozen=True)
class District:
    key: str
    name: str
    short_name: str


@dataclass(frozen=True)
class OldWard:
    key: str
    district_key: str
    name: str
    short_name: str
    lat: float
    lon: float
    new_codes: Tuple[str, ...]  # one code unless the ward was split
    aliases: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Street:
    name: str
    ward_codes: Tuple[str, ...]


@dataclass(frozen=True)
class PlaceRef:
    """One thing a phrase can name."""

    kind: str  # "ward" | "old_ward" | "district" | "street" | "province" | "home" (Hà Nội) | "outside_ward" | "outside_district"
    key: str  # ward code, old ward key, district key, street name, province short name
    accented: str  # the official spelling, to check diacritics the user did type


@dataclass
class Gazetteer:
    wards: Dict[str, Ward]
    districts: Dict[str, District]
    old_wards: Dict[str, OldWard]
    streets: Dict[str, Street]
    phrases: Dict[str, List[PlaceRef]] = field(default_factory=dict)  # key: folded, no spaces
    # Wards and districts of other provinces, only read after "phường"/"quận"...: "phường Bến Nghé"
    outside_units: Dict[str, List[PlaceRef]] = field(default_factory=dict)
    # Centroids of the other provinces' pre-2025 wards around Hanoi (`_load_neighbours`)
    neighbours: Tuple[Tuple[float, float], ...] = ()
    max_phrase_words: int = 6
    _near: Optional[OneEditIndex] = field(default=None, repr=False)

    def ward_name(self, code: str) -> str:
        return self.wards[code].name

    def old_wards_of(self, district_key: str) -> List[OldWard]:
        return [w for w in self.old_wards.values() if w.district_key == district_key]

    def new_codes_of_district(self, district_key: str) -> List[str]:
        """New wards covering an old district, the one named like the district first."""
        codes = {c for w in self.old_wards_of(district_key) for c in w.new_codes}
        same_name = self.districts[district_key].short_name
        return sorted(codes, key=lambda c: (self.wards[c].short_name != same_name, self.wards[c].short_name))

    def lookup(self, words: Sequence[str]) -> List[PlaceRef]:
        return self.phrases.get(key_of(words), [])

    def lookup_outside(self, words: Sequence[str]) -> List[PlaceRef]:
        return self.outside_units.get(key_of(words), [])

    def lookup_near(self, words: Sequence[str]) -> List[PlaceRef]:
        """Places one typo away; nothing when two different names are equally near."""
        typed = key_of(words)
        near = [k for k in self._one_edit_index().near(typed) if k[0] == typed[0]]  # typos rarely hit the first letter
        return list(self.phrases[near[0]]) if len(near) == 1 else []

    def _one_edit_index(self) -> OneEditIndex:
        if self._near is None:
            self._near = OneEditIndex(self.phrases, min_length=FUZZY_MIN_KEY_LENGTH)
        return self._near

    def nearest_old_wards(self, lat: float, lon: float, limit: int = 5) -> List[Tuple[float, OldWard]]:
        ranked = sorted(((distance_km(lat, lon, w.lat, w.lon), w) for w in self.old_wards.values()), key=lambda p: p[0])
        return ranked[:limit]

    def in_hanoi(self, lat: float, lon: float) -> bool:
        """Is the point nearer to an old Hanoi ward's centroid (within MAX_WARD_DISTANCE_KM) than
        to any neighbouring province's old ward? A Voronoi approximation of the border: no
        boundary polygon is at hand, and no point may leave the machine for a geocoder."""
        km = min(distance_km(lat, lon, w.lat, w.lon) for w in self.old_wards.values())
        return km <= MAX_WARD_DISTANCE_KM and not any(distance_km(lat, lon, a, b) < km for a, b in self.neighbours)


def key_of(words: Iterable[str]) -> str:
    """The index key of a name: folded words without spaces ("Đống Đa" → "dongda")."""
    return "".join(fold(w) for w in words)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = rlat2 - rlat1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _package_json(name: str) -> dict:
    path = importlib.resources.files("vietnamadminunits") / "data" / name
    return json.loads(path.read_text(encoding="utf-8"))


def _strip_prefix(keyword: str, prefixes: Tuple[str, ...]) -> Optional[str]:
    """'phuongkimlien' → None (we index bare names), 'kimlien' → 'kimlien'."""
    return None if keyword.startswith(prefixes) else keyword


def _load_new_wards() -> Tuple[Dict[str, Ward], Dict[str, str]]:
    raw = _package_json("parser_from_2025.json")["DICT_PROVINCE_WARD_NO_ACCENTED"][HANOI]
    wards, code_by_key = {}, {}
    for key, w in raw.items():
        kind = "xa" if w["wardType"] == "Xã" else "phuong"
        wards[w["wardCode"]] = Ward(
            w["wardCode"], normalize(w["ward"]), normalize(w["wardShort"]), kind, w["wardLat"], w["wardLon"]
        )
        code_by_key[key] = w["wardCode"]
    return wards, code_by_key


def _load_old(code_by_key: Dict[str, str]) -> Tuple[Dict[str, District], Dict[str, OldWard]]:
    legacy = _package_json("parser_legacy.json")
    converter = _package_json("converter_2025.json")
    single: Dict[str, str] = {}
    for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][HANOI].items():
        for old_key in old_keys:
            single[old_key] = code_by_key[new_key]
    split = {
        old_key: tuple(code_by_key[c["newWardKey"]] for c in sorted(cands, key=lambda c: not c["isDefaultNewWard"]))
        for old_key, cands in converter["DICT_PROVINCE_WARD_DIVIDED"][HANOI].items()
    }
    districts = {
        key: District(key, normalize(d["district"]), normalize(d["districtShort"]))
        for key, d in legacy["DICT_PROVINCE_DISTRICT"][HANOI].items()
    }
    old_wards = {}
    for district_key, wards in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"][HANOI].items():
        for ward_key, w in wards.items():
            full_key = f"{HANOI}_{district_key}_{ward_key}"
            new_codes = split.get(full_key) or ((single[full_key],) if full_key in single else ())
            if not new_codes:
                continue
            aliases = tuple(k for k in (_strip_prefix(k, _WARD_PREFIXES) for k in w["wardKeywords"]) if k)
            old_wards[full_key] = OldWard(
                full_key, district_key, normalize(w["ward"]), normalize(w["wardShort"]),
                w["wardLat"], w["wardLon"], new_codes, aliases,
            )
    return districts, old_wards


def _load_neighbours(old_wards: Dict[str, OldWard]) -> Tuple[Tuple[float, float], ...]:
    """Centroids of the other provinces' pre-2025 wards within NEIGHBOURHOOD_MARGIN_DEG of Hanoi's
    old wards. One placed exactly on a Hanoi ward's centroid is left out: the geocoder that
    made the package's data matched the Hanoi namesake (Quảng Lãng of Ân Thi, Hưng Yên, has
    the coordinates of Quang Lãng of Phú Xuyên)."""
    hanoi = {(w.lat, w.lon) for w in old_wards.values()}
    lats, lons = [lat for lat, _ in hanoi], [lon for _, lon in hanoi]
    lat_min, lat_max = min(lats) - NEIGHBOURHOOD_MARGIN_DEG, max(lats) + NEIGHBOURHOOD_MARGIN_DEG
    lon_min, lon_max = min(lons) - NEIGHBOURHOOD_MARGIN_DEG, max(lons) + NEIGHBOURHOOD_MARGIN_DEG
    legacy = _package_json("parser_legacy.json")["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"]
    points = {(w["wardLat"], w["wardLon"]) for province, districts in legacy.items() if province != HANOI
              for wards in districts.values() for w in wards.values()}
    return tuple(sorted(p for p in points if lat_min <= p[0] <= lat_max and lon_min <= p[1] <= lon_max
                        and p not in hanoi))


def _load_streets(ward_codes: Dict[str, Ward]) -> Dict[str, Street]:
    path = DATA_DIR / "streets.yml"
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    streets = {}
    for entry in raw.get("streets", []):
        codes = tuple(c for c in entry.get("wards", []) if c in ward_codes)
        if codes:
            name = normalize(entry["name"])
            streets[name] = Street(name, codes)
            for alias in entry.get("aliases") or []:
                streets.setdefault(normalize(alias), Street(name, codes))
    return streets


def _provinces() -> Dict[str, str]:
    names: Dict[str, str] = {}
    for source, key in (("parser_from_2025.json", "DICT_PROVINCE"), ("parser_legacy.json", "DICT_PROVINCE")):
        for p in _package_json(source)[key].values():
            names[normalize(p["provinceShort"])] = normalize(p["province"])
    return names


def _index(g: Gazetteer, extra: dict) -> None:
    def add(text: str, ref: PlaceRef) -> None:
        key = key_of(iter_words(text))
        if key and ref not in g.phrases.setdefault(key, []):
            g.phrases[key].append(ref)

    for w in g.wards.values():
        add(w.short_name, PlaceRef("ward", w.code, w.short_name))
    for d in g.districts.values():
        add(d.short_name, PlaceRef("district", d.key, d.short_name))
    for o in g.old_wards.values():
        add(o.short_name, PlaceRef("old_ward", o.key, o.short_name))
        for alias in o.aliases:  # folded keywords without spaces, no accented form known
            refs = g.phrases.setdefault(alias, [])
            if not any(r.kind == "old_ward" and r.key == o.key for r in refs):
                refs.append(PlaceRef("old_ward", o.key, ""))
    for name, street in g.streets.items():
        add(name, PlaceRef("street", street.name, name))
    for short in _provinces():
        if short != "Hà Nội":
            add(short, PlaceRef("province", short, short))
    for alias in ("Hà Nội", "Hanoi", "HN", "Thủ đô Hà Nội"):  # named, but it changes nothing
        add(alias, PlaceRef("home", "Hà Nội", normalize(alias) if alias != "HN" else ""))
    for alias in extra.get("outside_aliases", []):
        add(alias, PlaceRef("province", normalize(alias), ""))


def _outside_unit_names() -> Iterator[Tuple[str, Optional[str]]]:
    """(kind, accented short name) of every ward, old ward and old district outside Hanoi."""
    for province, wards in _package_json("parser_from_2025.json")["DICT_PROVINCE_WARD_NO_ACCENTED"].items():
        if province != HANOI:
            yield from (("outside_ward", w["wardShort"]) for w in wards.values())
    legacy = _package_json("parser_legacy.json")
    for province, districts in legacy["DICT_PROVINCE_DISTRICT"].items():
        if province != HANOI:
            yield from (("outside_district", d["districtShort"]) for d in districts.values())
    for province, districts in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].items():
        if province != HANOI:
            yield from (("outside_ward", w["wardShort"]) for wards in districts.values() for w in wards.values())


def _index_outside(g: Gazetteer) -> None:
    """Names of two words or more, not numbered, and not also a place in Hanoi (Hanoi wins)."""
    for kind, name in _outside_unit_names():
        if not isinstance(name, str):
            continue  # a few legacy entries have no name
        name = normalize(_BRACKETED.sub("", name))  # "Kỳ Anh (Huyện)"
        words = list(iter_words(name))
        key = key_of(words)
        if len(words) < 2 or any(ch.isdigit() for ch in key) or key in g.phrases:
            continue
        refs = g.outside_units.setdefault(key, [])
        ref = PlaceRef(kind, name, name)
        if ref not in refs:
            refs.append(ref)


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    wards, code_by_key = _load_new_wards()
    districts, old_wards = _load_old(code_by_key)
    g = Gazetteer(wards, districts, old_wards, _load_streets(wards), neighbours=_load_neighbours(old_wards))
    _index(g, load_places_extra())
    _index_outside(g)
    return g


@lru_cache(maxsize=1)
def load_places_extra() -> dict:
    return yaml.safe_load((DATA_DIR / "places.yml").read_text(encoding="utf-8"))

"""An address as structured data, and how it reads to an officer and to a citizen.

`AddressParts` is what a report stores: the house number, the alley chain, the street, the
residential area, a landmark, the old ward and district the citizen named, the new ward, a
province named, and the coordinates of a shared pin. `display()` writes the clean address
("Số 25 phố Hàng Bông, Phường Hoàn Kiếm (cũ: phường Hàng Gai, quận Hoàn Kiếm)"); the
complaint's own words never become the address.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Optional

PART_NAMES = ("house_number", "alley", "street", "area", "landmark", "old_ward", "old_district", "new_ward", "province")


@dataclass(frozen=True)
class AddressParts:
    house_number: Optional[str] = None  # "25", "12A", "15/3"
    alley: Optional[str] = None  # "120/45" (ngõ 120, ngách 45) or a named alley: "Văn Chương"
    street: Optional[str] = None  # "Hàng Bông" (the official spelling when the street is known)
    street_kind: Optional[str] = None  # "phố" | "đường" | "đại lộ" as typed, else None
    area: Optional[str] = None  # "tổ 9", "khu tập thể Kim Liên"
    landmark: Optional[str] = None  # "chợ Đồng Xuân"
    old_ward: Optional[str] = None  # "phường Hàng Gai" (official, with its kind)
    old_district: Optional[str] = None  # "quận Hoàn Kiếm"
    new_ward: Optional[str] = None  # "Phường Hoàn Kiếm": the unit the citizen named, when it is a new one
    province: Optional[str] = None
    latitude: Optional[float] = None
    longitude: Optional[float] = None

    @classmethod
    def from_dict(cls, data: Optional[dict]) -> "AddressParts":
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def merged(self, newer: "AddressParts") -> "AddressParts":
        """What the citizen said before, completed or corrected by what they say now: a new
        street brings its own house number and alley; anything not said again is kept."""
        values = {f.name: getattr(newer, f.name) if getattr(newer, f.name) is not None else getattr(self, f.name)
                  for f in fields(self)}
        if newer.street and self.street and newer.street != self.street:
            values.update(house_number=newer.house_number, alley=newer.alley, street_kind=newer.street_kind)
        return AddressParts(**values)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in PART_NAMES) and self.latitude is None

    def place_line(self) -> str:
        """Where, inside the ward: "Số 25 ngõ 120 ngách 45 phố Hàng Bông, tổ 9, gần chợ Hôm"."""
        pieces = []
        if self.house_number:
            pieces.append(f"Số {self.house_number}")
        if self.alley:
            pieces.append(alley_words(self.alley))
        if self.street:
            pieces.append(f"{self.street_kind} {self.street}" if self.street_kind else self.street)
        line = " ".join(pieces)
        extras = [p for p in (self.area, f"gần {self.landmark}" if self.landmark else None) if p]
        line = ", ".join(p for p in [line, *extras] if p)
        return line[:1].upper() + line[1:] if line else ""

    def old_line(self) -> str:
        """The old address the citizen gave: "phường Hàng Gai, quận Hoàn Kiếm"."""
        return ", ".join(p for p in (self.old_ward, self.old_district) if p)

    def display(self, ward_name: str = "") -> str:
        """The clean address for staff: "Số 25 phố Hàng Bông, Phường Hoàn Kiếm (cũ: phường Hàng
        Gai, quận Hoàn Kiếm)"; a shared pin without words: "Vị trí đã chia sẻ (21.02712,
        105.83551), Phường …"."""
        place = self.place_line()
        if not place and self.latitude is not None and self.longitude is not None:
            place = f"Vị trí đã chia sẻ ({self.latitude:.5f}, {self.longitude:.5f})"
        line = ", ".join(p for p in (place, ward_name) if p)
        if self.old_line():
            line += f" (cũ: {self.old_line()})"
        return line


ALLEY_LEVELS = ("ngõ", "ngách", "hẻm")


def alley_words(alley: str) -> str:
    """"120/45" → "ngõ 120 ngách 45" (each level named: an officer reads it without a key);
    a named alley stays "ngõ Văn Chương"."""
    numbers = alley.split("/")
    if len(numbers) > len(ALLEY_LEVELS) or not all(n.strip() for n in numbers):
        return f"ngõ {alley}"
    return " ".join(f"{level} {n.strip()}" for level, n in zip(ALLEY_LEVELS, numbers))


def osm_link(latitude: float, longitude: float) -> str:
    """A plain link to the spot on OpenStreetMap (no map tiles are loaded by us)."""
    return f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=19/{latitude:.6f}/{longitude:.6f}"


def place_key(parts: AddressParts) -> Optional[str]:
    """What makes two reports of one ward and category likely the same place: the street with
    its house number, or with its alley; a named alley alone. A street alone is too wide."""
    from bot.text import fold

    def folded(text: str) -> str:
        return " ".join(fold(text).split())

    if parts.street and parts.house_number:
        return f"{folded(parts.street)}#{parts.house_number.lower()}"
    if parts.street and parts.alley:
        return f"{folded(parts.street)}@{folded(parts.alley)}"
    if parts.alley and not parts.alley.replace("/", "").isdigit():
        return f"@{folded(parts.alley)}"
    return None

"""A shared location (or Open311's lat/long) inside or outside Hanoi: the border is where a
point stops being nearer to a Hanoi old ward's centroid than to a neighbouring province's."""
from typing import Iterator, List, Tuple

import pytest

from bot.gazetteer import OldWard, distance_km, get_gazetteer
from bot.resolver import AMBIGUOUS, OUTSIDE, RESOLVED, resolve_point
from tests.helpers.border import ACROSS_THE_BORDER

OUTSIDE_POINTS = [(lat, lon) for lat, lon, _where in ACROSS_THE_BORDER] + [
    (21.1861, 106.0763),  # Bắc Ninh city
    (10.776, 106.700),  # Ho Chi Minh City
]
BORDER_DISTRICTS = ("huyensocson", "huyenbavi", "huyenmyduc", "huyengialam", "huyendonganh", "huyenthanhoai",
                    "huyenphuxuyen")


def _old_wards_of(*districts: str) -> List[OldWard]:
    return [w for w in get_gazetteer().old_wards.values() if w.district_key in districts]


def _between_neighbours(wards: List[OldWard]) -> Iterator[Tuple[float, float]]:
    """Halfway from each ward's centroid to its two nearest Hanoi wards' centroids."""
    every = list(get_gazetteer().old_wards.values())
    for w in wards:
        nearest = sorted((o for o in every if o is not w), key=lambda o: distance_km(w.lat, w.lon, o.lat, o.lon))
        yield from (((w.lat + o.lat) / 2, (w.lon + o.lon) / 2) for o in nearest[:2])


@pytest.mark.parametrize("lat, lon", OUTSIDE_POINTS)
def test_a_point_in_a_neighbouring_province_is_outside(lat: float, lon: float) -> None:
    result = resolve_point(lat, lon)
    assert (result.status, result.reason, result.ward_code) == (OUTSIDE, "point_outside_hanoi", None)
    assert resolve_point(lat, lon, strict=True).status == OUTSIDE


def test_every_old_ward_centroid_is_inside_and_maps_to_its_new_ward() -> None:
    g = get_gazetteer()
    for old in g.old_wards.values():
        result = resolve_point(old.lat, old.lon)
        at_same_spot = {c for o in g.old_wards.values() if (o.lat, o.lon) == (old.lat, old.lon) for c in o.new_codes}
        assert result.status == RESOLVED and result.ward_code in at_same_spot, old.name
        strict = resolve_point(old.lat, old.lon, strict=True)
        assert strict.status == (AMBIGUOUS if len(at_same_spot) > 1 else RESOLVED), old.name


def test_points_between_neighbouring_wards_near_the_border_are_inside() -> None:
    g = get_gazetteer()
    points = list(_between_neighbours(_old_wards_of(*BORDER_DISTRICTS)))
    assert len(points) > 300
    assert [p for p in points if not g.in_hanoi(*p)] == []


@pytest.mark.parametrize("lat, lon, ward", [
    (21.2187, 105.8042, "Xã Nội Bài"),  # Nội Bài airport, Sóc Sơn
    (20.6175, 105.7473, "Xã Hương Sơn"),  # Chùa Hương, Mỹ Đức
    (21.158, 105.472, "Phường Sơn Tây"),  # Đường Lâm, on the Red River across from Vĩnh Phúc
    (20.9776, 105.9133, "Xã Bát Tràng"),  # Bát Tràng, on the Red River across from Hưng Yên
])
def test_places_near_the_border_stay_in_hanoi(lat: float, lon: float, ward: str) -> None:
    assert resolve_point(lat, lon).ward_name == ward


def test_neighbouring_wards_come_from_the_package_and_never_sit_on_a_hanoi_centroid() -> None:
    g = get_gazetteer()
    hanoi = {(w.lat, w.lon) for w in g.old_wards.values()}
    assert len(g.neighbours) > 500 and not hanoi.intersection(g.neighbours)

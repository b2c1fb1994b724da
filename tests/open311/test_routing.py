"""Requests filed in different wards, by every kind of location the spec allows, each go to the
right ward (the chat's resolver: new names, old names, GSO codes, points in old wards that
became one new ward, a point settling an address that was split), and a retry stores once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.open311.submission import RETRY_WINDOW, create_request
from bot.staff import users
from bot.storage.models import Report, utcnow
from tests.open311.conftest import ORGANISATION, Open311Site

# (location fields, the ward's code, its name)
PLACES = [
    ({"address_string": "số 25 phố Hàng Bông, phường Hoàn Kiếm"}, "00070", "Phường Hoàn Kiếm"),
    ({"address_string": "ngõ 120 Xã Đàn, phường Kim Liên"}, "00229", "Phường Kim Liên"),
    ({"address_string": "số 40 phố Khâm Thiên, phường Khâm Thiên, quận Đống Đa"}, "00226",
     "Phường Văn Miếu - Quốc Tử Giám"),
    ({"address_string": "xã Đông Anh"}, "00454", "Xã Đông Anh"),
    ({"address_id": "00292", "address_string": "số 10 phố Bạch Mai"}, "00292", "Phường Bạch Mai"),
    # the street table knows Hàng Bông in Phường Hoàn Kiếm only, and may be incomplete: old Hoàn Kiếm's
    # other wards are not refused
    ({"address_id": "00082", "address_string": "25 Hàng Bông, Hoàn Kiếm"}, "00082", "Phường Cửa Nam"),
    ({"lat": "21.05304", "long": "105.81288"}, "00103", "Phường Tây Hồ"),  # old phường Bưởi: one new ward
    ({"lat": "21.02054", "long": "105.85765"}, "00082", "Phường Cửa Nam"),  # old phường Phan Chu Trinh
    # old phường Láng Hạ went to three wards; a point in old Láng Thượng (now Phường Láng) settles it
    ({"address_string": "số 9 phường Láng Hạ, quận Đống Đa", "lat": "21.022", "long": "105.80408"}, "00199",
     "Phường Láng"),
]


async def test_requests_in_several_wards(site: Open311Site) -> None:
    codes = []
    for n, (where, ward_code, ward_name) in enumerate(PLACES):
        response = await site.post(service_code="sidewalk" if n % 2 else "construction",
                                   description=f"Phản ánh số {n}", **where)
        assert response.status == 200, (where, await response.text())
        code = (await response.json())[0]["service_request_id"]
        codes.append(code)
        back = (await (await site.get(f"/open311/v2/requests/{code}.json")).json())[0]
        assert (back["address_id"], back["agency_responsible"]) == (ward_code, ward_name), where
        async with site.db.session() as session:
            stored = (await session.execute(select(Report.ward_code, Report.channel, Report.latitude)
                                            .where(Report.code == code))).one()
        assert stored.ward_code == ward_code and stored.channel == "open311"
        assert (stored.latitude is not None) == ("lat" in where)
        if "lat" in where:
            # published to about 100 m: a shared location is often where the citizen stood
            assert (back["lat"], back["long"]) == (round(float(where["lat"]), 3), round(float(where["long"]), 3))
    assert len(set(codes)) == len(PLACES)


async def test_a_point_in_a_split_old_ward_is_marked_uncertain(site: Open311Site) -> None:
    """The centroid of old phường Văn Miếu Quốc Tử Giám, which went to two new wards: filed to the
    nearest, "phường chưa chắc chắn" with both, and the caller is told."""
    response = await site.post(service_code="sidewalk", lat="21.02815", long="105.83913", description="Lấn vỉa hè")
    assert response.status == 200
    created = (await response.json())[0]
    assert "xác định gần đúng theo tọa độ" in created["service_notice"]
    async with site.db.session() as session:
        ward, candidates = (await session.execute(select(Report.ward_code, Report.ward_candidates)
                                                  .where(Report.code == created["service_request_id"]))).one()
    assert (ward, candidates) == ("00226", ["00226", "00190"])
    certain = await site.post(service_code="sidewalk", lat="21.05304", long="105.81288", description="Lấn vỉa hè")
    assert "gần đúng" not in (await certain.json())[0]["service_notice"]


@pytest.mark.parametrize("address, ward, with_ward", [
    ("25 Hàng Bông, Hoàn Kiếm, Hà Nội", "Phường Hoàn Kiếm", "25 Hàng Bông, phường Hoàn Kiếm, Hà Nội"),
    ("25 Hang Bong, Hoan Kiem, Ha Noi", "Phường Hoàn Kiếm", "25 Hang Bong, phuong Hoan Kiem, Ha Noi"),
    ("Số 10 Trần Duy Hưng, Cầu Giấy", "Phường Yên Hòa", "Số 10 Trần Duy Hưng, phường Yên Hòa"),
])
async def test_a_street_and_its_old_district_ask_for_the_ward(site: Open311Site, address: str, ward: str,
                                                              with_ward: str) -> None:
    """The street table may leave out a ward the street crosses: even one ward left is asked
    about, honestly; with the ward named the report is filed."""
    refused = await site.post(service_code="sidewalk", address_string=address)
    assert refused.status == 400
    [error] = await refused.json()
    assert "có tên đường, phố và quận, huyện cũ nhưng chưa có phường, xã" in error["description"]
    assert f"(có thể là: {ward}, " in error["description"] and "mới có tên đường" not in error["description"]
    named = await site.post(service_code="sidewalk", address_string=with_ward)
    assert named.status == 200, await named.text()
    code = (await named.json())[0]["service_request_id"]
    assert (await (await site.get(f"/open311/v2/requests/{code}.json")).json())[0]["agency_responsible"] == ward


async def test_a_point_settles_a_street_and_its_old_district(site: Open311Site) -> None:
    response = await site.post(service_code="sidewalk", address_string="25 Hàng Bông, Hoàn Kiếm",
                               lat="21.0305", long="105.8470")
    assert response.status == 200, await response.text()
    code = (await response.json())[0]["service_request_id"]
    back = (await (await site.get(f"/open311/v2/requests/{code}.json")).json())[0]
    assert back["agency_responsible"] == "Phường Hoàn Kiếm"


async def test_a_retry_stores_once(site: Open311Site) -> None:
    form = {"service_code": "sidewalk", "address_string": "số 3 phố Hàng Đào, phường Hoàn Kiếm",
            "description": "Bày hàng kín vỉa hè", "attribute[loai_vi_pham]": "hang_hoa"}
    first = await site.post(**form)
    again = await site.post(data={**dict(reversed(list(form.items()))), "api_key": site.key})  # same fields, reordered
    assert first.status == again.status == 200
    assert await first.json() == await again.json()
    changed = await site.post(**{**form, "description": "Bày hàng kín vỉa hè, cả lòng đường"})
    assert (await changed.json())[0]["service_request_id"] != (await first.json())[0]["service_request_id"]
    other_key = (await users.create_token(site.db, ORGANISATION, "hệ thống thứ hai")).token
    from_other = await site.post(data={**form, "api_key": other_key})
    assert (await from_other.json())[0]["service_request_id"] != (await first.json())[0]["service_request_id"]
    async with site.db.session() as session:
        assert (await session.execute(select(func.count(Report.id)).where(Report.channel == "open311"))).scalar_one() == 3


@pytest.mark.parametrize("later, same", [(timedelta(seconds=5), True), (timedelta(minutes=9), True),
                                         (timedelta(minutes=11), False), (timedelta(minutes=59), False)])
async def test_the_retry_window(site: Open311Site, later: timedelta, same: bool) -> None:
    """A network retry comes within seconds: ten minutes, then the same form is a new report."""
    assert RETRY_WINDOW == timedelta(minutes=10)
    owner = await users.resolve_key(site.db, site.key)
    assert owner is not None
    form = {"service_code": ["construction"], "address_id": ["00229"], "description": ["Cơi nới ban công"]}
    start = utcnow().replace(minute=9, second=50)  # a retry 9 minutes later falls into the next window number
    first = await create_request(site.db, form, owner, now=start)
    retried = await create_request(site.db, form, owner, now=start + later)
    assert (retried.report.code == first.report.code) is same

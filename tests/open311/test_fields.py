"""What a POST's optional fields do: a `phone` never refuses a request (a Vietnamese mobile or
landline is kept for the ward, anything else is not, and the caller is told), `account_id` is
any printable text up to 80 characters, and a point that disagrees with `address_id` is not
kept. None of it ever shows in a GET answer."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.open311.submission import MAX_ACCOUNT_ID_CHARS, PHONE_NOT_KEPT, vietnamese_phone
from bot.storage.models import Report
from bot.zalo.zns import zns_phone
from tests.open311.conftest import Open311Site
from tests.open311.test_errors import assert_spec_errors

TAY_HO = ("21.05304", "105.81288")  # old phường Bưởi, now all Phường Tây Hồ (00103)


async def filed(site: Open311Site, **fields: str) -> tuple[dict[str, Any], Report]:
    """POST requests.json with a valid place; the answer's request and the stored row."""
    answer = await site.post(**{"service_code": "sidewalk", "address_id": "00070", **fields})
    assert answer.status == 200, await answer.text()
    created = (await answer.json())[0]
    async with site.db.session() as session:
        row = (await session.execute(select(Report).where(Report.code == created["service_request_id"]))).scalar_one()
    return created, row


async def public_bodies(site: Open311Site, code: str) -> str:
    one = await site.get(f"/open311/v2/requests/{code}.xml")
    listed = await site.get("/open311/v2/requests.json")
    page = await site.get("/tra-cuu", ma=code)
    return "\n".join([await one.text(), await listed.text(), await page.text()])


@pytest.mark.parametrize("given, stored", [
    ("0912345678", "0912345678"),
    ("+84 (912) 345 678", "0912345678"),
    ("84.912.345.678", "0912345678"),
    ("024 3825 1234", "02438251234"),  # a Hanoi landline
    ("+84 24 3825 1234", "02438251234"),
    ("(024) 3825-1234", "02438251234"),
    ("0236 382 1234", "02363821234"),  # Da Nang's
    ("0912 345 678 (anh Nam) hoặc 0987 654 321", "0912345678"),  # the first, as the chat reads it
    ("ĐT: 024.3825.1234", "02438251234"),
])
def test_vietnamese_numbers(given: str, stored: str) -> None:
    assert vietnamese_phone(given) == stored


@pytest.mark.parametrize("given", ["111111111", "12345", "0123456789", "+1 415 555 0100", "024 3825 123",
                                   "0912345678 0987654321", "gọi em", "\x00", "9" * 300, "١٢٣٤٥٦٧٨٩٠"])
def test_not_vietnamese_numbers(given: str) -> None:
    assert vietnamese_phone(given) is None


async def test_a_landline_is_kept_for_the_ward_only(site: Open311Site) -> None:
    created, row = await filed(site, phone="+84 24 3825 1234", description="Lấn vỉa hè")
    assert (row.phone, row.anonymous, row.notify_consent) == ("02438251234", False, False)
    assert PHONE_NOT_KEPT not in created["service_notice"]
    with pytest.raises(ValueError):
        zns_phone(row.phone)  # ZNS only ever messages a mobile
    bodies = await public_bodies(site, row.code)
    for form in ("02438251234", "3825 1234", "38251234"):
        assert form not in bodies and form not in created["service_notice"]


@pytest.mark.parametrize("phone", ["111111111", "9" * 300, "không có \x00"])
async def test_an_unrecognised_phone_is_not_kept(sqlite_site: Open311Site, phone: str) -> None:
    created, row = await filed(sqlite_site, phone=phone, description="Lấn vỉa hè")
    assert (row.phone, row.anonymous) == (None, True)
    assert created["service_notice"].endswith(PHONE_NOT_KEPT)
    assert phone not in created["service_notice"]


async def test_the_spec_example_is_filed(sqlite_site: Open311Site) -> None:
    """The spec's own example request, with its placeholder phone and contact fields."""
    created, row = await filed(sqlite_site, address_id="", lat="21.0287747", long="105.8524704",
                               address_string="1234 5th street", email="smit333@sfgov.edu", device_id="tt222111",
                               account_id="123456", first_name="john", last_name="smith", phone="111111111",
                               description="A large sinkhole is destroying the street",
                               media_url="http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg")
    assert row.phone is None and PHONE_NOT_KEPT in created["service_notice"]
    assert row.sender_id == "open311:cong.ihanoi:123456"


@pytest.mark.parametrize("account", ["user name 42", "org/unit/42", "Nguyễn Văn An #7", "a" * MAX_ACCOUNT_ID_CHARS,
                                     "{\"id\": 42}"])
async def test_any_printable_account_id(sqlite_site: Open311Site, account: str) -> None:
    _, row = await filed(sqlite_site, account_id=account)
    assert row.sender_id == f"open311:cong.ihanoi:{account}"
    assert account not in await public_bodies(sqlite_site, row.code)


@pytest.mark.parametrize("account, fragment", [
    ("a" * (MAX_ACCOUNT_ID_CHARS + 1), f"dài quá {MAX_ACCOUNT_ID_CHARS} ký tự"),
    ("user\tname", "ký tự điều khiển"), ("user\nname", "ký tự điều khiển"), ("user\u202ename", "ký tự điều khiển"),
    ("user\u2028name", "ký tự điều khiển"), ("\x7f", "ký tự điều khiển"),
])
async def test_account_id_refused(sqlite_site: Open311Site, account: str, fragment: str) -> None:
    answer = await sqlite_site.post(service_code="sidewalk", address_id="00070", account_id=account)
    assert_spec_errors(answer.status, await answer.text(), answer.headers["Content-Type"], "json", 400, fragment)
    assert f"{MAX_ACCOUNT_ID_CHARS} ký tự" in (await answer.json())[0]["description"]


async def test_a_point_in_another_ward_than_address_id_is_not_kept(sqlite_site: Open311Site) -> None:
    created, row = await filed(sqlite_site, address_id="00229", lat=TAY_HO[0], long=TAY_HO[1])
    assert (row.ward_code, row.latitude, row.longitude) == ("00229", None, None)
    assert "khác với address_id 00229" in created["service_notice"]
    assert "giao cho Phường Kim Liên" in created["service_notice"]
    agreeing, row = await filed(sqlite_site, address_id="00103", lat=TAY_HO[0], long=TAY_HO[1])
    assert (row.ward_code, row.latitude) == ("00103", float(TAY_HO[0]))
    assert "address_id" not in agreeing["service_notice"]
    # a point in a split old ward agrees with each of its new wards (old Văn Miếu: 00226 and 00190)
    _, row = await filed(sqlite_site, address_id="00190", lat="21.02815", long="105.83913")
    assert (row.ward_code, row.latitude) == ("00190", 21.02815)

"""Every Open311 error path answers the spec's list of {code, description} (the code is the
HTTP status: 400, 403, 404, 405, 429), in the request's format, in Vietnamese, never a 500; a
refused POST stores nothing."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.open311 import catalog
from bot.open311.catalog import Limits, Window
from bot.staff import users
from bot.storage.models import Attachment, Report
from bot.text import has_diacritics
from tests.helpers.border import ACROSS_THE_BORDER
from tests.helpers.staff import officer
from tests.open311.conftest import Open311Site

SAIGON = ("10.7769", "106.7009")


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    fragment: str  # what the description must say
    form: dict[str, str] = field(default_factory=dict)  # a POST (the site's key added unless given)
    path: str = ""  # a GET (with .{fmt} appended) or another method's path
    params: dict[str, str] = field(default_factory=dict)
    method: str = "GET"


def post(name: str, status: int, fragment: str, **form: str) -> Case:
    return Case(name, status, fragment, form={"service_code": "sidewalk", **form}, method="POST")


CASES = [
    Case("missing service_code", 400, "Thiếu service_code", form={"address_id": "00070"}, method="POST"),
    post("unknown service_code", 404, "Không có dịch vụ mã “o-ga”", service_code="o-ga", address_id="00070"),
    post("no location", 400, "Thiếu vị trí", description="Bàn ghế kín vỉa hè"),
    post("split old ward", 400, "Phường Láng, Phường Đống Đa, Phường Giảng Võ",
         address_string="số 5 phường Láng Hạ, quận Đống Đa"),
    post("street alone", 400, "mới có tên đường, phố", address_string="phố Bà Triệu"),
    post("outside Hanoi", 400, "ngoài thành phố Hà Nội", address_string="123 Lê Lợi, quận 1, TP Hồ Chí Minh"),
    post("point outside Hanoi", 400, "ngoài thành phố Hà Nội", lat=SAIGON[0], long=SAIGON[1]),
    *(post(f"point in {where}", 400, "ngoài thành phố Hà Nội", lat=str(lat), long=str(lon))
      for lat, lon, where in ACROSS_THE_BORDER),
    post("a Hanoi address and a point across the border", 400, "ngoài thành phố Hà Nội",
         address_string="số 3 phố Hàng Đào, phường Hoàn Kiếm", lat="21.1167", long="105.9627"),
    post("a point far from the address", 400, "mới có tên đường, phố", address_string="phố Bà Triệu",
         lat="21.05304", long="105.81288"),
    post("lat without long", 400, "cả lat và long", lat="21.03"),
    post("lat not a number", 400, "số thập phân", lat="nan", long="105.8"),
    post("unknown address_id", 400, "không phải mã của phường", address_id="99999"),
    post("address_id and another ward", 400, "khác với address_id", address_id="00229",
         address_string="số 3 phố Hàng Đào, phường Hoàn Kiếm"),
    post("address_id outside the street's old district", 400, "khác với address_id", address_id="00103",
         address_string="25 Hàng Bông, Hoàn Kiếm"),
    # old phường Láng Hạ went to three wards, none of them Kim Liên
    post("address_id and a split ward that is not it", 400, "khác với address_id", address_id="00229",
         address_string="phường Láng Hạ, quận Đống Đa"),
    post("wrong key", 403, "api_key không hợp lệ", api_key="pat_0123456789", address_id="00070"),
    post("no key", 403, "Thiếu api_key", api_key="", address_id="00070"),
    post("description over 4000 characters", 400, "vượt quá 4000 ký tự", address_id="00070", description="x" * 4001),
    post("unknown attribute value", 400, "không có trong danh sách", address_id="00070",
         **{"attribute[loai_vi_pham]": "khong_phep"}),
    post("bad media_url", 400, "media_url", address_id="00070", media_url="javascript:alert(1)"),
    Case("bad start_date", 400, "không đúng định dạng", path="/open311/v2/requests", params={"start_date": "hôm qua"}),
    Case("over 90 days", 400, "quá 90 ngày", path="/open311/v2/requests",
         params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}),
    Case("start after end", 400, "trước end_date", path="/open311/v2/requests",
         params={"start_date": "2026-06-01", "end_date": "2026-05-01"}),
    Case("bad status", 400, "chỉ nhận open, closed", path="/open311/v2/requests", params={"status": "pending"}),
    Case("bad service_code filter", 400, "service_code", path="/open311/v2/requests", params={"service_code": "o-ga"}),
    Case("bad request id", 400, "không phải mã phản ánh", path="/open311/v2/requests",
         params={"service_request_id": "PA-0000OO"}),
    Case("unknown request", 404, "Không có phản ánh mã", path="/open311/v2/requests/PA-ZZZZZZ"),
    Case("unknown service", 404, "Không có dịch vụ mã", path="/open311/v2/services/o-ga"),
    Case("unknown path", 404, "Không có tài nguyên Open311", path="/open311/v2/tokens/123"),
    Case("wrong method", 405, "Phương thức PUT", path="/open311/v2/requests", method="PUT"),
]


def errors_in(body: str, fmt: str) -> list[dict[str, Any]]:
    """The spec's error list, from either format."""
    if fmt == "json":
        return json.loads(body)
    root = ElementTree.fromstring(body.encode("utf-8"))
    assert root.tag == "errors"
    return [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]


def assert_spec_errors(status: int, body: str, content_type: str, fmt: str, expected: int, fragment: str) -> None:
    assert status == expected, body
    assert content_type == ("application/json" if fmt == "json" else "text/xml") + "; charset=utf-8"
    errors = errors_in(body, fmt)
    assert errors and all(set(e) == {"code", "description"} and e["code"] == expected for e in errors), body
    assert fragment in errors[0]["description"] and has_diacritics(errors[0]["description"]), errors[0]


async def count_reports(site: Open311Site) -> int:
    async with site.db.session() as session:
        return (await session.execute(select(func.count(Report.id)))).scalar_one()


async def send(site: Open311Site, case: Case, fmt: str, http: aiohttp.ClientSession) -> tuple[int, str, str]:
    if case.method == "POST":
        form = {"api_key": site.key, **case.form}
        response = await http.post(f"{site.api}/requests.{fmt}", data=form)
    else:
        response = await http.request(case.method, f"{site.url}{case.path}.{fmt}", params=case.params)
    async with response:
        return response.status, await response.text(), response.headers.get("Content-Type", "")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_every_error_path(site: Open311Site, fmt: str) -> None:
    before = await count_reports(site)
    async with aiohttp.ClientSession() as http:
        for case in CASES:
            status, body, content_type = await send(site, case, fmt, http)
            assert status < 500, (case.name, body)
            assert_spec_errors(status, body, content_type, fmt, case.status, case.fragment)
    assert await count_reports(site) == before  # nothing refused was stored


async def test_keys_that_are_not_integration_keys(sqlite_site: Open311Site) -> None:
    """A ward officer's API token, a revoked key and a disabled organisation open nothing."""
    await officer(sqlite_site.db, "canbo.hoankiem", "00070")
    staff_token = (await users.create_token(sqlite_site.db, "canbo.hoankiem")).token
    revoked = await users.create_token(sqlite_site.db, "cong.ihanoi", "cũ")
    await users.revoke_token(sqlite_site.db, revoked.id)
    await users.add_user(sqlite_site.db, "cong.cu", None, "integration")
    disabled = (await users.create_token(sqlite_site.db, "cong.cu")).token
    await users.set_active(sqlite_site.db, "cong.cu", False)
    for key in (staff_token, revoked.token, disabled):
        response = await sqlite_site.post(api_key=key, service_code="sidewalk", address_id="00070")
        assert_spec_errors(response.status, await response.text(), response.headers["Content-Type"], "json", 403,
                           "api_key không hợp lệ")
    assert (await sqlite_site.post(service_code="sidewalk", address_id="00070")).status == 200


async def test_other_bodies(sqlite_site: Open311Site) -> None:
    async with aiohttp.ClientSession() as http:
        as_json = await http.post(f"{sqlite_site.api}/requests.json", json={"api_key": sqlite_site.key})
        assert_spec_errors(as_json.status, await as_json.text(), as_json.headers["Content-Type"], "json", 400,
                           "application/x-www-form-urlencoded")
        huge = await http.post(f"{sqlite_site.api}/requests.xml",
                               data={"api_key": sqlite_site.key, "description": "x" * 70_000})
        assert_spec_errors(huge.status, await huge.text(), huge.headers["Content-Type"], "xml", 400, "quá lớn")
        long_text = multipart(sqlite_site.key, description="x" * 70_000)
        too_long = await http.post(f"{sqlite_site.api}/requests.json", data=long_text)
        assert_spec_errors(too_long.status, await too_long.text(), too_long.headers["Content-Type"], "json", 400,
                           "văn bản tối đa 64 KB")
        over_the_body_limit = multipart(sqlite_site.key, photo=b"x" * (12 * 1024 * 1024), service_code="sidewalk",
                                        address_id="00070")
        refused = await http.post(f"{sqlite_site.api}/requests.json", data=over_the_body_limit)
        assert_spec_errors(refused.status, await refused.text(), refused.headers["Content-Type"], "json", 400,
                           "cả biểu mẫu tối đa 11 MB")


def multipart(key: str, *, photo: bytes = b"", **fields: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("api_key", key)
    for name, value in fields.items():
        form.add_field(name, value)
    if photo:
        form.add_field("media", photo, filename="vi-pham.jpg", content_type="image/jpeg")
    return form


async def test_multipart_with_a_file_part(sqlite_site: Open311Site) -> None:
    """A client that attaches the photo itself: the file part is dropped (the spec's way is
    `media_url`), the text fields make the report."""
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 1200  # about 300 KB, beyond the text limit
    form = multipart(sqlite_site.key, photo=photo, service_code="sidewalk", address_id="00070",
                     description="Bày hàng kín vỉa hè", media_url="https://hinh.example/vi-pham.jpg")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sqlite_site.api}/requests.xml", data=form) as answer:
            assert answer.status == 200, await answer.text()
    async with sqlite_site.db.session() as session:
        report = (await session.execute(select(Report).where(Report.channel == "open311"))).scalar_one()
        attached = (await session.execute(select(func.count(Attachment.id)))).scalar_one()
    assert (report.ward_code, report.citizen_text) == ("00070", "Bày hàng kín vỉa hè")
    assert "https://hinh.example/vi-pham.jpg" in report.description and attached == 0
    assert list(sqlite_site.tmp.rglob("*.jpg")) == []  # nothing of the file kept


def tight(**counts: int) -> Limits:
    windows = {name: Window(counts.get(name, 1000), 60) for name in Limits.__dataclass_fields__}
    return Limits(**windows)


async def test_rate_limits(sqlite_site: Open311Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "limits", lambda: tight(read_per_ip=3, read_per_key=5, create_per_key=2))
    for _ in range(3):
        assert (await sqlite_site.get("/open311/v2/services.json")).status == 200
    refused = await sqlite_site.get("/open311/v2/requests.xml")
    assert_spec_errors(refused.status, await refused.text(), refused.headers["Content-Type"], "xml", 429,
                       "Quá nhiều yêu cầu")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # a key is counted on its own, not under the address
    assert (await sqlite_site.get("/open311/v2/services.json", api_key=sqlite_site.key)).status == 200
    for n in range(2):
        created = await sqlite_site.post(service_code="sidewalk", address_id="00070", description=f"lần {n}")
        assert created.status == 200
    over = await sqlite_site.post(service_code="sidewalk", address_id="00070", description="lần 3")
    assert_spec_errors(over.status, await over.text(), over.headers["Content-Type"], "json", 429, "thử lại sau")
    # a wrong key counts under the address, which is spent: 429 before the key is even looked at
    assert (await sqlite_site.post(api_key="pat_nope", address_id="00070")).status == 429


FIELDS = ["service_code", "lat", "long", "address_string", "address_id", "description", "media_url", "phone",
          "account_id", "email", "first_name", "attribute[loai_vi_pham]", "attribute[khac][]", "jurisdiction_id"]
odd = st.text(max_size=60) | st.sampled_from(
    ["sidewalk", "construction", "21.0346", "105.85", "00070", "99999", "phường Kim Liên", "số 5 phố Huế",
     "phường Láng Hạ, quận Đống Đa", "ban_ghe", "0912345678", "https://a.example/x.jpg", "1e309", "-0", "\x00",
     "ở Đà Nẵng", "", "PA-222222", "9" * 40])


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")), deadline=None,
          derandomize=not os.environ.get("FUZZ_RANDOM"),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(form=st.dictionaries(st.sampled_from(FIELDS), odd, max_size=8), fmt=st.sampled_from(["json", "xml"]))
async def test_no_form_answers_500(sqlite_site: Open311Site, monkeypatch: pytest.MonkeyPatch, form: dict[str, str],
                                   fmt: str) -> None:
    monkeypatch.setattr(catalog, "limits", lambda: tight())  # the examples are not a flood
    async with aiohttp.ClientSession() as http:
        form = {"api_key": sqlite_site.key, **form}
        async with http.post(f"{sqlite_site.api}/requests.{fmt}", data=form) as response:
            body = await response.text()
            assert response.status in (200, 400, 404), body
            if response.status != 200:
                assert_spec_errors(response.status, body, response.headers["Content-Type"], fmt, response.status, "")

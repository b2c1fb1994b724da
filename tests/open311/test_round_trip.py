"""A third-party GeoReport v2 client (the PyPI package `georeport`) against our running web
server, in JSON and in XML: it lists the services and a definition, reads back a request it
filed and filters requests. `georeport` 0.3.1 has no call to create a request, so the request is
posted as the spec says (a form-encoded POST with the key), with `requests` like the client."""
from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import requests
import xmltodict
from georeport import GeoReport
from sqlalchemy import func, select

from bot import statuses
from bot.sla import due_at_for
from bot.staff import workflow
from bot.storage.models import Notification, Report, StatusHistory
from tests.helpers.console import login
from tests.helpers.staff import officer
from tests.open311.conftest import Open311Site, in_thread

FORMATS = ["json", "xml"]


def as_list(value: Any) -> list:
    """xmltodict gives one repeated element as a dict, several as a list."""
    return value if isinstance(value, list) else [value]


def post_form(site: Open311Site, fmt: str, **fields: str) -> requests.Response:
    return requests.post(f"{site.api}/requests.{fmt}", data={"api_key": site.key, **fields}, timeout=60)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_georeport_client_round_trip(site: Open311Site, fmt: str) -> None:
    client = GeoReport(site.api, api_key=site.key, output_format=fmt)

    services = await in_thread(client.get_service_list)
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"sidewalk", "construction"}
    assert by_code["sidewalk"]["service_name"] == "Lấn chiếm vỉa hè, lòng đường"
    assert by_code["construction"]["service_name"] == "Vi phạm trật tự xây dựng"
    assert str(by_code["sidewalk"]["metadata"]).lower() == "true"
    assert by_code["sidewalk"]["type"] == "realtime"

    definition = await in_thread(client.get_service_definition, "construction")
    attributes = definition["attributes"] if fmt == "json" else as_list(definition["attributes"]["attribute"])
    violation = attributes[0]
    assert definition["service_code"] == "construction" and violation["code"] == "loai_vi_pham"
    values = violation["values"] if fmt == "json" else as_list(violation["values"]["value"])
    assert {"key": "sai_phep", "name": "Xây dựng sai phép (thêm tầng, ban công)"} in values

    answer = await in_thread(post_form, site, fmt, service_code="construction",
                             address_string="số 18 ngõ 120 phố Xã Đàn, phường Kim Liên",
                             description="Nhà đang xây thêm tầng 5 không có giấy phép",
                             **{"attribute[loai_vi_pham]": "sai_phep"})
    assert answer.status_code == 200, answer.text
    created = answer.json()[0] if fmt == "json" else xmltodict.parse(answer.content)["service_requests"]["request"]
    code = created["service_request_id"]
    assert code.startswith("PA-") and f"/tra-cuu?ma={code}" in created["service_notice"]

    back = await in_thread(client.get_service_request, code)
    assert back["service_request_id"] == code and back["status"] == "open"
    assert back["service_code"] == "construction" and back["agency_responsible"] == "Phường Kim Liên"
    assert back["address"] == "Số 18 ngõ 120 phố Xã Đàn, Phường Kim Liên, Hà Nội"
    assert back["address_id"] == "00229"
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert back[field].endswith("+07:00"), back[field]
    assert not back.get("description")  # the citizen's words are never published

    other = (await in_thread(post_form, site, fmt, service_code="sidewalk", address_id="00070",
                             description="Xe máy đỗ kín vỉa hè")).status_code
    assert other == 200
    sidewalk_open = as_list(await in_thread(client.get_service_requests, service_code="sidewalk", status="open"))
    assert {r["service_code"] for r in sidewalk_open} == {"sidewalk"} and code not in {
        r["service_request_id"] for r in sidewalk_open}
    chosen = as_list(await in_thread(client.get_service_requests,
                                     service_request_id=f"{code},{site.chat_report.code}"))
    assert [r["service_request_id"] for r in chosen] == [code, site.chat_report.code]  # newest first
    closed = as_list(await in_thread(client.get_service_requests, status="closed"))
    assert [r["service_request_id"] for r in closed] == [site.chat_report.code]
    assert closed[0]["status"] == "closed"


async def test_created_request_is_a_chat_report(site: Open311Site) -> None:
    """The same row the chat's submit makes: status, deadline, first history entry; channel open311."""
    answer = await site.post(service_code="sidewalk", address_string="số 25 phố Hàng Bông, phường Hoàn Kiếm",
                             description="Quán cà phê bày bàn ghế kín vỉa hè", phone="+84 912 000 111",
                             account_id="ihanoi-user-42", **{"attribute[loai_vi_pham]": "ban_ghe"})
    assert answer.status == 200
    code = (await answer.json())[0]["service_request_id"]
    async with site.db.session() as session:
        report = (await session.execute(select(Report).where(Report.code == code))).scalar_one()
        history = (await session.execute(
            select(StatusHistory).where(StatusHistory.report_id == report.id))).scalars().all()
    assert report.channel == "open311" and report.status == statuses.NEW and report.ward_code == "00070"
    assert report.due_at == due_at_for(statuses.SIDEWALK, statuses.NORMAL, report.created_at)
    assert report.phone == "0912000111" and not report.anonymous
    assert report.sender_id == "open311:cong.ihanoi:ihanoi-user-42"
    assert (report.house_number, report.street, report.named_ward) == ("25", "Hàng Bông", "Phường Hoàn Kiếm")
    assert report.address_text == "Số 25 phố Hàng Bông, Phường Hoàn Kiếm"
    assert report.citizen_text == "Quán cà phê bày bàn ghế kín vỉa hè"
    assert report.description.splitlines() == ["Quán cà phê bày bàn ghế kín vỉa hè", "Loại vi phạm: Bày bàn ghế quán ăn, cà phê",
                                               "Nguồn: Cổng iHanoi (Open311)"]
    assert [(h.event, h.to_status) for h in history] == [(statuses.EVENT_STATUS, statuses.NEW)]


async def test_the_ward_works_an_open311_report_like_any_other(sqlite_site: Open311Site) -> None:
    """In the console: the channel, the description with what came with it, the phone for the
    ward; handling it closes it for Open311 with the result note."""
    answer = await sqlite_site.post(service_code="construction",
                                    address_string="số 12 ngõ 5 phố Hàng Bông, phường Hoàn Kiếm", description="Cơi nới ban công tầng 3", phone="0912000222",
                                    media_url="https://hinh.invalid/ban-cong.jpg")
    code = (await answer.json())[0]["service_request_id"]
    await officer(sqlite_site.db, "canbo.hoankiem", "00070")
    async with aiohttp.ClientSession(base_url=sqlite_site.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await login(http, "canbo.hoankiem")
        page = await (await http.get(f"/console/reports/{code}")).text()
    for shown in ("Hệ thống tích hợp (Open311)", "Cơi nới ban công tầng 3", "https://hinh.invalid/ban-cong.jpg",
                  "Nguồn: Cổng iHanoi (Open311)", "0912000222"):
        assert shown in page, shown
    staff = await officer(sqlite_site.db, "canbo.hoankiem2", "00070")
    await workflow.perform(sqlite_site.db, staff, code, workflow.HANDLE,
                           workflow.ActionInput(note="Đã buộc tháo dỡ phần cơi nới"))
    back = (await (await sqlite_site.get(f"/open311/v2/requests/{code}.json")).json())[0]
    assert (back["status"], back["status_notes"]) == ("closed", "Đã buộc tháo dỡ phần cơi nới")
    async with sqlite_site.db.session() as session:
        queued = (await session.execute(select(func.count(Notification.id)))).scalar_one()
    assert queued == 1  # the chat report's news only: nobody of ours to message on Open311

"""Nothing personal in any Open311 answer: every body, of every endpoint, in both formats, after
requests that carried phone numbers, citizen ids and words, is searched for them."""
from __future__ import annotations

import re

import aiohttp

from tests.open311.conftest import CHAT_PHONE, CHAT_SENDER, CHAT_WORDS, RESULT_NOTE, Open311Site

OPEN311_PHONE, OPEN311_ACCOUNT = "0977 123 456", "ihanoi-citizen-5521"
OPEN311_WORDS = "Ông hàng xóm số 7 xây lấn ra ngõ, tôi là Nguyễn Văn Bình ở số 9"
STAFF_PHONE = "0987 654 321"  # written by the officer in the result note


def phone_forms(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    return [phone, digits, "+84" + digits[1:], "84" + digits[1:], f"{digits[:4]} {digits[4:7]} {digits[7:]}"]


def secrets_of(site: Open311Site) -> list[str]:
    return [*phone_forms(CHAT_PHONE), *phone_forms(OPEN311_PHONE), *phone_forms(STAFF_PHONE), CHAT_SENDER,
            OPEN311_ACCOUNT, CHAT_WORDS, OPEN311_WORDS, "Nguyễn Văn Bình", "cong.ihanoi", "bún đậu"]


async def test_no_personal_data_in_any_answer(site: Open311Site) -> None:
    bodies: dict[str, str] = {}
    async with aiohttp.ClientSession() as http:
        for fmt in ("json", "xml"):
            async with http.post(f"{site.api}/requests.{fmt}", data={
                    "api_key": site.key, "service_code": "construction",
                    "address_string": "số 7 ngõ 32 phố Khâm Thiên, phường Văn Miếu - Quốc Tử Giám",
                    "description": OPEN311_WORDS, "phone": OPEN311_PHONE, "account_id": OPEN311_ACCOUNT,
                    "first_name": "Bình", "last_name": "Nguyễn Văn", "email": "binh@example.com",
                    "media_url": "https://hinh.invalid/nha-so-7.jpg", "jurisdiction_id": "hanoi.gov.vn"}) as created:
                assert created.status == 200
                bodies[f"POST requests.{fmt}"] = await created.text()
        codes = [site.chat_report.code]
        for path in ["/open311/discovery", "/open311/v2/services", "/open311/v2/services/sidewalk",
                     "/open311/v2/services/construction", "/open311/v2/requests",
                     f"/open311/v2/requests/{site.chat_report.code}", "/open311/v2/requests/PA-ZZZZZZ"]:
            for fmt in ("json", "xml"):
                for params in ({}, {"status": "closed"}, {"service_request_id": ",".join(codes)}):
                    async with http.get(f"{site.url}{path}.{fmt}", params=params) as answer:
                        assert answer.status in (200, 404)
                        bodies[f"GET {path}.{fmt} {params}"] = await answer.text()
    listed = bodies["GET /open311/v2/requests.json {}"]
    assert site.chat_report.code in listed and listed.count("PA-") >= 3  # the bodies do hold the reports
    for where, body in bodies.items():
        for secret in secrets_of(site):
            assert secret not in body, f"{secret!r} in {where}"
    # the officer's result note is public (the spec's status_notes), its phone number masked
    assert RESULT_NOTE.split(".")[0] in listed and "098****321" in listed
    for private in ("hinh.invalid", "binh@example.com"):
        assert [where for where, body in bodies.items() if private in body] == [], private

"""Reading is public: a GET needs no key, whatever `api_key` it carries (a wrong one is counted as
a keyless call under the client address, never a 403), and any web page may read the answers
(CORS), errors included; filing stays closed to other origins' scripts."""
from __future__ import annotations

import pytest

from bot.open311 import catalog
from bot.staff import users
from tests.open311.conftest import Open311Site
from tests.open311.test_errors import assert_spec_errors, tight

READS = ["/open311/discovery.json", "/open311/v2/services.json", "/open311/v2/services/sidewalk.xml",
         "/open311/v2/requests.json", "/open311/v2/requests.xml"]


async def test_a_wrong_key_on_a_get_is_ignored(sqlite_site: Open311Site) -> None:
    revoked = await users.create_token(sqlite_site.db, "cong.ihanoi", "cũ")
    await users.revoke_token(sqlite_site.db, revoked.id)
    for key in ("pat_nope", "some-other-city-key", revoked.token):
        for path in READS:
            answer = await sqlite_site.get(path, api_key=key)
            assert answer.status == 200, (key, path, await answer.text())
    one = await sqlite_site.get(f"/open311/v2/requests/{sqlite_site.chat_report.code}.json", api_key="pat_nope")
    assert (await one.json())[0]["service_request_id"] == sqlite_site.chat_report.code


async def test_a_wrong_key_counts_as_keyless(sqlite_site: Open311Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "limits", lambda: tight(read_per_ip=2, read_per_key=3))
    assert (await sqlite_site.get("/open311/v2/services.json", api_key="pat_nope")).status == 200
    assert (await sqlite_site.get("/open311/v2/services.json")).status == 200
    over = await sqlite_site.get("/open311/v2/requests.json", api_key="pat_still-nope")
    assert_spec_errors(over.status, await over.text(), over.headers["Content-Type"], "json", 429, "Quá nhiều yêu cầu")
    # a valid integration key keeps its own limit
    for _ in range(3):
        assert (await sqlite_site.get("/open311/v2/services.json", api_key=sqlite_site.key)).status == 200
    assert (await sqlite_site.get("/open311/v2/services.json", api_key=sqlite_site.key)).status == 429


async def test_reading_is_open_to_any_origin(sqlite_site: Open311Site) -> None:
    for path in [*READS, "/open311/v2/requests/PA-ZZZZZZ.json", "/open311/v2/nothing-here.xml"]:
        answer = await sqlite_site.get(path)
        assert answer.headers.get("Access-Control-Allow-Origin") == "*", path
        assert "Access-Control-Allow-Credentials" not in answer.headers
    refused = await sqlite_site.get("/open311/v2/requests.json", start_date="hôm qua")
    assert refused.status == 400 and refused.headers["Access-Control-Allow-Origin"] == "*"
    for form in ({"service_code": "sidewalk", "address_id": "00070"}, {"service_code": "o-ga"}):
        posted = await sqlite_site.post(**form)
        assert posted.status in (200, 404) and "Access-Control-Allow-Origin" not in posted.headers

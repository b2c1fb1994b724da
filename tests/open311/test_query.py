"""GET requests' filters as the spec reads them: the 90-day window, W3C dates, open/closed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot import statuses
from bot.open311.errors import Open311Error
from bot.open311.query import SPAN, parse_datetime, requests_query
from tests.open311.conftest import Open311Site
from tests.open311.test_errors import assert_spec_errors

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def test_the_window() -> None:
    assert (lambda q: (q.since, q.until))(requests_query({}, NOW)) == (NOW - SPAN, NOW)
    start = datetime(2026, 8, 1, tzinfo=timezone.utc)
    assert (lambda q: (q.since, q.until))(requests_query({"start_date": "2026-08-01T00:00:00Z"}, NOW)) == (
        start, start + SPAN)
    assert (lambda q: (q.since, q.until))(requests_query({"end_date": "2026-08-01T00:00:00Z"}, NOW)) == (
        start - SPAN, start)
    with pytest.raises(Open311Error):
        requests_query({"start_date": "2026-01-01", "end_date": "2026-04-02"}, NOW)  # 91 days


def test_w3c_dates() -> None:
    hanoi_midnight = datetime(2026, 7, 31, 17, 0, tzinfo=timezone.utc)
    assert parse_datetime("start_date", "2026-08-01") == hanoi_midnight  # a day is a Hanoi day
    assert parse_datetime("start_date", "2026-08-01T00:00:00") == hanoi_midnight  # no zone: Hanoi time
    assert parse_datetime("start_date", "2026-08-01T00:00:00+07:00") == hanoi_midnight
    assert parse_datetime("start_date", "2026-07-31T17:00:00Z") == hanoi_midnight
    for bad in ("01/08/2026", "2026-13-01", "1999-01-01", "2026-08-01T25:00", "", "2026-8-1", "2026-08-01T09:00+25:00",
                "2026-08-01T09:00:00.Z", "hôm qua", "٢٠٢٦"):
        with pytest.raises(Open311Error):
            parse_datetime("start_date", bad)


@pytest.mark.parametrize("text, expected", [
    ("2026-08-01T09:00:00.5Z", datetime(2026, 8, 1, 9, 0, 0, 500000, tzinfo=timezone.utc)),
    ("2026-08-01T09:00:00.1234Z", datetime(2026, 8, 1, 9, 0, 0, 123400, tzinfo=timezone.utc)),
    ("2026-08-01T16:00:00.123456789+07:00", datetime(2026, 8, 1, 9, 0, 0, 123456, tzinfo=timezone.utc)),
    ("2026-08-01T16:00:00,25+07:00", datetime(2026, 8, 1, 9, 0, 0, 250000, tzinfo=timezone.utc)),
    ("2026-08-01T16:00:00+0700", datetime(2026, 8, 1, 9, tzinfo=timezone.utc)),
    ("2026-08-01T16:00+07", datetime(2026, 8, 1, 9, tzinfo=timezone.utc)),
    ("2026-08-01T04:30:00-04:30", datetime(2026, 8, 1, 9, tzinfo=timezone.utc)),
    ("2026-08-01t09:00z", datetime(2026, 8, 1, 9, tzinfo=timezone.utc)),
    ("2026-08", datetime(2026, 7, 31, 17, tzinfo=timezone.utc)),  # the month's first Hanoi midnight
    ("2026", datetime(2025, 12, 31, 17, tzinfo=timezone.utc)),  # the year's
])
def test_every_w3c_form_clients_send(text: str, expected: datetime) -> None:
    assert parse_datetime("start_date", text) == expected


async def test_w3c_forms_over_http(sqlite_site: Open311Site) -> None:
    for start in ("2026-08-01T09:00:00.5Z", "2026-08", "2026"):
        answer = await sqlite_site.get("/open311/v2/requests.json", start_date=start)
        assert answer.status == 200, (start, await answer.text())
    refused = await sqlite_site.get("/open311/v2/requests.xml", end_date="2026-08-01T09:00:00+7")
    assert_spec_errors(refused.status, await refused.text(), refused.headers["Content-Type"], "xml", 400,
                       "không đúng định dạng")


def test_filters() -> None:
    query = requests_query({"status": "open", "service_code": "sidewalk,construction,sidewalk"}, NOW)
    assert set(query.statuses) == {statuses.NEW, statuses.ACKNOWLEDGED, statuses.IN_PROGRESS}
    assert query.categories == ("sidewalk", "construction")
    assert set(requests_query({"status": "CLOSED"}, NOW).statuses) == statuses.CLOSED_STATUSES
    assert requests_query({"status": "open,closed"}, NOW).statuses == ()
    by_code = requests_query({"service_request_id": "pa-7k2q9x, PA-7K2Q9X,PA 22222A", "status": "bogus"}, NOW)
    assert by_code.codes == ("PA-7K2Q9X", "PA-22222A") and by_code.since is None  # codes override the rest
    with pytest.raises(Open311Error):
        requests_query({"service_request_id": ",".join(["PA-7K2Q9X"] * 1001)}, NOW)
    assert requests_query({"start_date": "2026-11-01"}, NOW).until - requests_query(
        {"start_date": "2026-11-01"}, NOW).since == timedelta(days=90)

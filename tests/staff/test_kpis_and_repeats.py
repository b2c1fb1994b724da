"""KPIs, likely duplicates and hotspots on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from bot import statuses
from bot.staff.kpis import compute_kpis, csv_row
from bot.staff.repeats import hotspots, likely_duplicates, place_words, same_place
from bot.storage.db import Database
from bot.storage.models import Report
from bot.storage.reports import change_status, submit_report
from tests.helpers.reports import sample_draft

MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hanoi


async def report_at(db: Database, moment: datetime, **changes: object) -> str:
    return (await submit_report(db, sample_draft(**changes), now=moment)).code


async def test_kpis_count_on_time_late_medians_satisfaction_and_backlog(db: Database) -> None:
    on_time = await report_at(db, MONDAY)
    await change_status(db, on_time, statuses.ACKNOWLEDGED, "staff", now=MONDAY + timedelta(hours=2))
    await change_status(db, on_time, statuses.HANDLED, "staff", note="đã dọn", now=MONDAY + timedelta(days=1))
    late = await report_at(db, MONDAY)
    await change_status(db, late, statuses.ACKNOWLEDGED, "staff", now=MONDAY + timedelta(hours=4))
    await change_status(db, late, statuses.HANDLED, "staff", note="đã dọn", now=MONDAY + timedelta(days=20))
    await report_at(db, MONDAY, ward_code="00229")  # still open, long overdue
    async with db.session() as session, session.begin():
        await session.execute(update(Report).where(Report.code == on_time).values(satisfaction="satisfied"))
        await session.execute(update(Report).where(Report.code == late).values(satisfaction="unsatisfied"))

    now = MONDAY + timedelta(days=30)
    city, wards = await compute_kpis(db, MONDAY - timedelta(days=1), MONDAY + timedelta(days=1), now=now)
    assert (city.received, city.on_time, city.late) == (3, 1, 2)  # the open overdue one counts as late
    assert city.on_time_rate == 1 / 3
    assert city.median_ack_hours == 3.0
    assert city.long_overdue == 1 and city.backlog == {"trên 15 ngày": 1}
    assert city.satisfaction_share("satisfied") == 0.5 and city.satisfied_or_accepting == 0.5
    assert set(wards) == {"00226", "00229"} and wards["00229"].received == 1
    row = csv_row(wards["00226"], "Phường Văn Miếu - Quốc Tử Giám")
    assert row[:4] == ("00226", "Phường Văn Miếu - Quốc Tử Giám", 2, "0.500")
    _, only_kim_lien = await compute_kpis(db, MONDAY - timedelta(days=1), MONDAY + timedelta(days=1), wards=["00229"], now=now)
    assert set(only_kim_lien) == {"00229"}


def test_addresses_name_the_same_place_when_their_words_agree() -> None:
    ward = "Văn Miếu - Quốc Tử Giám"
    assert same_place(place_words("số 12 phố Khâm Thiên", ward), place_words("12 kham thien, p. Van Mieu Quoc Tu Giam", ward))
    assert not same_place(place_words("số 12 phố Khâm Thiên", ward), place_words("số 21 phố Khâm Thiên", ward))
    assert not same_place(place_words("số 12 phố Khâm Thiên", ward), place_words("số 12 phố Tôn Đức Thắng", ward))


async def test_an_open_report_at_the_same_place_is_a_likely_duplicate(db: Database) -> None:
    first = await report_at(db, MONDAY, address_text="số 12 phố Khâm Thiên")
    second = await report_at(db, MONDAY + timedelta(days=3), address_text="12 Kham Thien")
    elsewhere = await report_at(db, MONDAY + timedelta(days=3), address_text="số 40 phố Khâm Thiên")
    other_category = await report_at(db, MONDAY + timedelta(days=3), address_text="12 Khâm Thiên", category=statuses.CONSTRUCTION)
    too_late = await report_at(db, MONDAY + timedelta(days=45), address_text="12 Khâm Thiên")
    assert [r.code for r in await likely_duplicates(db, second)] == [first]
    assert {r.code for r in await likely_duplicates(db, first)} == {second}
    assert await likely_duplicates(db, elsewhere) == [] and await likely_duplicates(db, other_category) == []
    assert await likely_duplicates(db, too_late) == []


async def test_a_place_reported_again_after_handling_is_a_hotspot(db: Database) -> None:
    handled = await report_at(db, MONDAY, address_text="số 12 phố Khâm Thiên")
    await change_status(db, handled, statuses.HANDLED, "staff", note="đã dọn", now=MONDAY + timedelta(days=1))
    again = await report_at(db, MONDAY + timedelta(days=10), address_text="12 Khâm Thiên")
    await report_at(db, MONDAY + timedelta(days=10), address_text="số 40 phố Khâm Thiên")  # another place, once
    [spot] = await hotspots(db, since=MONDAY - timedelta(days=1))
    assert (spot.ward_code, spot.reports, spot.repeats, spot.last_code) == ("00226", 2, 1, again)
    assert await hotspots(db, wards=["00229"], since=MONDAY - timedelta(days=1)) == []


async def test_backlog_counts_every_open_report_and_reopening_clears_handled(db: Database) -> None:
    await report_at(db, MONDAY - timedelta(days=90))  # came in long before the period, still open
    reopened = await report_at(db, MONDAY)
    await change_status(db, reopened, statuses.HANDLED, "staff", note="đã dọn", now=MONDAY + timedelta(days=1))
    await change_status(db, reopened, statuses.IN_PROGRESS, "citizen", note="vẫn còn", now=MONDAY + timedelta(days=2))
    city, _ = await compute_kpis(db, MONDAY - timedelta(days=1), MONDAY + timedelta(days=1), now=MONDAY + timedelta(days=3))
    assert city.received == 1 and sum(city.backlog.values()) == 2 and city.long_overdue == 1
    assert city.handle_hours == []  # reopened: no longer counts as handled


async def test_likely_duplicates_by_street_and_house_number(db: Database) -> None:
    from bot.address.parts import AddressParts
    from bot.storage.reports import submit_report
    from tests.helpers.reports import sample_draft

    def at(number: str, street: str = "Khâm Thiên") -> AddressParts:
        return AddressParts(house_number=number, street=street, street_kind="phố")

    first = (await submit_report(db, sample_draft(address=at("25")))).code
    same = (await submit_report(db, sample_draft(address=at("25", "kham thien")))).code
    next_door = (await submit_report(db, sample_draft(address=at("27")))).code
    assert {r.code for r in await likely_duplicates(db, first)} == {same}
    assert [r.code for r in await likely_duplicates(db, next_door)] == []

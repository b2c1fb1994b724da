"""The officer's queue: scope, filters, sorting, keyset pagination, counts; overdue lists."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot import statuses
from bot.staff.access import SUPERVISOR
from bot.staff.errors import AccessDenied
from bot.staff.queue import (
    DUE, NEWEST, OLDEST, WARD, InvalidCursor, QueueFilter, encode_cursor, list_queue, overdue_overview,
)
from bot.storage.db import Database
from bot.storage.reports import ReportView, change_status, submit_report
from bot.storage.wards import WardRow, seed_wards
from tests.helpers.reports import sample_draft
from tests.helpers.staff import WARD_A, WARD_B, staff

OFFICER_A = staff(wards=(WARD_A,))
WATCHER = staff(SUPERVISOR, wards=())
# Monday 2025-03-10 09:00 in Hanoi.
MONDAY = datetime(2025, 3, 10, 2, 0, tzinfo=timezone.utc)


async def add(db: Database, created: datetime, **changes: object) -> ReportView:
    return await submit_report(db, sample_draft(**changes), now=created)


async def all_pages(db: Database, filters: QueueFilter, page_size: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = await list_queue(db, OFFICER_A, filters, cursor, page_size=page_size)
        pages.append([row.code for row in page.rows])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


async def test_keyset_pagination_returns_every_row_once_in_order(db: Database) -> None:
    reports = []
    for n in range(57):  # groups of identical timestamps: ties are broken by id
        reports.append(await add(db, MONDAY + timedelta(hours=7 * (n // 4)), ward_code=WARD_A,
                                 priority=statuses.URGENT if n % 5 == 0 else statuses.NORMAL))
    await add(db, MONDAY, ward_code=WARD_B)  # not this officer's
    by_id = list(reversed(reports))  # submit order = id order
    expected = {
        NEWEST: [r.code for r in sorted(by_id, key=lambda r: r.created_at, reverse=True)],
        OLDEST: [r.code for r in sorted(reports, key=lambda r: r.created_at)],
        DUE: [r.code for r in sorted(reports, key=lambda r: r.due_at)],
    }
    for sort, codes in expected.items():
        pages = await all_pages(db, QueueFilter(sort=sort), page_size=10)
        assert [len(p) for p in pages] == [10, 10, 10, 10, 10, 7]
        assert [code for page in pages for code in page] == codes, sort


async def test_rows_added_meanwhile_do_not_shift_pages(db: Database) -> None:
    for n in range(6):
        await add(db, MONDAY + timedelta(minutes=n))
    first = await list_queue(db, OFFICER_A, QueueFilter(), page_size=3)
    await add(db, MONDAY + timedelta(days=1))  # a newer report arrives while reading page 1
    second = await list_queue(db, OFFICER_A, QueueFilter(), first.next_cursor, page_size=3)
    seen = [r.code for r in first.rows + second.rows]
    assert len(set(seen)) == 6 and second.next_cursor is None


async def test_cursor_must_match_the_sort(db: Database) -> None:
    with pytest.raises(InvalidCursor):
        await list_queue(db, OFFICER_A, QueueFilter(sort=DUE), encode_cursor(NEWEST, MONDAY, 1))
    with pytest.raises(InvalidCursor):
        await list_queue(db, OFFICER_A, QueueFilter(), "không-phải-con-trỏ")


async def test_filters_and_counts(db: Database) -> None:
    now = MONDAY + timedelta(days=30)
    fresh = await add(db, now - timedelta(hours=1), description="Xây thêm tầng 5 không phép",
                      category=statuses.CONSTRUCTION, citizen_text="nha so 5 ngo 10 xay them tang",
                      address_text="Ngõ 10 Khâm Thiên")
    late = await add(db, MONDAY, description="Bày hàng kín vỉa hè", address_text="15 Tôn Đức Thắng")
    closed_late = await add(db, MONDAY + timedelta(hours=1), description="Rửa xe trên vỉa hè")
    await change_status(db, closed_late.code, statuses.HANDLED, "canbo", "Đã nhắc nhở")
    evening = await add(db, datetime(2025, 3, 20, 16, 30, tzinfo=timezone.utc))  # 23:30 on the 20th in Hanoi
    await add(db, MONDAY, ward_code=WARD_B, description="Bày hàng kín vỉa hè")

    async def codes(**filters: object) -> list[str]:
        page = await list_queue(db, OFFICER_A, QueueFilter(**filters), now=now)
        return sorted(row.code for row in page.rows)

    assert await codes() == sorted([fresh.code, late.code, closed_late.code, evening.code])
    assert await codes(statuses=(statuses.HANDLED,)) == [closed_late.code]
    assert await codes(statuses=(statuses.HANDLED, statuses.NEW)) == await codes()
    assert await codes(category=statuses.CONSTRUCTION) == [fresh.code]
    assert await codes(overdue=True) == sorted([late.code, evening.code])
    assert await codes(created_from=date(2025, 3, 20), created_to=date(2025, 3, 20)) == [evening.code]
    assert await codes(created_to=date(2025, 3, 10)) == sorted([late.code, closed_late.code])
    assert await codes(text="vỉa hè") == sorted([late.code, closed_late.code, evening.code])  # evening: sample text
    assert await codes(text="TÔN ĐỨC") == [late.code]  # case-insensitive beyond ASCII, on both backends
    assert await codes(text="ton duc thang") == [late.code]  # and with or without diacritics
    assert await codes(text="tang khâm") == [fresh.code]  # citizen's words + address
    assert await codes(text=fresh.code.lower().replace("-", " ")) == [fresh.code]
    assert await codes(text="50%_") == []

    page = await list_queue(db, OFFICER_A, QueueFilter(), now=now)
    assert page.counts[statuses.NEW] == 3 and page.counts[statuses.HANDLED] == 1 and page.overdue_count == 2
    flags = {row.code: row.overdue for row in page.rows}
    assert flags == {fresh.code: False, late.code: True, closed_late.code: False, evening.code: True}


async def test_scope_by_role_and_ward_filter(db: Database) -> None:
    mine = await add(db, MONDAY, ward_code=WARD_A)
    theirs = await add(db, MONDAY, ward_code=WARD_B)
    rows = (await list_queue(db, WATCHER, QueueFilter())).rows
    assert {r.code for r in rows} == {mine.code, theirs.code}
    assert [r.code for r in (await list_queue(db, WATCHER, QueueFilter(ward=WARD_B))).rows] == [theirs.code]
    with pytest.raises(AccessDenied):
        await list_queue(db, OFFICER_A, QueueFilter(ward=WARD_B))
    two_wards = staff(wards=(WARD_A, WARD_B))
    assert len((await list_queue(db, two_wards, QueueFilter())).rows) == 2
    assert (await list_queue(db, staff(wards=()), QueueFilter())).rows == []


async def test_overdue_overview(db: Database) -> None:
    now = MONDAY + timedelta(days=40)
    very_late = await add(db, MONDAY, ward_code=WARD_B)
    late = await add(db, now - timedelta(days=8), ward_code=WARD_A)
    await add(db, now - timedelta(hours=1), ward_code=WARD_A)  # not yet due
    done = await add(db, MONDAY, ward_code=WARD_A)
    await change_status(db, done.code, statuses.REJECTED, "canbo", "Không thuộc thẩm quyền")

    wards = await overdue_overview(db, WATCHER, now=now)
    assert [(w.ward_code, w.open_count, w.overdue_count, w.long_overdue_count) for w in wards] == [
        (WARD_B, 1, 1, 1), (WARD_A, 2, 1, 0)]
    assert [r.code for r in wards[0].most_overdue] == [very_late.code]
    assert [r.code for r in wards[1].most_overdue] == [late.code]
    with pytest.raises(AccessDenied):
        await overdue_overview(db, OFFICER_A, now=now)


async def test_sorted_by_ward_name_in_vietnamese_order_with_pages(db: Database) -> None:
    """"Phường Đống Đa" comes after "Phường Dịch Vọng" and before "Phường Hai Bà Trưng" (a
    plain ORDER BY name would put Đ after V); within a ward, newest first."""
    await seed_wards(db, [WardRow("00200", "Phường Đống Đa", "Đống Đa", "phuong"),
                          WardRow("00201", "Phường Dịch Vọng", "Dịch Vọng", "phuong"),
                          WardRow("00202", "Phường Yên Hòa", "Yên Hòa", "phuong")])
    wards = ["00200", "00202", WARD_A, "00201", WARD_B, "00256", "00292"]
    made: dict[str, list[str]] = {}
    for n in range(3):
        for ward in wards:
            made.setdefault(ward, []).append((await add(db, MONDAY + timedelta(hours=n), ward_code=ward)).code)
    # Bạch Mai, Dịch Vọng, Đống Đa, Hai Bà Trưng, Kim Liên, Văn Miếu - Quốc Tử Giám, Yên Hòa
    order = ["00292", "00201", "00200", "00256", WARD_B, WARD_A, "00202"]
    expected = [code for ward in order for code in reversed(made[ward])]
    pages, cursor = [], None
    while True:
        page = await list_queue(db, WATCHER, QueueFilter(sort=WARD), cursor, page_size=4)
        pages.append([row.code for row in page.rows])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 1]
    assert [code for page in pages for code in page] == expected
    with pytest.raises(InvalidCursor):  # a ward-order cursor names a ward, the others do not
        await list_queue(db, WATCHER, QueueFilter(sort=WARD), encode_cursor(WARD, MONDAY, 1))
    with pytest.raises(InvalidCursor):
        await list_queue(db, WATCHER, QueueFilter(sort=WARD), encode_cursor(WARD, MONDAY, 1, "x' OR 1=1"))
    with pytest.raises(InvalidCursor):
        await list_queue(db, WATCHER, QueueFilter(), encode_cursor(NEWEST, MONDAY, 1, WARD_A))

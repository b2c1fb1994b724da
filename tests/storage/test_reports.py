"""The report repository on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot import statuses
from bot.storage.db import Database
from bot.storage.errors import InvalidReport, InvalidTransition, ReportNotFound, UnknownWard
from bot.storage.models import Attachment, Report, StatusHistory
from bot.storage.reports import (
    ReportDraft,
    change_status,
    find_report,
    list_reports_for_sender,
    submit_report,
)

CODE_SHAPE = re.compile(r"^PA-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")
# Tuesday 2025-03-11 09:00 in Hanoi.
TUESDAY_9AM = datetime(2025, 3, 11, 2, 0, tzinfo=timezone.utc)


def make_draft(**changes: object) -> ReportDraft:
    draft = ReportDraft(
        draft_key="rest:user-1:1",
        category=statuses.SIDEWALK,
        description="Quán cà phê bày bàn ghế kín vỉa hè",
        citizen_text="quán cf số 12 phố khâm thiên bày bàn ghế hết vỉa hè, ng đi bộ phải xuống đường",
        address_text="12 Khâm Thiên",
        ward_code="00226",
        latitude=21.0190,
        longitude=105.8300,
        channel="rest",
        sender_id="user-1",
        phone="0912345678",
        anonymous=False,
        photo_urls=["http://localhost:8080/uploads/a.jpg", "http://localhost:8080/uploads/b.jpg"],
    )
    return replace(draft, **changes)


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_submit_stores_everything(db: Database) -> None:
    view = await submit_report(db, make_draft(), now=TUESDAY_9AM)

    assert CODE_SHAPE.match(view.code)
    assert view.status == statuses.NEW
    assert view.status_label == "Chờ xử lý"
    assert view.category_label == "Lấn chiếm vỉa hè, lòng đường"
    assert view.ward_name == "Phường Văn Miếu - Quốc Tử Giám"
    assert view.created_at == TUESDAY_9AM and view.created_at.tzinfo is not None
    # 3 working days, counted from Wednesday: due Friday 17:00 Hanoi = 10:00 UTC.
    assert view.due_at == datetime(2025, 3, 14, 10, 0, tzinfo=timezone.utc)
    assert view.photo_urls == make_draft().photo_urls
    assert view.latest_note is None

    async with db.session() as session:
        report = (await session.execute(select(Report))).scalar_one()
        history = (await session.execute(select(StatusHistory))).scalars().all()
    assert report.citizen_text == make_draft().citizen_text
    assert (report.phone, report.anonymous, report.priority) == ("0912345678", False, "normal")
    assert [(h.from_status, h.to_status, h.actor) for h in history] == [(None, "new", "citizen")]
    assert await count(db, Attachment) == 2


async def test_same_draft_key_twice_creates_one_report(db: Database) -> None:
    first = await submit_report(db, make_draft())
    second = await submit_report(db, make_draft(description="changed"))
    assert second == first
    assert await count(db, Report) == 1
    assert await count(db, StatusHistory) == 1
    assert await count(db, Attachment) == 2


async def test_concurrent_double_submit_creates_one_report(db: Database) -> None:
    views = await asyncio.gather(*(submit_report(db, make_draft()) for _ in range(4)))
    assert len({view.code for view in views}) == 1
    assert await count(db, Report) == 1
    assert await count(db, StatusHistory) == 1
    assert await count(db, Attachment) == 2


async def test_code_collision_draws_another_code(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["PA-AAAAAA", "PA-AAAAAA", "PA-BBBBBB"])
    monkeypatch.setattr("bot.storage.reports.generate_code", lambda: next(codes))
    first = await submit_report(db, make_draft(draft_key="k1"))
    second = await submit_report(db, make_draft(draft_key="k2"))
    assert (first.code, second.code) == ("PA-AAAAAA", "PA-BBBBBB")


async def test_unknown_ward_and_bad_category_are_refused(db: Database) -> None:
    with pytest.raises(UnknownWard):
        await submit_report(db, make_draft(ward_code="99999"))
    with pytest.raises(InvalidReport):
        await submit_report(db, make_draft(category="streetlight"))
    assert await count(db, Report) == 0


async def test_urgent_report_due_in_working_hours(db: Database) -> None:
    view = await submit_report(
        db, make_draft(priority=statuses.URGENT, category=statuses.CONSTRUCTION), now=TUESDAY_9AM
    )
    # 09:00 + 8 working hours: 3h to noon, 3.5h afternoon, 1.5h Wednesday → 09:30.
    assert view.due_at == datetime(2025, 3, 12, 2, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{body}", "pa {body}", "  Pa-{lower} "])
async def test_find_report_with_messy_input(db: Database, typed: str) -> None:
    code = (await submit_report(db, make_draft())).code
    body = code[3:]
    text = typed.format(code=code, lower=body.lower(), body=body)
    found = await find_report(db, text)
    assert found is not None and found.code == code


async def test_find_report_misses(db: Database) -> None:
    await submit_report(db, make_draft())
    assert await find_report(db, "PA-222222") is None
    assert await find_report(db, "không nhớ mã") is None


async def test_list_for_sender_newest_first(db: Database) -> None:
    for day in range(3):
        await submit_report(
            db, make_draft(draft_key=f"k{day}", description=f"lần {day}"),
            now=TUESDAY_9AM + timedelta(days=day),
        )
    await submit_report(db, make_draft(draft_key="zalo", channel="zalo"), now=TUESDAY_9AM)
    await submit_report(db, make_draft(draft_key="other", sender_id="user-2"))

    rest = await list_reports_for_sender(db, "rest", "user-1")
    assert [v.description for v in rest] == ["lần 2", "lần 1", "lần 0"]
    assert len(await list_reports_for_sender(db, None, "user-1")) == 4
    assert len(await list_reports_for_sender(db, None, "user-1", limit=2)) == 2
    assert await list_reports_for_sender(db, "rest", "nobody") == []


async def test_change_status_records_history(db: Database) -> None:
    code = (await submit_report(db, make_draft(), now=TUESDAY_9AM)).code
    later = TUESDAY_9AM + timedelta(hours=2)

    view = await change_status(db, code, statuses.IN_PROGRESS, "canbo:00226", "Đã cử tổ kiểm tra",
                               now=later)
    assert view.status_label == "Đang xử lý"
    assert view.latest_note == "Đã cử tổ kiểm tra"
    assert view.updated_at == later

    view = await change_status(db, code.lower(), statuses.HANDLED, "canbo:00226",
                               "Đã yêu cầu quán dọn bàn ghế", now=later + timedelta(hours=1))
    assert view.status_label == "Đã xử lý"

    async with db.session() as session:
        rows = (await session.execute(
            select(StatusHistory).order_by(StatusHistory.id)
        )).scalars().all()
    assert [(r.from_status, r.to_status, r.actor) for r in rows] == [
        (None, "new", "citizen"),
        ("new", "in_progress", "canbo:00226"),
        ("in_progress", "handled", "canbo:00226"),
    ]
    assert rows[1].created_at == later


async def test_change_status_refuses_invalid_transition(db: Database) -> None:
    code = (await submit_report(db, make_draft())).code
    await change_status(db, code, statuses.REJECTED, "canbo:00226", "Không thuộc thẩm quyền")
    with pytest.raises(InvalidTransition):
        await change_status(db, code, statuses.HANDLED, "canbo:00226", None)
    assert (await find_report(db, code)).status == statuses.REJECTED
    assert await count(db, StatusHistory) == 2


async def test_change_status_of_unknown_report(db: Database) -> None:
    with pytest.raises(ReportNotFound):
        await change_status(db, "PA-222222", statuses.ACKNOWLEDGED, "canbo", None)


async def test_a_report_keeps_its_address_parts_and_a_clean_address(db: Database) -> None:
    from bot.address.parts import AddressParts
    from bot.storage.reports import parts_of, transfer_report

    parts = AddressParts(house_number="25", alley="120/45", street="Khâm Thiên", street_kind="phố",
                         old_ward="phường Khâm Thiên", old_district="quận Đống Đa", latitude=21.019, longitude=105.83)
    view = await submit_report(db, make_draft(address=parts, address_text="quán cf số 25 … (the citizen's words)"))
    assert view.address_text == ("Số 25 ngõ 120 ngách 45 phố Khâm Thiên, Phường Văn Miếu - Quốc Tử Giám "
                                 "(cũ: phường Khâm Thiên, quận Đống Đa)")
    async with db.session() as session:
        row = (await session.execute(select(Report).where(Report.code == view.code))).scalar_one()
        assert (row.house_number, row.alley, row.street, row.old_district) == ("25", "120/45", "Khâm Thiên", "quận Đống Đa")
        assert row.place_key == "kham thien#25" and parts_of(row).latitude == 21.019
    moved = await transfer_report(db, view.code, "00229", "staff", "Địa bàn phường Kim Liên")
    assert moved.address_text.startswith("Số 25 ngõ 120 ngách 45 phố Khâm Thiên, Phường Kim Liên")


async def test_parts_longer_than_their_columns_are_clipped_not_refused(db: Database) -> None:
    """An odd message can give the parser a 30-character "house number": the report is stored
    (on PostgreSQL a too-long value would refuse the whole row)."""
    from bot.address.parts import AddressParts
    from tests.helpers.reports import stored_report

    view = await stored_report(db, address=AddressParts(house_number="1" * 30, alley="ngõ " + "9" * 140))
    assert view.address.house_number == "1" * 20 and len(view.address.alley or "") == 100

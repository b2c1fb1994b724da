"""Staff actions: the state machine, history, notifications, transfer and duplicates."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import statuses
from bot.staff import workflow
from bot.staff.access import ADMIN, SUPERVISOR
from bot.staff.details import load_detail
from bot.staff.errors import AccessDenied, ActionRefused, StaleReport
from bot.staff.queue import QueueFilter, list_queue
from bot.staff.workflow import ActionInput, perform
from bot.storage.db import Database
from bot.storage.errors import ReportNotFound
from bot.storage.models import Attachment, Notification, Report, StatusHistory, utcnow
from bot.storage.reports import find_report
from tests.helpers.reports import stored_report
from tests.helpers.staff import WARD_A, WARD_B, staff

OFFICER_A = staff(wards=(WARD_A,), username="canbo.a")
OFFICER_B = staff(wards=(WARD_B,), username="canbo.b")


async def history(db: Database, code: str) -> list[StatusHistory]:
    async with db.session() as session:
        return list((await session.scalars(
            select(StatusHistory).join(Report, Report.id == StatusHistory.report_id)
            .where(Report.code == code).order_by(StatusHistory.id))).all())


async def notifications(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list((await session.scalars(select(Notification).order_by(Notification.id))).all())


async def report_row(db: Database, code: str) -> Report:
    async with db.session() as session:
        return (await session.scalars(select(Report).where(Report.code == code))).one()


def test_every_staff_status_change_is_in_transitions(monkeypatch: pytest.MonkeyPatch) -> None:
    workflow._check_against_transitions()
    broken = {**workflow.ACTIONS, "start": workflow.Action(
        "start", "x", statuses.IN_PROGRESS, frozenset({statuses.REJECTED}), False, "", "")}
    monkeypatch.setattr(workflow, "ACTIONS", broken)
    with pytest.raises(AssertionError, match="rejected → in_progress"):
        workflow._check_against_transitions()


def test_available_actions_follow_the_status() -> None:
    names = lambda status: [a.name for a in workflow.available_actions(status)]  # noqa: E731
    assert names(statuses.NEW) == ["acknowledge", "start", "handle", "reject", "duplicate", "transfer", "note"]
    assert names(statuses.IN_PROGRESS) == ["handle", "reject", "duplicate", "transfer", "note"]
    assert names(statuses.HANDLED) == ["note"]
    assert names(statuses.REJECTED) == ["acknowledge", "note"]


async def test_acknowledge_start_handle_with_history_milestones_and_notifications(db: Database) -> None:
    report = await stored_report(db, ward_code=WARD_A)
    t0 = utcnow()
    await perform(db, OFFICER_A, report.code, "acknowledge", ActionInput(), now=t0)
    await perform(db, OFFICER_A, report.code, "start", ActionInput(note="Đã cử tổ kiểm tra",
                                                                   expected_status="acknowledged"),
                  now=t0 + timedelta(hours=1))
    photo = "http://localhost:8080/uploads/" + "a" * 32 + ".jpg"
    view = await perform(db, OFFICER_A, report.code, "handle",
                         ActionInput(note="Đã yêu cầu quán dọn bàn ghế, vỉa hè thông thoáng", photo_url=photo),
                         now=t0 + timedelta(hours=2))
    assert view.status == statuses.HANDLED and view.latest_note.startswith("Đã yêu cầu")

    rows = await history(db, report.code)
    assert [(h.event, h.from_status, h.to_status, h.actor) for h in rows] == [
        ("status", None, "new", "citizen"),
        ("status", "new", "acknowledged", "canbo.a"),
        ("status", "acknowledged", "in_progress", "canbo.a"),
        ("status", "in_progress", "handled", "canbo.a"),
    ]
    stored = await report_row(db, report.code)
    assert stored.acknowledged_at == t0 and stored.handled_at == t0 + timedelta(hours=2)
    async with db.session() as session:
        kinds = (await session.execute(select(Attachment.kind, Attachment.url))).all()
    assert ("result_photo", photo) in kinds

    sent = await notifications(db)
    assert len(sent) == 3 and {(n.channel, n.recipient_id) for n in sent} == {(stored.channel, stored.sender_id)}
    assert "tiếp nhận" in sent[0].text
    assert "Kết quả: Đã yêu cầu quán dọn bàn ghế" in sent[2].text and photo in sent[2].text


async def test_acknowledged_at_is_kept_from_the_first_response(db: Database) -> None:
    report = await stored_report(db)
    t0 = utcnow()
    await perform(db, OFFICER_A, report.code, "reject", ActionInput(note="Không thuộc thẩm quyền"), now=t0)
    await perform(db, OFFICER_A, report.code, "acknowledge", ActionInput(), now=t0 + timedelta(days=1))
    assert (await report_row(db, report.code)).acknowledged_at == t0


@pytest.mark.parametrize(("action", "message"), [
    ("handle", "kết quả xử lý"), ("reject", "lý do từ chối"), ("transfer", "lý do chuyển"), ("note", "nội dung ghi chú"),
])
async def test_notes_are_required(db: Database, action: str, message: str) -> None:
    report = await stored_report(db)
    with pytest.raises(ActionRefused, match=message):
        await perform(db, OFFICER_A, report.code, action, ActionInput(note="   ", target_ward=WARD_B))
    assert len(await history(db, report.code)) == 1 and await notifications(db) == []


async def test_invalid_transitions_are_refused(db: Database) -> None:
    report = await stored_report(db)
    await perform(db, OFFICER_A, report.code, "handle", ActionInput(note="Đã xử lý"))
    for action in ("start", "acknowledge", "reject", "transfer"):
        with pytest.raises(ActionRefused, match="Không thể"):
            await perform(db, OFFICER_A, report.code, action, ActionInput(note="x", target_ward=WARD_B))
    with pytest.raises(ActionRefused, match="không hợp lệ"):
        await perform(db, OFFICER_A, report.code, "delete", ActionInput())
    with pytest.raises(ActionRefused, match="ảnh kết quả"):
        await perform(db, OFFICER_A, report.code, "note", ActionInput(note="x", photo_url="http://x/y.jpg"))
    assert (await find_report(db, report.code)).status == statuses.HANDLED


async def test_who_may_act(db: Database) -> None:
    report = await stored_report(db, ward_code=WARD_A)
    for outsider in (OFFICER_B, staff(SUPERVISOR, wards=())):
        with pytest.raises(AccessDenied):
            await perform(db, outsider, report.code, "acknowledge", ActionInput())
    with pytest.raises(ReportNotFound):
        await perform(db, OFFICER_A, "PA-222222", "acknowledge", ActionInput())
    view = await perform(db, staff(ADMIN, wards=()), report.code, "acknowledge", ActionInput())
    assert view.status == statuses.ACKNOWLEDGED


async def test_stale_view_is_refused(db: Database) -> None:
    report = await stored_report(db)
    await perform(db, OFFICER_A, report.code, "start", ActionInput())
    with pytest.raises(StaleReport):
        await perform(db, OFFICER_A, report.code, "acknowledge", ActionInput(expected_status=statuses.NEW))


async def test_transfer_moves_the_report_between_queues(db: Database) -> None:
    report = await stored_report(db, ward_code=WARD_A)
    await perform(db, OFFICER_A, report.code, "acknowledge", ActionInput())
    view = await perform(db, OFFICER_A, report.code, "transfer",
                         ActionInput(note="Địa chỉ thuộc phường Kim Liên", target_ward=WARD_B))
    assert (view.ward_code, view.status) == (WARD_B, statuses.ACKNOWLEDGED)

    assert [r.code for r in (await list_queue(db, OFFICER_A, QueueFilter())).rows] == []
    assert [r.code for r in (await list_queue(db, OFFICER_B, QueueFilter())).rows] == [report.code]
    with pytest.raises(AccessDenied):
        await load_detail(db, OFFICER_A, report.code)
    with pytest.raises(AccessDenied):
        await perform(db, OFFICER_A, report.code, "note", ActionInput(note="x"))

    last = (await history(db, report.code))[-1]
    assert (last.event, last.from_status, last.to_status, last.actor) == (
        "transfer", "acknowledged", "acknowledged", "canbo.a")
    assert "Phường Văn Miếu - Quốc Tử Giám (00226)" in last.note and "Phường Kim Liên (00229)" in last.note
    assert "Địa chỉ thuộc phường Kim Liên" in last.note
    news = (await notifications(db))[-1]
    assert "đã được chuyển đến UBND Phường Kim Liên" in news.text


@pytest.mark.parametrize(("target", "message"), [(WARD_A, "đã thuộc"), ("99999", "Không có phường"), ("", "chọn phường")])
async def test_transfer_refusals(db: Database, target: str, message: str) -> None:
    report = await stored_report(db, ward_code=WARD_A)
    with pytest.raises(ActionRefused, match=message):
        await perform(db, OFFICER_A, report.code, "transfer", ActionInput(note="nhầm", target_ward=target))
    assert (await find_report(db, report.code)).ward_code == WARD_A


async def test_duplicate_links_to_the_original(db: Database) -> None:
    original = await stored_report(db, ward_code=WARD_A)
    copy = await stored_report(db, ward_code=WARD_A)
    view = await perform(db, OFFICER_A, copy.code, "duplicate", ActionInput(original_code=original.code.lower()))
    assert view.status == statuses.DUPLICATE and view.latest_note == f"Trùng với phản ánh {original.code}."
    assert (await report_row(db, copy.code)).duplicate_of_id == (await report_row(db, original.code)).id

    copy_detail = await load_detail(db, OFFICER_A, copy.code)
    original_detail = await load_detail(db, OFFICER_A, original.code)
    assert copy_detail.duplicate_of.code == original.code and copy_detail.duplicate_of.readable
    assert [d.code for d in original_detail.duplicates] == [copy.code]
    assert "trùng với một phản ánh đã có" in (await notifications(db))[-1].text

    # Found wrong: taken back, the link goes.
    await perform(db, OFFICER_A, copy.code, "acknowledge", ActionInput())
    assert (await report_row(db, copy.code)).duplicate_of_id is None


async def test_duplicate_refusals(db: Database) -> None:
    report = await stored_report(db, ward_code=WARD_A)
    elsewhere = await stored_report(db, ward_code=WARD_B)
    already = await stored_report(db, ward_code=WARD_A)
    await perform(db, OFFICER_A, already.code, "duplicate", ActionInput(original_code=report.code))
    cases = [("", "mã phản ánh gốc"), ("PA-222222", "Không tìm thấy"), (report.code, "chính nó"),
             (elsewhere.code, "bạn được xem"), (already.code, "cũng là phản ánh trùng")]
    for code, message in cases:
        with pytest.raises(ActionRefused, match=message):
            await perform(db, OFFICER_A, report.code, "duplicate", ActionInput(original_code=code))
    assert (await find_report(db, report.code)).status == statuses.NEW


async def test_internal_note_is_not_sent_nor_shown_to_the_citizen(db: Database) -> None:
    report = await stored_report(db)
    await perform(db, OFFICER_A, report.code, "start", ActionInput(note="Đang xác minh"))
    before = len(await notifications(db))
    view = await perform(db, OFFICER_A, report.code, "note", ActionInput(note="Chủ quán là người quen, cần khách quan"))
    assert len(await notifications(db)) == before == 1
    assert view.latest_note == "Đang xác minh" and view.status == statuses.IN_PROGRESS
    last = (await history(db, report.code))[-1]
    assert (last.event, last.note) == ("note", "Chủ quán là người quen, cần khách quan")


async def test_phone_only_for_staff_who_may_act(db: Database) -> None:
    report = await stored_report(db, ward_code=WARD_A, phone="0912345678")
    assert (await load_detail(db, OFFICER_A, report.code)).phone == "0912345678"
    assert (await load_detail(db, staff(ADMIN, wards=()), report.code)).phone == "0912345678"
    supervised = await load_detail(db, staff(SUPERVISOR, wards=()), report.code)
    assert supervised.phone is None and not supervised.can_act

""""Phường chưa chắc chắn": a report filed to a best-guess ward keeps its candidate wards until
staff transfer it (one click to a candidate) or confirm the ward; the queue, the report and the
KPIs show it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import statuses
from bot.staff import workflow
from bot.staff.dashboard import kpi_figures
from bot.staff.details import load_detail
from bot.staff.errors import ActionRefused
from bot.staff.kpis import compute_kpis
from bot.staff.queue import QueueFilter, list_queue
from bot.staff.workflow import CANDIDATE_TRANSFER_REASON, ActionInput, perform
from bot.storage.db import Database
from bot.storage.errors import InvalidReport
from bot.storage.models import Notification, Report, StatusHistory, utcnow
from bot.storage.reports import confirm_ward, find_report, transfer_report
from tests.helpers.reports import stored_report
from tests.helpers.staff import WARD_A, WARD_B, staff

BACH_MAI, HAI_BA_TRUNG = "00292", "00256"
OFFICER_A = staff(wards=(WARD_A,), username="canbo.a")
SUPERVISOR = staff(role="supervisor", wards=(), username="giamsat")


async def uncertain(db: Database, **changes: object):
    """A report the bot sent to ward A, which may be ward A, Kim Liên or Bạch Mai."""
    return await stored_report(db, ward_code=WARD_A, ward_candidates=[WARD_A, BACH_MAI, WARD_B], **changes)


async def notification_count(db: Database) -> int:
    async with db.session() as session:
        return len((await session.scalars(select(Notification.id))).all())


async def test_candidates_are_stored_and_shown_on_the_views(db: Database) -> None:
    report = await uncertain(db)
    assert report.ward_candidates == [WARD_A, BACH_MAI, WARD_B] and report.ward_uncertain
    certain = await stored_report(db, ward_code=WARD_A)
    assert certain.ward_candidates == [] and not certain.ward_uncertain
    only_itself = await stored_report(db, ward_code=WARD_A, ward_candidates=[WARD_A, WARD_A])
    assert only_itself.ward_candidates == []  # nothing to choose from: not uncertain
    async with db.session() as session:  # certain reports keep NULL (the index skips them)
        stored = dict((await session.execute(select(Report.code, Report.ward_candidates))).all())
    assert stored[certain.code] == [] and stored[report.code] == [WARD_A, BACH_MAI, WARD_B]

    page = await list_queue(db, OFFICER_A, QueueFilter())
    rows = {row.code: row for row in page.rows}
    assert rows[report.code].ward_uncertain and rows[report.code].ward_candidates == [WARD_A, BACH_MAI, WARD_B]
    assert not rows[certain.code].ward_uncertain
    assert page.uncertain_count == 1
    only = await list_queue(db, OFFICER_A, QueueFilter(uncertain_ward=True))
    assert [row.code for row in only.rows] == [report.code]

    detail = await load_detail(db, OFFICER_A, report.code)
    assert detail.ward_uncertain and detail.ward_candidates == [WARD_A, BACH_MAI, WARD_B]
    # names in Vietnamese order: Bạch Mai, Kim Liên, Văn Miếu - Quốc Tử Giám
    assert [(c.code, c.current) for c in detail.candidate_wards] == [(BACH_MAI, False), (WARD_B, False), (WARD_A, True)]
    assert "confirm_ward" in [a.name for a in workflow.available_actions(detail.status, ward_uncertain=True)]
    assert "confirm_ward" not in [a.name for a in workflow.available_actions(detail.status)]


async def test_a_candidate_that_is_not_a_ward_code_is_refused(db: Database) -> None:
    with pytest.raises(InvalidReport):
        await stored_report(db, ward_candidates=["Kim Liên"])


async def test_one_click_transfer_to_a_candidate_clears_the_mark(db: Database) -> None:
    report = await uncertain(db)
    view = await perform(db, OFFICER_A, report.code, "transfer",
                         ActionInput(note=CANDIDATE_TRANSFER_REASON, target_ward=BACH_MAI, expected_status="new"))
    assert view.ward_code == BACH_MAI and view.ward_candidates == [] and not view.ward_uncertain
    async with db.session() as session:
        last = (await session.scalars(select(StatusHistory).join(Report, Report.id == StatusHistory.report_id)
                                      .where(Report.code == report.code).order_by(StatusHistory.id.desc()))).first()
    assert last.event == "transfer" and CANDIDATE_TRANSFER_REASON in last.note
    assert (await list_queue(db, SUPERVISOR, QueueFilter(uncertain_ward=True))).rows == []


async def test_any_transfer_settles_the_ward(db: Database) -> None:
    report = await uncertain(db)
    view = await transfer_report(db, report.code, HAI_BA_TRUNG, "canbo.a", "Địa chỉ thuộc phường Hai Bà Trưng")
    assert view.ward_code == HAI_BA_TRUNG and not view.ward_uncertain


async def test_confirming_the_ward_clears_the_mark_without_telling_the_citizen(db: Database) -> None:
    report = await uncertain(db)
    before = await notification_count(db)
    view = await perform(db, OFFICER_A, report.code, "confirm_ward", ActionInput(note="Đã xác minh tại chỗ"))
    assert view.ward_code == WARD_A and not view.ward_uncertain
    assert view.updated_at == report.updated_at  # what the citizen sees did not change
    assert await notification_count(db) == before
    detail = await load_detail(db, OFFICER_A, report.code)
    last = detail.history[-1]
    assert last.event == statuses.EVENT_NOTE and last.actor == "canbo.a"
    assert "Phường Văn Miếu - Quốc Tử Giám" in last.note and "Phường Bạch Mai" in last.note
    assert "Đã xác minh tại chỗ" in last.note
    with pytest.raises(ActionRefused, match="đã được xác nhận"):
        await perform(db, OFFICER_A, report.code, "confirm_ward", ActionInput())
    # the citizen's own confirmation (from the chat) does the same; nothing left to clear
    assert not (await confirm_ward(db, report.code, "citizen")).ward_uncertain


async def test_the_citizen_may_confirm_the_ward(db: Database) -> None:
    report = await uncertain(db)
    view = await confirm_ward(db, report.code, "citizen", expected_ward=WARD_A)
    assert not view.ward_uncertain and (await find_report(db, report.code)).ward_candidates == []


async def test_kpis_count_uncertain_wards_and_their_share(db: Database) -> None:
    now = utcnow()
    for _ in range(3):
        await stored_report(db, ward_code=WARD_A)
    one = await uncertain(db)
    await uncertain(db)
    await stored_report(db, ward_code=WARD_B, ward_candidates=[WARD_B, HAI_BA_TRUNG])
    settled = await uncertain(db)
    await perform(db, OFFICER_A, settled.code, "confirm_ward", ActionInput())
    await perform(db, OFFICER_A, one.code, "acknowledge", ActionInput())  # still uncertain
    total, per_ward = await compute_kpis(db, now - timedelta(days=1), now + timedelta(days=1))
    assert (total.received, total.uncertain_ward) == (7, 3)
    assert total.uncertain_ward_share == pytest.approx(3 / 7)
    assert (per_ward[WARD_A].uncertain_ward, per_ward[WARD_B].uncertain_ward) == (2, 1)
    figures = kpi_figures(total)
    assert figures["uncertain_ward"] == 3 and figures["uncertain_ward_share"] == pytest.approx(3 / 7)
    assert (await list_queue(db, SUPERVISOR, QueueFilter())).uncertain_count == 3

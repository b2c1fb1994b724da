"""One word per status for the citizen: the notification of a change, the look-up by code and
the list of "phản ánh của tôi" all say the status with `bot.statuses.CITIZEN_LABELS`."""
from __future__ import annotations

import pytest

from bot import messages_vi, statuses
from bot.storage.db import Database
from bot.storage.models import Notification
from bot.storage.reports import change_status, find_report
from sqlalchemy import select
from tests.helpers.reports import stored_report

WARD = "Phường Kim Liên"


def contains(text: str, label: str) -> bool:
    return label.casefold() in text.casefold()


@pytest.mark.parametrize("status", statuses.STATUSES)
def test_each_label_appears_in_its_notification_and_in_the_look_up(status: str) -> None:
    label = statuses.citizen_label(status)
    news = messages_vi.status_notification("PA-7K2Q9X", status, WARD, "ghi chú")
    assert contains(news, label), (status, label, news)
    others = [statuses.citizen_label(s) for s in statuses.STATUSES if s != status]
    first_line = news.splitlines()[0]
    assert not [o for o in others if contains(first_line, o) and not contains(label, o)], first_line
    detail = messages_vi.status_detail("PA-7K2Q9X", "Lấn chiếm vỉa hè, lòng đường", label, WARD, "01/12/2026",
                                       "02/12/2026 08:00", "05/12/2026 17:00", None)
    assert f"Trạng thái: {label}" in detail
    line = messages_vi.status_line("PA-7K2Q9X", "Lấn chiếm vỉa hè, lòng đường", label, WARD, "01/12/2026")
    assert label in line and "lấn chiếm vỉa hè, lòng đường" in line and "PA-7K2Q9X" in line


def test_no_more_verifying() -> None:
    assert "xác minh" not in messages_vi.status_notification("PA-7K2Q9X", statuses.ACKNOWLEDGED, WARD)


async def test_a_report_tells_the_same_word_it_shows(db: Database) -> None:
    """Through the repository: each change's notification carries the label the look-up shows."""
    report = await stored_report(db)
    original = await stored_report(db)
    copy = await stored_report(db)
    steps = [(report.code, statuses.ACKNOWLEDGED, None), (report.code, statuses.IN_PROGRESS, None),
             (report.code, statuses.HANDLED, "Đã dọn"), (original.code, statuses.REJECTED, "Không thuộc thẩm quyền"),
             (copy.code, statuses.DUPLICATE, None)]
    for code, status, note in steps:
        await change_status(db, code, status, "canbo", note)
        view = await find_report(db, code)
        assert view is not None and view.status_label == statuses.citizen_label(status)
        async with db.session() as session:
            news = (await session.scalars(select(Notification.text).order_by(Notification.id.desc()))).first()
        assert news is not None and contains(news, view.status_label), (status, news)

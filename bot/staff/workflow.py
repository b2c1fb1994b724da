"""Staff actions on a report: one state machine on top of `bot.statuses.TRANSITIONS`.

| action      | status afterwards | allowed from                      | input                       |
|-------------|-------------------|-----------------------------------|-----------------------------|
| acknowledge | acknowledged      | new, rejected, duplicate          | note optional               |
| start       | in_progress       | new, acknowledged                 | note optional               |
| handle      | handled           | new, acknowledged, in_progress    | result note required, photo |
| reject      | rejected          | new, acknowledged, in_progress    | reason required             |
| duplicate   | duplicate         | new, acknowledged, in_progress    | original report's code      |
| transfer    | (kept)            | new, acknowledged, in_progress    | target ward, reason required|
| note        | (kept)            | any                               | internal note required      |
| confirm_ward| (kept)            | any, ward uncertain only          | internal note optional      |

"Phường chưa chắc chắn": a report the bot filed to a best-guess ward carries its candidate
wards. A transfer (to a candidate in one click, `CANDIDATE_TRANSFER_REASON`, or anywhere)
or `confirm_ward` (the ward is right after all) settles it: the candidates are cleared.

Every action checks that the staff member may act on the report's ward, records who, when
and the note in `status_history`, and (except internal notes) queues the citizen's news in
the same transaction, through `bot.storage.reports`. `expected_status` carries what the
officer saw: if the report changed meanwhile the action is refused (StaleReport).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from bot import statuses
from bot.codes import normalize_code
from bot.staff import access
from bot.staff.access import Staff
from bot.staff.errors import ActionRefused, StaleReport
from bot.storage import reports
from bot.storage.db import Database
from bot.storage.errors import ConcurrentUpdate, InvalidReport, InvalidTransition, ReportNotFound, UnknownWard
from bot.storage.reports import ReportState, ReportView

ACKNOWLEDGE, START, HANDLE, REJECT, DUPLICATE, TRANSFER, NOTE, CONFIRM_WARD = (
    "acknowledge", "start", "handle", "reject", "duplicate", "transfer", "note", "confirm_ward")
CANDIDATE_TRANSFER_REASON = "Chuyển theo phường ứng viên của địa chỉ cũ"
MAX_NOTE_CHARS = 4000

_OPEN = frozenset({statuses.NEW, statuses.ACKNOWLEDGED, statuses.IN_PROGRESS})
_CITIZEN_MAY_READ = "người phản ánh xem được khi tra cứu"

UNKNOWN_ACTION = "Thao tác không hợp lệ."
NOT_NOW = "Không thể “{action}” khi phản ánh đang ở trạng thái “{status}”."
NOTE_TOO_LONG = f"Nội dung ghi chú quá dài (tối đa {MAX_NOTE_CHARS} ký tự)."
PHOTO_ONLY_WHEN_HANDLED = "Chỉ gửi ảnh kết quả khi đánh dấu đã xử lý xong."
STALE = "Phản ánh vừa được cập nhật (có thể bởi cán bộ khác). Vui lòng xem lại trước khi thao tác."
WARD_REQUIRED = "Vui lòng chọn phường, xã tiếp nhận."
SAME_WARD = "Phản ánh đã thuộc phường, xã này."
UNKNOWN_TARGET = "Không có phường, xã mã {code}."
CODE_REQUIRED = "Vui lòng nhập mã phản ánh gốc (dạng PA-XXXXXX)."
ORIGINAL_NOT_FOUND = "Không tìm thấy phản ánh gốc {code}."
ORIGINAL_IS_SELF = "Phản ánh không thể trùng với chính nó."
ORIGINAL_IS_DUPLICATE = "Phản ánh {code} cũng là phản ánh trùng; hãy chọn phản ánh gốc mà nó trỏ tới."
ORIGINAL_NOT_VISIBLE = "Chỉ gộp được vào phản ánh thuộc phường, xã mà bạn được xem."
DUPLICATE_NOTE = "Trùng với phản ánh {code}."
WARD_ALREADY_CERTAIN = "Phường, xã của phản ánh này đã được xác nhận."


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the button, in Vietnamese
    to_status: str | None  # None: the status is kept
    allowed_from: frozenset[str]
    note_required: bool
    note_label: str
    done: str  # what staff read once it is done: {code}, {ward} (the report's ward afterwards)
    missing_note: str = ""


ACTIONS: Mapping[str, Action] = {a.name: a for a in (
    Action(ACKNOWLEDGE, "Tiếp nhận", statuses.ACKNOWLEDGED,
           frozenset({statuses.NEW, statuses.REJECTED, statuses.DUPLICATE}), False,
           f"Ghi chú ({_CITIZEN_MAY_READ}, không bắt buộc)", "Đã tiếp nhận phản ánh {code}."),
    Action(START, "Bắt đầu xử lý", statuses.IN_PROGRESS, frozenset({statuses.NEW, statuses.ACKNOWLEDGED}), False,
           f"Ghi chú ({_CITIZEN_MAY_READ}, không bắt buộc)", "Phản ánh {code} đã chuyển sang đang xử lý."),
    Action(HANDLE, "Đã xử lý xong", statuses.HANDLED, _OPEN, True,
           "Kết quả xử lý (gửi cho người phản ánh; công khai trên trang tra cứu, không ghi thông tin cá nhân)",
           "Đã ghi nhận kết quả xử lý phản ánh {code} và báo cho người phản ánh.", "Vui lòng ghi rõ kết quả xử lý."),
    Action(REJECT, "Từ chối", statuses.REJECTED, _OPEN, True,
           "Lý do từ chối (gửi cho người phản ánh; công khai trên trang tra cứu, không ghi thông tin cá nhân)",
           "Đã từ chối phản ánh {code} và báo lý do cho người phản ánh.", "Vui lòng ghi lý do từ chối."),
    Action(DUPLICATE, "Đánh dấu trùng", statuses.DUPLICATE, _OPEN, False,
           f"Ghi chú ({_CITIZEN_MAY_READ}, không bắt buộc)", "Đã đánh dấu phản ánh {code} là phản ánh trùng."),
    Action(TRANSFER, "Chuyển phường, xã khác", None, _OPEN, True,
           "Lý do chuyển (lưu trong lịch sử xử lý)", "Đã chuyển phản ánh {code} sang {ward}.",
           "Vui lòng ghi lý do chuyển."),
    Action(NOTE, "Ghi chú nội bộ", None, frozenset(statuses.STATUSES), True,
           "Ghi chú nội bộ (người phản ánh không thấy)", "Đã lưu ghi chú nội bộ cho phản ánh {code}.",
           "Vui lòng nhập nội dung ghi chú."),
    Action(CONFIRM_WARD, "Xác nhận đúng phường, xã này", None, frozenset(statuses.STATUSES), False,
           "Ghi chú nội bộ (người phản ánh không thấy, không bắt buộc)",
           "Đã xác nhận phản ánh {code} thuộc {ward}."),
)}
ONLY_WHEN_UNCERTAIN = frozenset({CONFIRM_WARD})


def _check_against_transitions() -> None:
    """Every status change staff can make must be allowed by `bot.statuses.TRANSITIONS`."""
    for action in ACTIONS.values():
        if not action.to_status:
            continue
        for source in action.allowed_from:
            if not statuses.can_transition(source, action.to_status):
                raise AssertionError(f"{action.name}: {source} → {action.to_status} is not in TRANSITIONS")


_check_against_transitions()


@dataclass(frozen=True)
class ActionInput:
    note: str = ""
    target_ward: str | None = None  # transfer
    original_code: str | None = None  # duplicate
    photo_url: str | None = None  # handle: the result photo, already stored
    photo_link: str | None = None  # the same photo as the citizen may open it (a signed link)
    expected_status: str | None = None  # what the officer saw


def available_actions(status: str, *, ward_uncertain: bool = False) -> list[Action]:
    """The actions that apply to a report in `status`, in the table's order ("confirm_ward"
    only while its ward is uncertain)."""
    return [action for action in ACTIONS.values() if status in action.allowed_from
            and (ward_uncertain or action.name not in ONLY_WHEN_UNCERTAIN)]


def _clean_note(action: Action, text: str) -> str:
    note = text.strip()
    if action.note_required and not note:
        raise ActionRefused(action.missing_note)
    if len(note) > MAX_NOTE_CHARS:
        raise ActionRefused(NOTE_TOO_LONG)
    return note


async def _original(db: Database, staff: Staff, report: ReportState, code_text: str | None) -> ReportState:
    code = normalize_code(code_text or "")
    if not code:
        raise ActionRefused(CODE_REQUIRED)
    try:
        original = await reports.report_state(db, code)
    except ReportNotFound:
        raise ActionRefused(ORIGINAL_NOT_FOUND.format(code=code)) from None
    if original.id == report.id:
        raise ActionRefused(ORIGINAL_IS_SELF)
    if not access.can_read(staff, original.ward_code):
        raise ActionRefused(ORIGINAL_NOT_VISIBLE)
    if original.status == statuses.DUPLICATE:
        raise ActionRefused(ORIGINAL_IS_DUPLICATE.format(code=original.code))
    return original


async def _apply(db: Database, staff: Staff, report: ReportState, action: Action, data: ActionInput,
                 note: str, now: datetime | None) -> ReportView:
    guard: dict[str, Any] = {"now": now, "expected_status": report.status, "expected_ward": report.ward_code}
    actor = staff.username
    if action.name == NOTE:
        return await reports.add_note(db, report.code, actor, note, now=now, expected_ward=report.ward_code)
    if action.name == CONFIRM_WARD:
        return await reports.confirm_ward(db, report.code, actor, note or None, now=now,
                                          expected_ward=report.ward_code)
    if action.name == TRANSFER:
        target = (data.target_ward or "").strip()
        if not target:
            raise ActionRefused(WARD_REQUIRED)
        if target == report.ward_code:
            raise ActionRefused(SAME_WARD)
        try:
            return await reports.transfer_report(db, report.code, target, actor, note, **guard)
        except UnknownWard:
            raise ActionRefused(UNKNOWN_TARGET.format(code=target)) from None
    assert action.to_status is not None
    if action.name == DUPLICATE:
        original = await _original(db, staff, report, data.original_code)
        return await reports.change_status(
            db, report.code, action.to_status, actor, note or DUPLICATE_NOTE.format(code=original.code),
            duplicate_of_id=original.id, **guard)
    photos = [(reports.RESULT_PHOTO, data.photo_url)] if data.photo_url else []
    return await reports.change_status(db, report.code, action.to_status, actor, note or None,
                                       attachments=photos, notice_photo_url=data.photo_link or data.photo_url,
                                       **guard)


async def perform(db: Database, staff: Staff, code: str, action_name: str, data: ActionInput,
                  *, now: datetime | None = None) -> ReportView:
    """Carry out `action_name` on the report `code` as `staff`.

    Raises ReportNotFound, AccessDenied, ActionRefused (with the Vietnamese reason) or
    StaleReport.
    """
    report = await reports.report_state(db, code)
    access.require_act(staff, report.ward_code)
    action = ACTIONS.get(action_name)
    if action is None:
        raise ActionRefused(UNKNOWN_ACTION)
    if data.expected_status and data.expected_status != report.status:
        raise StaleReport(STALE)
    if report.status not in action.allowed_from:
        raise ActionRefused(NOT_NOW.format(action=action.label, status=statuses.staff_label(report.status)))
    if data.photo_url and action.name != HANDLE:
        raise ActionRefused(PHOTO_ONLY_WHEN_HANDLED)
    if action.name == CONFIRM_WARD and not report.ward_candidates:
        raise ActionRefused(WARD_ALREADY_CERTAIN)
    note = _clean_note(action, data.note)
    try:
        return await _apply(db, staff, report, action, data, note, now)
    except (ConcurrentUpdate, InvalidTransition):
        raise StaleReport(STALE) from None
    except InvalidReport:
        raise ActionRefused(SAME_WARD) from None

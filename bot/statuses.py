"""Report statuses, categories and priorities, with their Vietnamese labels.

The citizen sees one word per status, everywhere: the status look-up, the list of their
reports, the notifications (`bot.messages_vi`) and the console's "what the citizen sees" all
take it from `CITIZEN_LABELS`. Staff see their own labels.

A transfer to another ward is not a status: it is a `status_history` event
(`event="transfer"`) that keeps the current status, so a transferred report stays in
the same place of the workflow, only in another ward's queue. Staff's internal notes are
`event="note"` entries: never shown or sent to the citizen.

`TRANSITIONS` is the small table of allowed status changes; the full state machine
(who may do what, required notes) builds on it.
"""
from __future__ import annotations

from typing import Mapping

# --- statuses ---------------------------------------------------------------------
NEW = "new"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
HANDLED = "handled"
REJECTED = "rejected"
DUPLICATE = "duplicate"

STATUSES: tuple[str, ...] = (NEW, ACKNOWLEDGED, IN_PROGRESS, HANDLED, REJECTED, DUPLICATE)

# Allowed changes. Reopening is explicit: the citizen says the problem is still there
# (handled → in_progress); a rejection or duplicate found wrong goes back to acknowledged.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    NEW: frozenset({ACKNOWLEDGED, IN_PROGRESS, HANDLED, REJECTED, DUPLICATE}),
    ACKNOWLEDGED: frozenset({IN_PROGRESS, HANDLED, REJECTED, DUPLICATE}),
    IN_PROGRESS: frozenset({HANDLED, REJECTED, DUPLICATE}),
    HANDLED: frozenset({IN_PROGRESS}),
    REJECTED: frozenset({ACKNOWLEDGED}),
    DUPLICATE: frozenset({ACKNOWLEDGED}),
}

# Statuses after which nothing is pending for the ward (used for deadlines and queues).
CLOSED_STATUSES: frozenset[str] = frozenset({HANDLED, REJECTED, DUPLICATE})

# What the citizen sees: one word per status. "Đã tiếp nhận" tells the citizen that a person
# at the ward has read the report (not only the machine); a duplicate is "Đã gộp", not "Từ chối":
# the problem is handled with the report it repeats, and calling it a refusal would send the
# citizen to complain about a report that is in fact being dealt with.
CITIZEN_WAITING = "Chờ xử lý"
CITIZEN_ACKNOWLEDGED = "Đã tiếp nhận"
CITIZEN_IN_PROGRESS = "Đang xử lý"
CITIZEN_HANDLED = "Đã xử lý"
CITIZEN_REJECTED = "Từ chối"
CITIZEN_MERGED = "Đã gộp"

CITIZEN_LABELS: Mapping[str, str] = {
    NEW: CITIZEN_WAITING,
    ACKNOWLEDGED: CITIZEN_ACKNOWLEDGED,
    IN_PROGRESS: CITIZEN_IN_PROGRESS,
    HANDLED: CITIZEN_HANDLED,
    REJECTED: CITIZEN_REJECTED,
    DUPLICATE: CITIZEN_MERGED,
}

# What ward staff see.
STAFF_LABELS: Mapping[str, str] = {
    NEW: "Mới tiếp nhận",
    ACKNOWLEDGED: "Đã xác nhận",
    IN_PROGRESS: "Đang xử lý",
    HANDLED: "Đã xử lý xong",
    REJECTED: "Từ chối",
    DUPLICATE: "Trùng phản ánh đã có",
}

# --- history events ---------------------------------------------------------------
EVENT_STATUS = "status"
EVENT_TRANSFER = "transfer"
EVENT_NOTE = "note"
EVENTS: tuple[str, ...] = (EVENT_STATUS, EVENT_TRANSFER, EVENT_NOTE)

# --- categories -------------------------------------------------------------------
SIDEWALK = "sidewalk"
CONSTRUCTION = "construction"
CATEGORIES: tuple[str, ...] = (SIDEWALK, CONSTRUCTION)

# The one wording of each category, wherever it is shown: the bot's buttons and summaries, the
# status look-up, the chat page, the console, the public page, Open311's service names. Rasa's
# domain.yml cannot import it: tests/test_statuses.py holds its buttons to these words.
CATEGORY_LABELS: Mapping[str, str] = {
    SIDEWALK: "Lấn chiếm vỉa hè, lòng đường",
    CONSTRUCTION: "Vi phạm trật tự xây dựng",
}

# --- priorities -------------------------------------------------------------------
NORMAL = "normal"
URGENT = "urgent"
COMPLEX = "complex"
PRIORITIES: tuple[str, ...] = (NORMAL, URGENT, COMPLEX)

PRIORITY_LABELS: Mapping[str, str] = {
    NORMAL: "Thông thường",
    URGENT: "Khẩn cấp",
    COMPLEX: "Phức tạp",
}


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def citizen_label(status: str) -> str:
    return CITIZEN_LABELS[status]


def staff_label(status: str) -> str:
    return STAFF_LABELS[status]


def category_label(category: str) -> str:
    return CATEGORY_LABELS[category]


def priority_label(priority: str) -> str:
    return PRIORITY_LABELS[priority]

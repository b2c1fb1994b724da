"""Who may see and do what.

- ward_staff (cán bộ phường): see and act only on reports of their own wards;
- supervisor (giám sát): read every ward and the overdue lists, never act;
- admin (quản trị): everything;
- integration (tích hợp): an integrating organisation's account. It only creates and reads
  reports through Open311 (`bot.open311`) with its API keys; it has no password, never logs in
  to the console, and its keys open nothing under /api/staff.

Every page, API route and workflow action goes through `require_read` / `require_act`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from bot.staff.errors import AccessDenied

WARD_STAFF = "ward_staff"
SUPERVISOR = "supervisor"
ADMIN = "admin"
INTEGRATION = "integration"
ROLES: tuple[str, ...] = (WARD_STAFF, SUPERVISOR, ADMIN, INTEGRATION)
CONSOLE_ROLES: tuple[str, ...] = (WARD_STAFF, SUPERVISOR, ADMIN)

ROLE_LABELS: Mapping[str, str] = {
    WARD_STAFF: "Cán bộ phường",
    SUPERVISOR: "Giám sát",
    ADMIN: "Quản trị",
    INTEGRATION: "Tích hợp (Open311)",
}

NOT_YOUR_WARD = "Phản ánh này thuộc phường, xã khác. Bạn không có quyền xem hoặc xử lý."
READ_ONLY = "Tài khoản giám sát chỉ được xem, không được thao tác xử lý phản ánh."
SUPERVISORS_ONLY = "Trang này chỉ dành cho giám sát và quản trị."
NOT_YOUR_WARD_FILTER = "Bạn chỉ xem được thông tin của phường, xã mình phụ trách."
ADMINS_ONLY = "Trang này chỉ dành cho quản trị viên."
INTEGRATION_NOT_CONSOLE = "Khóa tích hợp chỉ dùng cho Open311 (/open311/v2/), không dùng cho trang quản lý."


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, as every check sees them."""

    id: int
    username: str
    full_name: str | None
    role: str
    wards: frozenset[str]

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def readable_wards(staff: Staff) -> frozenset[str] | None:
    """The wards whose reports `staff` may see; None means every ward (an integration account,
    which never reaches the console, sees none here)."""
    if staff.role == INTEGRATION:
        return frozenset()
    return staff.wards if staff.role == WARD_STAFF else None


def ward_scope(staff: Staff, ward: str | None) -> frozenset[str] | None:
    """The wards a list or a figure covers: the staff member's visible wards, narrowed to
    `ward` when one is asked for (AccessDenied if it is not theirs); None means every ward."""
    wards = readable_wards(staff)
    if ward is None:
        return wards
    if wards is not None and ward not in wards:
        raise AccessDenied(NOT_YOUR_WARD_FILTER)
    return frozenset({ward})


def can_read(staff: Staff, ward_code: str) -> bool:
    return staff.role in (SUPERVISOR, ADMIN) or ward_code in staff.wards


def can_act(staff: Staff, ward_code: str) -> bool:
    """May change the report (status, transfer, notes) and see the citizen's phone."""
    return staff.role == ADMIN or (staff.role == WARD_STAFF and ward_code in staff.wards)


def can_see_overdue_overview(staff: Staff) -> bool:
    return staff.role in (SUPERVISOR, ADMIN)


def require_read(staff: Staff, ward_code: str) -> None:
    if not can_read(staff, ward_code):
        raise AccessDenied(NOT_YOUR_WARD)


def require_act(staff: Staff, ward_code: str) -> None:
    require_read(staff, ward_code)
    if not can_act(staff, ward_code):
        raise AccessDenied(READ_ONLY if staff.role == SUPERVISOR else NOT_YOUR_WARD)


def require_overdue_overview(staff: Staff) -> None:
    if not can_see_overdue_overview(staff):
        raise AccessDenied(SUPERVISORS_ONLY)


def require_admin(staff: Staff) -> None:
    """The NLU inbox, retraining and model swaps."""
    if staff.role != ADMIN:
        raise AccessDenied(ADMINS_ONLY)

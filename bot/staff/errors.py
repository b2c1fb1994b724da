"""Errors of the staff domain. `message` is Vietnamese, ready to show to staff."""
from __future__ import annotations

from datetime import datetime


class StaffError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AccessDenied(StaffError):
    """The staff member may not see, or may not act on, this report or page."""


class ActionRefused(StaffError):
    """The action does not apply (status, missing note, unknown target...)."""


class AccountError(StaffError):
    """An account operation failed (unknown user, username taken, weak password...)."""


class LoginFailed(StaffError):
    """Wrong username or password, or a disabled account (the message does not say which)."""


class LoginThrottled(LoginFailed):
    """Too many failures lately; `retry_at` is when the next attempt will be considered."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class StaleReport(StaffError):
    """The report changed since the officer looked at it (optimistic concurrency)."""


class InvalidQuery(StaffError):
    """A filter or period asked for is not valid (a bad date, an unknown ward...)."""

"""Open311 errors: an HTTP status and a description for the person using the integrating
system, in Vietnamese. The answer is the spec's list of {code, description}."""
from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def bad_request(description: str) -> Open311Error:
    return Open311Error(400, description)

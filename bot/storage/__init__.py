"""Storage layer: database access, migrations and the report repository.

    from bot.storage import get_database, submit_report, ReportDraft
"""
from bot.storage.db import Database, async_url, close_database, get_database, migrate, sync_url
from bot.storage.errors import (
    ConcurrentUpdate,
    InvalidReport,
    InvalidTransition,
    ReportNotFound,
    StorageError,
    UnknownWard,
)
from bot.storage.reports import (
    ReportDraft,
    ReportView,
    change_status,
    find_report,
    list_reports_for_sender,
    submit_report,
)
from bot.storage.wards import WardRow, get_ward, seed_wards

__all__ = [
    "Database", "async_url", "sync_url", "get_database", "close_database", "migrate",
    "StorageError", "ReportNotFound", "UnknownWard", "InvalidTransition",
    "InvalidReport", "ConcurrentUpdate",
    "ReportDraft", "ReportView", "submit_report", "find_report",
    "list_reports_for_sender", "change_status",
    "WardRow", "seed_wards", "get_ward",
]

"""Open311 answers as data (`bot.open311.render.Document`), field by field as in the spec's
examples: what a request says follows `bot.publication` (nothing personal, never the citizen's
own words), with times in ISO 8601 at Hanoi's offset (+07:00)."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from bot import messages_vi
from bot.open311 import catalog
from bot.open311.query import open_or_closed
from bot.open311.render import Document
from bot.publication import PublicReport, page_url
from bot.staff.localtime import format_datetime, to_local
from bot.storage.reports import ReportView

FORMATS_OFFERED = ["text/xml", "application/json"]
CHANGESET = "2026-12-01T00:00:00+07:00"  # when the service list or definitions last changed
DISCOVERY_CONTACT = "Bộ phận quản trị hệ thống phản ánh trật tự đô thị (liên hệ qua UBND phường, xã nơi bạn ở)."
DISCOVERY_KEYS = ("Khóa API (api_key) được cấp cho từng cơ quan, đơn vị tích hợp; liên hệ quản trị hệ thống để được "
                  "cấp. Đọc danh sách dịch vụ và phản ánh không cần khóa.")


def local_iso(moment: datetime) -> str:
    """"2025-08-01T14:05:00+07:00"."""
    return to_local(moment).isoformat(timespec="seconds")


def notice(code: str, ward_name: str, due_at: datetime, base_url: str) -> str:
    return messages_vi.OPEN311_NOTICE.format(code=code, ward=ward_name, due=format_datetime(due_at),
                                             url=page_url(base_url, code))


def services_document() -> Document:
    return Document("services", [catalog.service_item(s) for s in catalog.services().values()])


def definition_document(service: catalog.Service) -> Document:
    return Document("service_definition", catalog.definition(service))


def request_item(report: PublicReport, base_url: str) -> dict:
    """One request of GET requests, in the spec's order; `description` stays empty (the
    citizen's words are not published) and `media_url` is the report's public page, which
    shows the photo of the result, when there is one."""
    return {
        "service_request_id": report.code,
        "status": open_or_closed(report.status),
        "status_notes": report.result_note,
        "service_name": report.category_label,
        "service_code": report.category,
        "description": None,
        "agency_responsible": report.ward_name,
        "service_notice": notice(report.code, report.ward_name, report.due_at, base_url),
        "requested_datetime": local_iso(report.created_at),
        "updated_datetime": local_iso(report.updated_at),
        "expected_datetime": local_iso(report.due_at),
        "address": report.address,
        "address_id": report.ward_code,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": page_url(base_url, report.code) if report.result_photo_urls else None,
    }


def requests_document(reports: list[PublicReport], base_url: str) -> Document:
    return Document("service_requests", [request_item(r, base_url) for r in reports])


def created_document(report: ReportView, base_url: str, notices: Sequence[str] = ()) -> Document:
    """POST requests: the new request's code (a realtime service: no token), and what to expect;
    a ward known only from a point in a split old ward is said to be approximate, and what was
    sent but not kept (`notices`) is said after it. Only the caller reads this answer."""
    uncertain = [messages_vi.OPEN311_WARD_UNCERTAIN] if report.ward_uncertain else []
    text = " ".join([notice(report.code, report.ward_name, report.due_at, base_url), *uncertain, *notices])
    return Document("service_requests", [{"service_request_id": report.code, "service_notice": text,
                                          "account_id": None}])


def discovery_document(base_url: str) -> Document:
    return Document("discovery", {
        "changeset": CHANGESET, "contact": DISCOVERY_CONTACT, "key_service": DISCOVERY_KEYS,
        "endpoints": [{"specification": catalog.SPECIFICATION, "url": f"{base_url.rstrip('/')}/open311/v2",
                       "changeset": CHANGESET, "type": "production", "formats": list(FORMATS_OFFERED)}],
    })

"""What anyone may read about a report: one rule for Open311 answers and the public page.

Public: the report code, the category, the responsible ward, the status (in the citizens'
words, `bot.statuses.CITIZEN_LABELS`), the dates (received, last updated, deadline), the place
as its public parts (house number, alley, street; the ward), the coordinates when the report
has them, rounded to about 100 m (often where the citizen stood), the last public handling note (the result or the reason staff wrote when they
marked the report handled, rejected or merged, while it still is; phone numbers in it
masked), the staff's photos of the latest "handled", and the report a duplicate was merged into.

Never public: the phone number, the sender id or any channel identity, a name, the citizen's
own words (the description, the typed address, landmark and area, the old ward they named,
what they wrote when reopening) and the citizen's photos, which they never agreed to publish
(faces, number plates), staff's internal notes, and the notes of other steps.

`bot.storage.public_reports` reads exactly these fields from the database; the public page of
one report is `page_url(PUBLIC_BASE_URL, code)`, and everything that links to a report from
outside (Open311, the bot's answers, ZNS messages) links there.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from bot import statuses
from bot.address.parts import AddressParts
from bot.intake import mask_phones

PAGE_PATH = "/tra-cuu"
CODE_FIELD = "ma"  # the look-up form's field (a GET form)
CITY = "Hà Nội"


def page_url(base_url: str, code: str) -> str:
    """`{PUBLIC_BASE_URL}/tra-cuu?ma=PA-7K2Q9X`."""
    return f"{base_url.rstrip('/')}{PAGE_PATH}?{CODE_FIELD}={quote(code, safe='-')}"


def public_note(to_status: str, current_status: str, note: str | None, by_staff: bool) -> str | None:
    """The note of a report's latest status change, if it is public: a result or a reason
    staff gave (handled, rejected, merged) that still describes the report, phone numbers
    masked. A citizen's own words (reopening) never are."""
    if (not by_staff or not note or not note.strip() or to_status != current_status
            or to_status not in statuses.CLOSED_STATUSES):
        return None
    return mask_phones(note.strip())


@dataclass(frozen=True)
class PublicReport:
    code: str
    category: str
    status: str
    ward_code: str
    ward_name: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    house_number: str | None
    alley: str | None
    street: str | None
    street_kind: str | None
    latitude: float | None
    longitude: float | None
    result_note: str | None
    result_photo_urls: tuple[str, ...]  # staff's photos of the latest "handled" (our upload store: sign before showing)
    merged_into: str | None = None  # a duplicate: the code of the report it repeats

    @property
    def closed(self) -> bool:
        return self.status in statuses.CLOSED_STATUSES

    @property
    def category_label(self) -> str:
        return statuses.category_label(self.category)

    @property
    def status_label(self) -> str:
        """The citizens' word for the status (`bot.statuses.CITIZEN_LABELS`)."""
        return statuses.citizen_label(self.status)

    @property
    def place(self) -> str:
        """"Số 25 ngõ 120 phố Hàng Bông" (empty when the report has no such part)."""
        if not (self.house_number or self.alley or self.street):
            return ""
        return AddressParts(self.house_number, self.alley, self.street, self.street_kind).place_line()

    @property
    def address(self) -> str:
        """From the most specific part to the city: "Số 25 phố Hàng Bông, Phường Hoàn Kiếm, Hà Nội"."""
        return ", ".join(part for part in (self.place, self.ward_name, CITY) if part)

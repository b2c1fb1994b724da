"""Figures as staff read them, in Vietnamese: "66,7%", "2 giờ 15 phút", "1 ngày 3 giờ"; and
report codes that never break across lines."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

NO_DATA = "chưa có số liệu"


def decimal(value: float, digits: int = 1) -> str:
    """A decimal comma, without a useless ",0": 66.66 → "66,7", 50.0 → "50"."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def percent(share: float | None) -> str:
    """A share between 0 and 1 as a percentage; "—" when there was nothing to count."""
    return "—" if share is None else f"{decimal(share * 100)}%"


def duration(hours: float | None) -> str:
    """A span of time as people say it: minutes under an hour, hours and minutes under a day,
    days and hours under a week, then days."""
    if hours is None:
        return NO_DATA
    minutes = round(hours * 60)
    if minutes < 1:
        return "dưới 1 phút"
    if minutes < 60:
        return f"{minutes} phút"
    if minutes < 24 * 60:
        whole, rest = divmod(minutes, 60)
        return f"{whole} giờ {rest} phút" if rest else f"{whole} giờ"
    if hours < 7 * 24:
        days, rest = divmod(round(hours), 24)
        return f"{days} ngày {rest} giờ" if rest else f"{days} ngày"
    return f"{decimal(hours / 24)} ngày"


def number(value: int) -> str:
    """Thousands with dots: 12345 → "12.345"."""
    return f"{value:,}".replace(",", ".")


# A report code as written by `bot.codes.generate_code` (PA- and 6 characters without 0/O/1/I).
CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])PA-[23456789A-HJ-NP-Z]{6}(?![A-Za-z0-9])")


def code(value: str) -> Markup:
    """A code in a span that keeps it on one line (`.code` in console.css: white-space: nowrap);
    otherwise "PA-ZMK6KA" may break after its dash in a narrow table cell."""
    return Markup('<span class="code">{}</span>').format(value)


def with_codes(text: str | None) -> Markup:
    """Text (escaped) with every report code in it wrapped like `code`."""
    escaped = str(escape(text or ""))  # escaping leaves codes as they are
    return Markup(CODE_IN_TEXT.sub(lambda m: f'<span class="code">{m.group(0)}</span>', escaped))

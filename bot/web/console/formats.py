"""Figures as staff read them, in Vietnamese: "66,7%", "2 giờ 15 phút", "1 ngày 3 giờ"."""
from __future__ import annotations

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

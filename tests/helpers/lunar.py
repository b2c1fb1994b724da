"""The Vietnamese lunar calendar, computed from astronomy (Hồ Ngọc Đức's algorithm, UTC+7).

Written for the tests of bot/sla.py, so that the lunar holidays (Tết, Giỗ Tổ) are checked
against an independent computation rather than against the `holidays` package under test.
Mean new moons with the main periodic terms (Meeus), the sun's longitude for the solstice
month and the leap month; good for the years 1900–2100.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

HANOI_HOURS = 7.0
_SYNODIC = 29.530588853
_EPOCH_NEW_MOON = 2415021.076998695  # Julian day of the new moon of 1900-01-01
_RAD = math.pi / 180


def julian_day(day: date) -> int:
    return day.toordinal() + 1721425


def from_julian_day(jd: int) -> date:
    return date.fromordinal(jd - 1721425)


def _new_moon(k: int) -> float:
    """Julian day (TT, fractional) of the k-th new moon after 1900-01-01."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _RAD)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon's argument of latitude
    c = (0.1734 - 0.000393 * t) * math.sin(m * _RAD) + 0.0021 * math.sin(2 * _RAD * m)
    c += -0.4068 * math.sin(mpr * _RAD) + 0.0161 * math.sin(_RAD * 2 * mpr) - 0.0004 * math.sin(_RAD * 3 * mpr)
    c += 0.0104 * math.sin(_RAD * 2 * f) - 0.0051 * math.sin(_RAD * (m + mpr))
    c += -0.0074 * math.sin(_RAD * (m - mpr)) + 0.0004 * math.sin(_RAD * (2 * f + m))
    c += -0.0004 * math.sin(_RAD * (2 * f - m)) - 0.0006 * math.sin(_RAD * (2 * f + mpr))
    c += 0.0010 * math.sin(_RAD * (2 * f - mpr)) + 0.0005 * math.sin(_RAD * (2 * mpr + m))
    delta_t = (0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3 if t < -11
               else -0.000278 + 0.000265 * t + 0.000262 * t2)
    return jd + c - delta_t


def _sun_longitude(jdn: float) -> float:
    """The sun's apparent longitude (radians, 0..2π) at Julian day `jdn` (UT)."""
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(_RAD * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(_RAD * 2 * m) + 0.000290 * math.sin(_RAD * 3 * m)
    longitude = (l0 + dl) * _RAD
    return longitude - 2 * math.pi * math.floor(longitude / (2 * math.pi))


def _new_moon_day(k: int, tz: float) -> int:
    return math.floor(_new_moon(k) + 0.5 + tz / 24)


def _sun_sector(day_number: int, tz: float) -> int:
    """Which 30° sector the sun is in at the start of the local day (0..11)."""
    return math.floor(_sun_longitude(day_number - 0.5 - tz / 24) / math.pi * 6)


def _month_11(year: int, tz: float) -> int:
    """Julian day of the first day of the lunar month containing the winter solstice of `year`."""
    offset = julian_day(date(year, 12, 31)) - 2415021
    k = math.floor(offset / _SYNODIC)
    start = _new_moon_day(k, tz)
    if _sun_sector(start, tz) >= 9:
        start = _new_moon_day(k - 1, tz)
    return start


def _leap_month_offset(a11: int, tz: float) -> int:
    k = math.floor((a11 - _EPOCH_NEW_MOON) / _SYNODIC + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, tz), tz)
        if arc == last or i >= 14:
            return i - 1


def solar_date(lunar_day: int, lunar_month: int, lunar_year: int, tz: float = HANOI_HOURS) -> date:
    """The Gregorian date of a (non-leap) lunar date in Vietnam's calendar."""
    if lunar_month < 11:
        a11, b11 = _month_11(lunar_year - 1, tz), _month_11(lunar_year, tz)
    else:
        a11, b11 = _month_11(lunar_year, tz), _month_11(lunar_year + 1, tz)
    k = math.floor(0.5 + (a11 - _EPOCH_NEW_MOON) / _SYNODIC)
    offset = (lunar_month - 11) % 12
    if b11 - a11 > 365:  # a leap year: months after the leap month shift by one
        leap_offset = _leap_month_offset(a11, tz)
        if offset >= leap_offset:
            offset += 1
    return from_julian_day(_new_moon_day(k + offset, tz) + lunar_day - 1)


def lunar_new_year(year: int) -> date:
    """Mùng 1 Tết of the lunar year that starts in Gregorian `year`."""
    return solar_date(1, 1, year)


def lunar_new_years_eve(year: int) -> date:
    """The last day of tháng Chạp (29 or 30) before `lunar_new_year(year)`."""
    return lunar_new_year(year) - timedelta(days=1)

"""The date/time strings govaluate recognises inside quotes, and their Unix seconds.

govaluate tries 14 Go layouts (``time.ANSIC``, ``time.RFC3339``, ``2006-01-02``,
``3:04PM`` ...) on every quoted string; one that parses becomes a *time* token, compared
as Unix seconds, so ``'2024-01-01' == '2024-01-01T00:00:00Z'``.  This module reproduces
that recognition with Go's rules (month and weekday names in any case, ``_2`` days with an
optional leading space, 1-2 digit hours, an optional fraction after the seconds, day ranges
checked against the month).

Where kawa differs: Go parses zone-less times in the controller's local time zone; kawa
always uses UTC, so results do not depend on the machine.  Zone abbreviations (``MST``)
count as UTC, as Go does for abbreviations it does not know.
"""

from __future__ import annotations

import functools
import re

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_FRACTION = r"(?:[.,]\d+)?"
_DATE = r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
_HMS = r"(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})" + _FRACTION
_ZONE_COLON = r"(?P<z>Z|[+-]\d{2}:\d{2})"
_ZONE_PLAIN = r"(?P<z>Z|[+-]\d{4})"

_LAYOUTS = [
    rf"{_WEEKDAY} {_MONTH} (?P<d> ?\d{{1,2}}) {_HMS} (?P<y>\d{{4}})",
    rf"{_WEEKDAY} {_MONTH} (?P<d> ?\d{{1,2}}) {_HMS} (?P<abbr>[A-Za-z]{{3,5}}) (?P<y>\d{{4}})",
    rf"{_WEEKDAY} {_MONTH} (?P<d>\d{{2}}) {_HMS} (?P<z>[+-]\d{{4}}) (?P<y>\d{{4}})",
    r"(?P<h12>\d{1,2}):(?P<M>\d{2})(?P<ampm>AM|PM)",
    rf"{_DATE}T(?P<H>\d{{2}}):(?P<M>\d{{2}}):(?P<S>\d{{2}}){_FRACTION}{_ZONE_COLON}",
    rf"{_DATE}",
    rf"{_DATE} (?P<H>\d{{1,2}}):(?P<M>\d{{2}})",
    rf"{_DATE} {_HMS}",
    rf"{_DATE} {_HMS}(?P<z>[+-]\d{{2}}:\d{{2}})",
    rf"{_DATE}T(?P<H>\d{{1,2}}){_ZONE_PLAIN}",
    rf"{_DATE}T(?P<H>\d{{1,2}}):(?P<M>\d{{2}}){_ZONE_PLAIN}",
    rf"{_DATE}T{_HMS}{_ZONE_PLAIN}",
]


@functools.cache
def _patterns() -> list[re.Pattern[str]]:
    """Compiled on first use: ~6 ms, which a workflow without a quoted string in a
    ``when`` (most of them) should not pay at start-up."""
    return [re.compile(p, re.IGNORECASE if "mon" in p else 0) for p in _LAYOUTS]


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (any year, even 0)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _days_in(month: int, year: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _offset(zone: str | None) -> int:
    if not zone or zone.upper() == "Z":
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)


def parse_time(text: str) -> int | None:
    """Unix seconds if ``text`` matches one of govaluate's layouts, else ``None``."""
    for pattern in _patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        seconds = _seconds(match.groupdict())
        if seconds is not None:
            return seconds
    return None


def _seconds(g: dict[str, str | None]) -> int | None:
    year = int(g.get("y") or 0)
    name = g.get("mon")
    month = _MONTHS.index(name.lower()) + 1 if name else int(g.get("m") or 1)
    day = int((g.get("d") or "1").strip())
    minute, second = int(g.get("M") or 0), int(g.get("S") or 0)
    if g.get("h12"):
        hour = int(g["h12"] or 0)
        if hour > 12:
            return None
        hour = hour % 12 + (12 if g.get("ampm") == "PM" else 0)
    else:
        hour = int(g.get("H") or 0)
    valid = 1 <= month <= 12 and 1 <= day <= _days_in(month, year)
    if not valid or hour > 23 or minute > 59 or second > 59:
        return None
    days = _days_from_civil(year, month, day)
    return days * 86400 + hour * 3600 + minute * 60 + second - _offset(g.get("z"))

"""What the two published discharge webfile parsers (Discharge Ready Date, acute discharge
situation report) share: header names folded for matching, numeric cells where a suppressed
cell is missing (never zero), the month and release date a file speaks for, and a parsed
file's fingerprint. Pure Python: no Django."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from typing import Any

from homeward.measures.workbook import Rows, day_of, label, month_of, text

ENGLAND = "E92000001"
MAX_CODE = 80
MAX_TEXT = 255
# Cells NHS England publishes for a suppressed or unavailable figure: missing, never zero.
SUPPRESSED = frozenset({"", "-", "*", "–", "—", ".", "..", "x", "n/a", "na", ":"})
NATIONAL_NAMES = frozenset({"england", "national", "total", "england total", "all providers"})
_DASHES = re.compile("[\u2010-\u2015\u2212]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
_MONTH_IN_TEXT = re.compile(
    r"(january|february|march|april|may|june|july|august|september|october|november|december)"
    r"[\s_\-]*(\d{4})"
)
_WORDS = {"days": "day", "percentage": "pct", "percent": "pct"}
_ICB_CODE = re.compile(r"^(Q[A-Z0-9]{2}|E54\d{6})$")
_REGION_CODE = re.compile(r"^(Y\d{2}|E40\d{6})$")
_RELEASE_LABELS = ("published", "revised", "next update", "as at", "as of")
_LOOK_AHEAD = 40  # rows searched for the header


def norm(value: Any) -> str:
    """A header folded for matching: lower case; dashes of every kind, punctuation and runs of
    blanks (trailing ones included) become one space; '%' reads 'pct', '#' 'number', '+'
    'plus'; 'days' reads 'day'. '21+ Days ' and '21+ day' fold alike; so do '2–3' and '2-3'."""
    folded = _DASHES.sub("-", str(value).lower())
    folded = folded.replace("%", " pct ").replace("#", " number ").replace("+", " plus ")
    words = _NON_WORD.sub(" ", folded).split()
    return " ".join(_WORDS.get(w, w) for w in words)


def number(value: Any) -> tuple[float | None, str | None]:
    """A figure cell: (value, None); (None, None) when suppressed or blank (missing, not zero);
    (None, reason) when it is not a number."""
    if value is None or isinstance(value, bool):
        return None, None if value is None else f"'{value}' is not a number"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"'{value}' is not a number"
        return float(value), None
    raw = str(value).strip()
    if raw.lower() in SUPPRESSED:
        return None, None
    stripped = raw.rstrip("%").strip()
    if not _NUMBER.match(stripped) or not any(c.isdigit() for c in stripped):
        return None, f"'{raw}' is not a number"
    return float(stripped.replace(",", "")), None


def find_header(rows: Rows, anchors: tuple[frozenset[str], ...]) -> int | None:
    """The first row (index) that has, for every anchor set, a cell whose folded name is in it."""
    for i, row in enumerate(rows[:_LOOK_AHEAD]):
        names = {norm(cell) for cell in row if text(cell)}
        if all(names & anchor for anchor in anchors):
            return i
    return None


def month_from(rows: Rows, source: str) -> dt.date | None:
    """The month a file is for: a month cell ('April 2024', a date, 'Period: April 2024')
    above the header, else a month and year in the file name; None when neither says."""
    for row in rows:
        first = next((label(c) for c in row if text(c)), "")
        if first.startswith(_RELEASE_LABELS):
            continue
        for cell in row:
            found = month_of(cell)
            if found is None and isinstance(cell, str) and ":" in cell:
                found = month_of(cell.split(":", 1)[1])
            if found is not None:
                return found
    match = _MONTH_IN_TEXT.search(source.lower())
    if match:
        return month_of(f"{match.group(1)} {match.group(2)}")
    return None


def release_dates(rows: Rows) -> dict[str, dt.date | None]:
    """'Published' and 'Revised' dates from label/value cells above the header."""
    found: dict[str, dt.date | None] = {"published": None, "revised": None}
    for row in rows:
        cells = [c for c in row if text(c)]
        for i, cell in enumerate(cells):
            name = label(cell).rstrip(":")
            for key in found:
                if name.startswith(key) and found[key] is None:
                    after = cell.split(":", 1)[1] if isinstance(cell, str) and ":" in cell else ""
                    found[key] = day_of(after.strip()) or (
                        day_of(cells[i + 1]) if i + 1 < len(cells) else None
                    )
    return found


def level_of(code: str, name: str) -> str:
    """'national', 'region', 'icb' or 'provider', from the row's code and name."""
    if code.upper() == ENGLAND or norm(code) in NATIONAL_NAMES or norm(name) in NATIONAL_NAMES:
        return "national"
    if _REGION_CODE.match(code.upper()):
        return "region"
    if _ICB_CODE.match(code.upper()):
        return "icb"
    return "provider"


def _canonical(value: Any) -> Any:
    # Spreadsheet programs keep 15 significant digits: 9 decimals survive a re-save.
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def too_long(**fields: str) -> str | None:
    """Why a row's code or text cannot be stored (codes up to 80 characters, text up to
    255), or None."""
    for name, value in fields.items():
        limit = MAX_CODE if name == "code" else MAX_TEXT
        if len(value) > limit:
            return f"{name} is {len(value)} characters long (at most {limit}): not an organisation"
    return None


def fingerprint(payload: Any) -> str:
    """SHA-256 of the figures as canonical JSON: equal for a re-saved copy of one release."""
    canonical = json.dumps(_canonical(payload), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()

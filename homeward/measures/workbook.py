"""Reading official spreadsheets (xls, xlsx, ods) as plain rows, and the small helpers the
national-file parsers share. Pure Python: no Django."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

Rows = list[list[Any]]

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?,?\s+(\d{4})$")


class UnreadableFile(ValueError):
    """The file is not the expected spreadsheet: nothing in it can be imported."""


@dataclass(frozen=True)
class Problem:
    """One row (or cell) that was rejected or corrected, with a reason a person can act on."""

    sheet: str
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "line": self.line, "reason": self.reason}


class Release:
    """A monthly release of a published file, read or stored: it speaks for the date it was
    revised, or else published. Subclasses have `published` and `revised` dates."""

    @property
    def as_of(self) -> dt.date | None:
        return self.revised or self.published


class ParsedRelease(Release):
    """A release as read from its file, with the rows it rejected in `rejections`."""

    @property
    def rows_rejected(self) -> int:
        return len(self.rejections)


def read_sheets(path: Path) -> dict[str, Rows]:
    """Every sheet of an xls, xlsx or ods workbook as lists of cell values."""
    try:
        book = CalamineWorkbook.from_path(str(path))
        return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    except FileNotFoundError:
        raise UnreadableFile(f"{path.name}: no such file") from None
    except Exception as exc:  # calamine raises its own types for every malformed file
        raise UnreadableFile(f"{path.name} is not an xls, xlsx or ods workbook ({exc})") from None


def label(value: Any) -> str:
    """A header cell folded for matching: lower case, single spaces, no surrounding blanks."""
    return " ".join(str(value).split()).lower()


def text(value: Any) -> str:
    """A cell as trimmed text ('' for blank); whole floats lose their '.0' (codes like 716)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def month_of(value: Any) -> dt.date | None:
    """'December 2019' (or a date cell) as the first day of that month; None if not a month."""
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    match = _MONTH_YEAR.match(label(value))
    if match and match.group(1) in _MONTHS:
        return dt.date(int(match.group(2)), _MONTHS[match.group(1)], 1)
    return None


def day_of(value: Any) -> dt.date | None:
    """'27th May 2011' (or a date cell) as a date; None when blank or not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DAY_MONTH_YEAR.match(label(value))
    if not match or match.group(2) not in _MONTHS:
        return None
    try:
        return dt.date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        return None

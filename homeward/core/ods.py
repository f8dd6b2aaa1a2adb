"""Reading NHS Digital's ODS list of NHS trusts (`etr.csv`). Pure Python: no Django.

The file has no header; its fields, in order: organisation code, name, national grouping (the
NHS England region), high-level health geography (the ICB, formerly the STP), five address
lines, postcode, open date, close date (`YYYYMMDD`), then fields Homeward does not use. Names
are published in capitals; they are stored as people write them."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

CODE = re.compile(r"^[A-Z0-9]{3}$")
# National groupings: NHS England's seven regions (the codes used since April 2020). Trusts of
# any other grouping (W00: Wales) are outside England and are not Homeward's to hold.
REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
}
FIELDS = 12
# Words kept in capitals, and small words kept lower case inside a name.
UPPER = {"NHS", "UK", "ICB", "CIC"}
LOWER = {"and", "of", "the", "for", "on", "upon", "in", "under", "by", "at"}


@dataclass(frozen=True)
class Trust:
    code: str
    name: str
    grouping: str
    icb: str
    opened: dt.date | None
    closed: dt.date | None

    @property
    def region(self) -> str | None:
        """The NHS England region's name; None outside England."""
        return REGIONS.get(self.grouping)

    def open_on(self, day: dt.date) -> bool:
        return (self.opened is None or self.opened <= day) and (
            self.closed is None or self.closed > day
        )


@dataclass
class TrustFile:
    trusts: list[Trust] = field(default_factory=list)
    read: int = 0
    rejections: list[dict] = field(default_factory=list)


def _part(part: str, inner: bool) -> str:
    return part.lower() if inner and part.lower() in LOWER else part.capitalize()


def _word(word: str, first: bool) -> str:
    """A word, or each part of a hyphenated one; small words stay lower case inside a name."""
    if word.upper() in UPPER:
        return word.upper()
    return "-".join(_part(p, not first or i > 0) for i, p in enumerate(word.split("-")))


def tidy_name(name: str) -> str:
    """'KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST' -> "King's College Hospital NHS
    Foundation Trust"; 'STOKE-ON-TRENT' -> 'Stoke-on-Trent'."""
    words = name.split()
    return " ".join(
        "(" + _word(w[1:], i == 0) if w.startswith("(") else _word(w, i == 0)
        for i, w in enumerate(words)
    )


def _date(value: str, what: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a date in the form YYYYMMDD") from None


def parse_trusts(path: Path) -> TrustFile:
    """Every well-formed row of an ODS trust file; each other row rejected with its line."""
    result = TrustFile()
    seen: dict[str, int] = {}
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            if not any(cell.strip() for cell in row):
                continue
            result.read += 1
            try:
                trust = _trust(row)
                if trust.code in seen:
                    raise ValueError(
                        f"{trust.code} is listed again (first on line {seen[trust.code]})"
                    )
            except ValueError as exc:
                result.rejections.append({"line": line, "reason": str(exc)})
                continue
            seen[trust.code] = line
            result.trusts.append(trust)
    if result.read and not result.trusts:
        raise ValueError(
            "no row looks like an ODS trust record (code, name, region, ICB, address, postcode, "
            f"open date, close date); first problem: {result.rejections[0]['reason']}"
        )
    return result


def _trust(row: list[str]) -> Trust:
    if len(row) < FIELDS:
        raise ValueError(f"{len(row)} fields; an ODS trust record has at least {FIELDS}")
    code = row[0].strip().upper()
    if not CODE.match(code):
        raise ValueError(f"{row[0]!r} is not an ODS trust code (three letters or digits)")
    name = tidy_name(row[1])
    if not name:
        raise ValueError(f"{code} has no name")
    opened = _date(row[10], "open date")
    closed = _date(row[11], "close date")
    if opened and closed and closed < opened:
        raise ValueError(f"{code} closes ({closed}) before it opens ({opened})")
    return Trust(
        code=code,
        name=name,
        grouping=row[2].strip().upper(),
        icb=row[3].strip().upper(),
        opened=opened,
        closed=closed,
    )

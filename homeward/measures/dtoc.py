"""NHS England's monthly "Total Delayed Days - Local Authority" workbooks (DTOC, LA type B,
2010-2020) read into plain data. Pure Python: no Django.

A workbook has an `England` sheet (delayed days by type of care x reason x attribution for
England) and three area sheets, each one breakdown of every council's delayed days in the month:
`LA - by type of care` (acute, non-acute), `LA - by responsible org` (NHS, social care, both)
and `LA - by reason` (A ... I, and O from April 2017). The layout changed over the years, and
this reader finds everything by name, never by position:

- metadata rows (`Period:`, `Published:`, `Revised:`, `Status:`) above a header row whose place
  moves; the header is the row naming `Name` and `Code` (areas) or `Type of Care` (England);
- until June 2015 only the old DH council codes (`716`, `00KB`); from July 2015 an
  `ONS Geography` column beside them. Old codes are turned into ONS codes with the table in
  `data/dtoc_dh_codes.csv`, derived from the workbooks that carry both (with its dates: DH code
  809 was Dorset county until March 2019 and Dorset unitary after);
- reason labels in upper case until March 2017 (`DI) AWAITING RESIDENTIAL ...`), mixed after;
- `NA` in the England sheet where a reason could not be attributed to that organisation (until
  December 2017: C and I NHS only; Di, G and H never Both): not applicable, not missing;
- `-` (or a blank) where a figure is missing: kept as missing (None), never read as zero;
- from April 2017 a second block beside the delayed days, "DTOC Beds" (renamed "Average Number
  of People Delayed per Day"): read to check it equals delayed days / days in the month;
- rows for people resident in Wales, Scotland or outside Great Britain (DH codes 9900-9902)
  that count in the England row but belong to no English council.

Each area sheet row is read once; rows that cannot be stored are rejected with their sheet,
line and reason, and questionable cells are kept as missing with a warning."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from homeward.core import councils
from homeward.measures.definitions import (
    ATTRIBUTIONS,
    FIELDS,
    REASONS,
    TYPES_OF_CARE,
    days_in_month,
)
from homeward.measures.workbook import (
    ParsedRelease,
    Problem,
    Rows,
    UnreadableFile,
    day_of,
    label,
    month_of,
    read_sheets,
    text,
)

ENGLAND = "E92000001"
# Each area sheet gives one breakdown of the same delayed days; the parts add up to the total.
BREAKDOWNS = {"type_of_care": TYPES_OF_CARE, "attribution": ATTRIBUTIONS, "reason": REASONS}
REASON_NAMES = {
    "A": "Awaiting completion of assessment",
    "B": "Awaiting public funding",
    "C": "Awaiting further non-acute NHS care",
    "Di": "Awaiting residential home placement or availability",
    "Dii": "Awaiting nursing home placement or availability",
    "E": "Awaiting care package in own home",
    "F": "Awaiting community equipment and adaptations",
    "G": "Patient or family choice",
    "H": "Disputes",
    "I": "Housing",
    "O": "Other",
}
DH_CODES_CSV = Path(__file__).parent / "data" / "dtoc_dh_codes.csv"

_SHEETS = {
    "type_of_care": "type of care",
    "attribution": "responsible org",
    "reason": "by reason",
}
_COLUMN_FIELD = {
    "acute": "acute",
    "non-acute": "non_acute",
    "non acute": "non_acute",
    "nhs": "nhs",
    "social care": "social_care",
    "both": "both",
    "total": "total",
}
_REASON_LABEL = re.compile(r"^(a|b|c|dii|di|e|f|g|h|i|o)\s*\)")
_REASON_CODE = {code.lower(): code for code in REASONS}
_ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")
_DIGITS = re.compile(r"[0-9]+")  # not str.isdigit: that accepts '¹', which int() refuses
_BEDS_BLOCK = re.compile(r"bed|per day")
# Published beds carry float noise (3851.3000000000006); anything past this is a real mismatch.
_BEDS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class DetailCell:
    """One cell of the England sheet: delayed days of one type of care, reason and attribution.

    `reason` is "" for the type of care's total row. `applicable` is False for `NA` cells (the
    collection did not allow that attribution for that reason); `delayed_days` None = missing."""

    type_of_care: str
    reason: str
    attribution: str
    delayed_days: int | None
    applicable: bool = True


@dataclass
class AreaFigures:
    """One area's delayed days in the month from the three area sheets (None = missing)."""

    key: str
    code: str
    dh_code: str
    name: str
    region: str
    is_council: bool
    total: int | None = None
    values: dict[str, int | None] = field(default_factory=dict)
    published_beds: dict[str, float | None] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def canonical(self) -> list[Any]:
        return [self.code, self.dh_code, self.name, self.total, sorted(self.values.items())]


@dataclass
class DtocWorkbook(ParsedRelease):
    """Everything read from one monthly workbook, with the rows rejected and cells corrected."""

    source: str
    period: dt.date
    published: dt.date | None
    revised: dt.date | None
    status: str
    fields: tuple[str, ...]
    areas: list[AreaFigures]
    england: AreaFigures | None
    england_detail: list[DetailCell]
    rows_read: int
    rejections: list[Problem]
    warnings: list[Problem]

    def fingerprint(self) -> str:
        """SHA-256 of the figures and release dates: equal for a re-saved copy of one release."""
        payload = {
            "period": self.period.isoformat(),
            "published": self.published and self.published.isoformat(),
            "revised": self.revised and self.revised.isoformat(),
            "areas": sorted(area.canonical() for area in self.areas),
            "england": self.england.canonical() if self.england else None,
            "detail": [
                [c.type_of_care, c.reason, c.attribution, c.delayed_days, c.applicable]
                for c in self.england_detail
            ],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class _DhCode:
    dh_code: str
    ons_code: str
    name: str
    first: dt.date | None
    last: dt.date | None


@cache
def _dh_codes() -> dict[str, tuple[_DhCode, ...]]:
    table: dict[str, list[_DhCode]] = {}
    with DH_CODES_CSV.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            entry = _DhCode(
                dh_code=row["dh_code"],
                ons_code=row["ons_code"],
                name=row["name"],
                first=dt.date.fromisoformat(row["first_month"]) if row["first_month"] else None,
                last=dt.date.fromisoformat(row["last_month"]) if row["last_month"] else None,
            )
            table.setdefault(entry.dh_code, []).append(entry)
    return {code: tuple(entries) for code, entries in table.items()}


def ons_code_for_dh(dh_code: str, period: dt.date) -> str | None:
    """The ONS code a DH council code stood for in that month ('' for the non-English rows)."""
    for entry in _dh_codes().get(dh_code, ()):
        if (entry.first is None or entry.first <= period) and (
            entry.last is None or period <= entry.last
        ):
            return entry.ons_code
    return None


def days_cell(value: Any) -> tuple[int | None, str | None]:
    """A delayed-days cell: (whole number, None), (None, None) when missing ('-' or blank),
    or (None, reason) when the cell holds something that is not a count of days."""
    if isinstance(value, bool):
        return None, f"{value!r} is not a number of days"
    if isinstance(value, int | float):
        if value != value or value < 0:
            return None, f"{value} is not a number of days"
        if float(value).is_integer():
            return int(value), None
        return None, f"{value} is not a whole number of days"
    content = text(value)
    if content in ("", "-"):
        return None, None
    cleaned = content.replace(",", "")
    if _DIGITS.fullmatch(cleaned):
        return int(cleaned), None
    return None, f"'{content}' is not a number of days"


def _beds_cell(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def _metadata(rows: Rows, header: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for row in rows[:header]:
        if row and label(row[0]).endswith(":"):
            found[label(row[0])[:-1]] = row[1] if len(row) > 1 else ""
    return found


def _find_header(rows: Rows, *needed: str) -> int | None:
    for i, row in enumerate(rows[:60]):
        labels = {label(c) for c in row}
        if all(name in labels for name in needed):
            return i
    return None


def _value_columns(rows: Rows, header: int) -> tuple[dict[str, int], dict[str, int]]:
    """Columns of the delayed-days block and of the published beds block, by field name."""
    above = rows[header - 1] if header > 0 else []
    block = ""
    days: dict[str, int] = {}
    beds: dict[str, int] = {}
    for j, cell in enumerate(rows[header]):
        if j < len(above) and label(above[j]):
            block = label(above[j])
        name = label(cell)
        reason = _REASON_LABEL.match(name)
        key = _REASON_CODE[reason.group(1)] if reason else _COLUMN_FIELD.get(name)
        if key is None:
            continue
        target = beds if _BEDS_BLOCK.search(block) else days
        target.setdefault(key, j)
    return days, beds


def _sheet_for(sheets: dict[str, Rows], breakdown: str) -> tuple[str, Rows] | None:
    for name, rows in sheets.items():
        if label(name).startswith("la") and _SHEETS[breakdown] in label(name):
            return name, rows
    return None


class _Reader:
    def __init__(self, source: str, sheets: dict[str, Rows]):
        self.source = source
        self.sheets = {name: _rectangular(rows) for name, rows in sheets.items()}
        self.rejections: list[Problem] = []
        self.warnings: list[Problem] = []
        self.rows_read = 0
        self.areas: dict[str, AreaFigures] = {}
        self.england: AreaFigures | None = None
        self.fields: list[str] = []
        self.period: dt.date | None = None
        self.meta: dict[str, Any] = {}

    def read(self) -> DtocWorkbook:
        found = {b: _sheet_for(self.sheets, b) for b in BREAKDOWNS}
        if not any(found.values()):
            raise UnreadableFile(
                f"{self.source}: no 'LA - by type of care', 'LA - by responsible org' or "
                "'LA - by reason' sheet: not a DTOC local authority workbook"
            )
        for breakdown, sheet in found.items():
            if sheet is None:
                self.warnings.append(
                    Problem("", 0, f"no sheet for the {breakdown.replace('_', ' ')} breakdown")
                )
            else:
                self._area_sheet(breakdown, *sheet)
        detail = self._england_sheet()
        if self.period is None:
            raise UnreadableFile(f"{self.source}: no 'Period:' row naming the month")
        for area in [*self.areas.values(), *([self.england] if self.england else [])]:
            self._check_area(area)
        return DtocWorkbook(
            source=self.source,
            period=self.period,
            published=day_of(self.meta.get("published", "")),
            revised=day_of(self.meta.get("revised", "")),
            status=text(self.meta.get("status", "")),
            fields=tuple(f for f in FIELDS if f in self.fields),
            areas=list(self.areas.values()),
            england=self.england,
            england_detail=detail,
            rows_read=self.rows_read,
            rejections=self.rejections,
            warnings=self.warnings,
        )

    def _note_period(self, sheet: str, meta: dict[str, Any]) -> None:
        for key in ("published", "revised", "status"):
            self.meta.setdefault(key, meta.get(key, ""))
        if not text(meta.get("period", "")):
            return
        period = month_of(meta["period"])
        if period is None:
            raise UnreadableFile(
                f"{self.source}: sheet {sheet}: Period '{meta['period']}' is not a month"
            )
        if self.period is not None and period != self.period:
            raise UnreadableFile(
                f"{self.source}: sheet {sheet} is for {period:%B %Y} but another sheet is for "
                f"{self.period:%B %Y}: sheets from different months"
            )
        self.period = period

    def _area_sheet(self, breakdown: str, sheet: str, rows: Rows) -> None:
        header = _find_header(rows, "name", "code")
        if header is None:
            raise UnreadableFile(
                f"{self.source}: sheet {sheet} has no header row with Name and Code"
            )
        self._note_period(sheet, _metadata(rows, header))
        heads = [label(c) for c in rows[header]]
        col_name, col_dh = heads.index("name"), heads.index("code")
        col_ons = heads.index("ons geography") if "ons geography" in heads else None
        col_region = next((heads.index(h) for h in ("region", "sha") if h in heads), None)
        days, beds = _value_columns(rows, header)
        wanted = (*BREAKDOWNS[breakdown], "total")
        for name in BREAKDOWNS[breakdown]:
            if name in days and name not in self.fields:
                self.fields.append(name)
        seen: dict[str, int] = {}
        for i in range(header + 1, len(rows)):
            row = rows[i]
            line = i + 1
            name, dh, ons = _at(row, col_name), _at(row, col_dh), _at(row, col_ons)
            has_values = any(_at(row, j) for j in days.values())
            if not name and dh in ("", "-") and ons in ("", "-"):
                if has_values:
                    self.rows_read += 1
                    self._reject(sheet, line, "figures without an area code or name")
                continue
            self.rows_read += 1
            area = self._area(sheet, line, name, dh, ons, _at(row, col_region))
            if area is None:
                continue
            if area.key in seen:
                self._reject(
                    sheet,
                    line,
                    f"{area.name} appears twice in this sheet (first on line {seen[area.key]})",
                )
                continue
            seen[area.key] = line
            area.lines[sheet] = line
            row_days: dict[str, int | None] = {}
            for key in wanted:
                if key not in days:
                    continue
                value, problem = days_cell(row[days[key]])
                row_days[key] = value
                if problem:
                    self._warn(sheet, line, f"{area.name}, {key}: {problem}; kept as missing")
                elif value is None:
                    self._warn(
                        sheet, line, f"{area.name}, {key}: missing ('-'), not counted as zero"
                    )
                if key == "total":
                    self._total(area, sheet, line, value)
                else:
                    area.values[key] = value
            for key, j in beds.items():
                if key in wanted:
                    self._beds(area, sheet, line, key, _beds_cell(row[j]), row_days.get(key))

    def _area(self, sheet: str, line: int, name: str, dh: str, ons: str, region: str):
        if name.lower() == "england":
            if self.england is None:
                self.england = AreaFigures(ENGLAND, ENGLAND, "", "England", "", False)
            return self.england
        dh = "" if dh == "-" else dh
        ons = "" if ons == "-" else ons.upper()
        region = "" if region == "-" else region
        if ons and not _ONS_CODE.match(ons):
            fix = councils.suggest_code(ons)
            hint = f" (did you mean {fix}?)" if fix else ""
            self._reject(sheet, line, f"{name}: ONS code '{ons}' is malformed{hint}")
            return None
        code = ons
        if not code and dh:
            code = ons_code_for_dh(dh, self.period) if self.period else None
            if code is None:
                by_name = councils.code_for_name(re.sub(r"\s+UA$", "", name))
                if by_name:
                    code = by_name
                    self._warn(
                        sheet,
                        line,
                        f"{name}: DH code {dh} not in the code table; "
                        f"ONS code {by_name} found by name",
                    )
                else:
                    code = ""
                    self._warn(
                        sheet,
                        line,
                        f"{name}: no ONS code for DH code {dh}; stored under the DH code",
                    )
        key = code or (f"dh:{dh}" if dh else f"name:{councils.name_key(name)}")
        area = self.areas.get(key)
        if area is None:
            area = AreaFigures(
                key=key,
                code=code or dh,
                dh_code=dh,
                name=name,
                region=region,
                is_council=bool(code) and councils.is_valid_code(code),
            )
            self.areas[key] = area
        return area

    def _total(self, area: AreaFigures, sheet: str, line: int, value: int | None) -> None:
        if value is None:
            return
        if area.total is not None and area.total != value:
            self._warn(
                sheet,
                line,
                f"{area.name}: total {value:,} differs from {area.total:,} in another sheet; "
                "the first is kept",
            )
            return
        area.total = value

    def _check_area(self, area: AreaFigures) -> None:
        for breakdown, parts in BREAKDOWNS.items():
            values = [area.values[p] for p in parts if p in area.values]
            if not values or any(v is None for v in values) or area.total is None:
                continue
            if sum(values) != area.total:
                sheet = _SHEETS[breakdown]
                line = next((n for s, n in area.lines.items() if sheet in label(s)), 0)
                self._warn(
                    next((s for s in area.lines if sheet in label(s)), sheet),
                    line,
                    f"{area.name}: {breakdown.replace('_', ' ')} parts add up to {sum(values):,} "
                    f"but the total is {area.total:,}",
                )

    def _beds(
        self,
        area: AreaFigures,
        sheet: str,
        line: int,
        key: str,
        published: float | None,
        days: int | None,
    ) -> None:
        area.published_beds.setdefault(key, published)
        if published is None or days is None or self.period is None:
            return
        month_days = days_in_month(self.period)
        if abs(published - days / month_days) > _BEDS_TOLERANCE * max(1.0, published):
            self._warn(
                sheet,
                line,
                f"{area.name}, {key}: published {published:.4f} delayed beds per day, but "
                f"{days:,} delayed days / {month_days} days = {days / month_days:.4f}",
            )

    def _england_sheet(self) -> list[DetailCell]:
        for sheet, rows in self.sheets.items():
            if label(sheet) != "england":
                continue
            header = _find_header(rows, "type of care", "reason for delay")
            if header is None:
                self._warn(
                    sheet, 0, "no header row with Type of Care and Reason for Delay: sheet skipped"
                )
                return []
            self._note_period(sheet, _metadata(rows, header))
            heads = [label(c) for c in rows[header]]
            columns = {
                key: heads.index(name)
                for name, key in (("nhs", "nhs"), ("social care", "social_care"), ("both", "both"))
                if name in heads
            }
            col_type, col_reason = heads.index("type of care"), heads.index("reason for delay")
            cells: list[DetailCell] = []
            care = ""
            for i in range(header + 1, len(rows)):
                row = rows[i]
                kind, reason_label = label(row[col_type]), label(row[col_reason])
                if not kind and not reason_label:
                    continue
                self.rows_read += 1
                care = {"acute": "acute", "non-acute": "non_acute"}.get(
                    kind, care if not kind else "?"
                )
                match = _REASON_LABEL.match(reason_label)
                reason = (
                    _REASON_CODE[match.group(1)] if match else ("" if reason_label == "-" else None)
                )
                if care == "?" or reason is None:
                    self._reject(
                        sheet,
                        i + 1,
                        f"unknown type of care or reason '{text(row[col_type])}' / "
                        f"'{text(row[col_reason])}'",
                    )
                    continue
                for attribution, j in columns.items():
                    raw = row[j] if j < len(row) else ""
                    if label(raw) == "na":
                        cells.append(DetailCell(care, reason, attribution, None, applicable=False))
                        continue
                    value, problem = days_cell(raw)
                    if problem:
                        self._warn(
                            sheet,
                            i + 1,
                            f"{care} {reason or 'all reasons'} {attribution}: {problem}; "
                            "kept as missing",
                        )
                    cells.append(DetailCell(care, reason, attribution, value))
            return cells
        return []

    def _reject(self, sheet: str, line: int, reason: str) -> None:
        self.rejections.append(Problem(sheet, line, reason))

    def _warn(self, sheet: str, line: int, reason: str) -> None:
        self.warnings.append(Problem(sheet, line, reason))


def _at(row: list[Any], column: int | None) -> str:
    """The cell's text, or '' when the sheet has no such column."""
    return text(row[column]) if column is not None else ""


def _rectangular(rows: Rows) -> Rows:
    """Rows padded with blanks to one width, as calamine gives them (other sources may not)."""
    width = max((len(r) for r in rows), default=0)
    return [list(r) + [""] * (width - len(r)) for r in rows]


def parse_sheets(source: str, sheets: dict[str, Rows]) -> DtocWorkbook:
    """Read a DTOC LA type B workbook given as {sheet name: rows}."""
    return _Reader(source, sheets).read()


def parse_workbook(path: Path) -> DtocWorkbook:
    """Read a DTOC LA type B workbook (xls, xlsx or ods); UnreadableFile if it is not one."""
    return parse_sheets(path.name, read_sheets(path))


def detail_totals(cells: Iterable[DetailCell]) -> dict[str, int | None]:
    """England-sheet cells added up by field (type of care, attribution, reason); NA adds
    nothing, a missing cell makes its sums missing. Rows with a reason are the breakdown; the
    reason-less rows are each type of care's own total, summed separately as `<type>_stated`."""
    sums: dict[str, int | None] = {}

    def add(key: str, value: int | None) -> None:
        if key in sums and sums[key] is None:
            return
        sums[key] = None if value is None else sums.get(key, 0) + value

    for cell in cells:
        if not cell.applicable:
            continue
        if cell.reason:
            add(cell.type_of_care, cell.delayed_days)
            add(cell.attribution, cell.delayed_days)
            add(cell.reason, cell.delayed_days)
            add("total", cell.delayed_days)
        else:
            add(f"{cell.type_of_care}_stated", cell.delayed_days)
    return sums

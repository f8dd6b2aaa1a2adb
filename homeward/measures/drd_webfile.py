"""NHS England's Discharge Ready Date (DRD) monthly webfile (April 2023 onwards), read into
the measures of `homeward.measures.drd` for every provider, ICB, region and England row.
Pure Python: no Django.

The layout (data-formats.md): sheet `Provider`, columns `Region, ICB, Code, Org Name, # of
providers with acceptable data, % of providers with acceptable data, Data Source`, then % not
delayed and % delayed, % and bed days per delay band (1, 2-3, 4-6, 7-13, 14-20, 21+ days) and
the average delay excluding zero-day delays; from April 2024 also discharge volumes, delay bed
days and people per band (39 columns). No published sample was at hand when this was written:
the rules below follow that description and are tested on generated workbooks.

Reading rules
- The header is the first row (of the first 40) naming both the code and the organisation
  name columns; columns are matched by folded name (`webfile.norm`: case, blanks, punctuation,
  dash kinds and "days"/"day" do not matter). A bare band header ("2-3 days") under a
  merged group label ("% of patients delayed") is read with that label.
- Every column the layout needs must be found, or the file is refused naming the missing ones;
  the April 2024 columns are all needed as soon as one of them is there. Two columns that
  read as the same figure are refused. Columns not recognised are listed as warnings.
- Blank, `-`, `*` and the other suppression marks are missing (None), never 0.
- Percentages are stored 0-100. Whether the file writes them as 0-1 or 0-100 is decided once
  per file from the rows where % not delayed + % delayed add up to 1 or to 100; when no row
  has both, a value above 1 means 0-100; otherwise the file is refused as ambiguous. The
  % of providers with acceptable data is read as 0-100 when any value is above 1, else with
  the file's scale.
- Band percentages are of discharges when they add up to % delayed, of the people delayed
  when they add up to 100 (`band_base`); "unknown" with a warning when the rows disagree.
- A row with a figure that is not a number, a percentage outside 0-100, a negative or
  fractional count, no code, or a code already seen, is rejected with its line and reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeward.measures.drd import BAND_NAMES, DrdMeasures, round_1dp
from homeward.measures.webfile import (
    find_header,
    fingerprint,
    level_of,
    month_from,
    norm,
    number,
    release_dates,
    too_long,
)
from homeward.measures.workbook import (
    ParsedRelease,
    Problem,
    Rows,
    UnreadableFile,
    month_of,
    read_sheets,
    text,
)

SHEET = "provider"
LAYOUT_2023 = "2023-04"
LAYOUT_2024 = "2024-04"

_LEAD = {
    "region": {"region", "region name", "nhs england region", "region code"},
    "icb": {"icb", "icb name", "icb code", "integrated care board"},
    "code": {"code", "org code", "provider code", "trust code", "organisation code", "ods code"},
    "name": {"org name", "provider name", "trust name", "organisation name", "name"},
    "providers_acceptable": {"number of providers with acceptable data"},
    "pct_providers_acceptable": {"pct of providers with acceptable data"},
    "data_source": {"data source", "source"},
    "month": {"month", "period", "reporting period", "month of discharge"},
}
_LEAD_OF = {name: key for key, names in _LEAD.items() for name in names}
_BANDS = (
    ("21+", re.compile(r"\b21 (plus|or more|and over)\b")),
    ("14-20", re.compile(r"\b14 (to )?20\b")),
    ("7-13", re.compile(r"\b7 (to )?13\b")),
    ("4-6", re.compile(r"\b4 (to )?6\b")),
    ("2-3", re.compile(r"\b2 (to )?3\b")),
    ("1", re.compile(r"\b1 day\b")),
)
_PCT = {"pct", "proportion"}
_VOLUME = {"number", "volume", "count", "patients", "people", "discharges", "total"}
_NOT_DELAYED = re.compile(r"\b(not delayed|no delay|not delay|0 day|zero day|on drd|on the drd)\b")
_DELAYED = re.compile(r"\bdelay(ed|s)?\b|\bafter\b")

PCT_FIELDS = ("pct_not_delayed", "pct_delayed", *(f"band_pct:{b}" for b in BAND_NAMES))
COUNT_FIELDS_2024 = (
    "discharges",
    "delayed_bed_days",
    *(f"band_people:{b}" for b in BAND_NAMES),
)
REQUIRED_2023 = (
    "region",
    "icb",
    "code",
    "name",
    "pct_not_delayed",
    "pct_delayed",
    *(f"band_pct:{b}" for b in BAND_NAMES),
    *(f"band_bed_days:{b}" for b in BAND_NAMES),
    "avg_delay_days_excl_zero",
)
# How each field is named in messages, so a refusal names what a person looks for.
DESCRIPTION = {
    "region": "Region",
    "icb": "ICB",
    "code": "Code",
    "name": "Org Name",
    "pct_not_delayed": "% not delayed",
    "pct_delayed": "% delayed",
    "avg_delay_days_excl_zero": "average delay (excluding zero-day delays)",
    "discharges": "discharge volume",
    "delayed_bed_days": "delay bed days",
    **{f"band_pct:{b}": f"% delayed {b} days" for b in BAND_NAMES},
    **{f"band_bed_days:{b}": f"bed days {b} days" for b in BAND_NAMES},
    **{f"band_people:{b}": f"volume {b} days" for b in BAND_NAMES},
}
_COUNTS = {
    "providers_acceptable",
    "discharges",
    "not_delayed",
    "delayed",
    "delayed_bed_days",
    *(f"band_people:{b}" for b in BAND_NAMES),
    *(f"band_bed_days:{b}" for b in BAND_NAMES),
}
_FIGURES = {*_COUNTS, *PCT_FIELDS, "pct_providers_acceptable", "avg_delay_days_excl_zero"}
_PCT_SUM_TOLERANCE = {"fraction": 0.011, "percent": 1.1}
_LARGEST = 10**9  # no monthly count or average comes near: beyond it a cell is corrupt
_BAND_TOLERANCE = 0.6  # percentage points: published figures are rounded


def classify(header: Any) -> str | None:
    """The field a column holds, from its header; None when not recognised."""
    name = norm(header)
    if name in _LEAD_OF:
        return _LEAD_OF[name]
    words = set(name.split())
    bed = "bed day" in name
    pct = bool(words & _PCT)
    volume = bool(words & _VOLUME)
    for band, pattern in _BANDS:
        if pattern.search(name):
            if bed:
                return None if pct else f"band_bed_days:{band}"
            if pct:
                return f"band_pct:{band}"
            return f"band_people:{band}" if volume else None
    if words & {"average", "mean", "avg"}:
        including = words & {"including", "inc", "incl", "includes"}
        return None if including else "avg_delay_days_excl_zero"
    if _NOT_DELAYED.search(name):
        if pct:
            return "pct_not_delayed"
        return "not_delayed" if volume else None
    if _DELAYED.search(name) or bed:
        if bed:
            return None if pct else "delayed_bed_days"
        if pct:
            return "pct_delayed"
        return "delayed" if volume else None
    if words & {"discharge", "discharges", "discharged"} and not pct:
        return "discharges"
    return None


@dataclass
class DrdRow:
    """One organisation's published DRD figures for the month (None = missing or suppressed).
    Percentages are 0-100."""

    line: int
    level: str
    code: str
    name: str
    region: str = ""
    icb: str = ""
    data_source: str = ""
    values: dict[str, float | int | None] = field(default_factory=dict)

    def get(self, name: str) -> float | int | None:
        return self.values.get(name)

    def measures(self) -> DrdMeasures | None:
        """The row's counts as DrdMeasures (same definitions as Homeward's own), when the file
        gives discharges and people and bed days for every band; else None."""
        people = [self.get(f"band_people:{b}") for b in BAND_NAMES]
        bed = [self.get(f"band_bed_days:{b}") for b in BAND_NAMES]
        discharges = self.get("discharges")
        if discharges is None or None in people or None in bed:
            return None
        return DrdMeasures.from_slots([discharges - sum(people), *people], [0, *bed])

    def canonical(self) -> list[Any]:
        values = sorted(self.values.items())
        return [self.code, self.level, self.name, self.region, self.icb, self.data_source, values]


@dataclass
class DrdWebfile(ParsedRelease):
    """Everything read from one DRD webfile, with the rows rejected and the warnings."""

    source: str
    sheet: str
    period: dt.date
    published: dt.date | None
    revised: dt.date | None
    layout: str
    scale: str
    band_base: str
    rows: list[DrdRow]
    rows_read: int
    rejections: list[Problem]
    warnings: list[Problem]

    @property
    def national(self) -> DrdRow | None:
        return next((r for r in self.rows if r.level == "national"), None)

    def fingerprint(self) -> str:
        return fingerprint(
            {
                "kind": "drd",
                "period": self.period,
                "published": self.published,
                "revised": self.revised,
                "rows": sorted(r.canonical() for r in self.rows),
            }
        )

    def national_check(self) -> dict[str, dict[str, Any]]:
        """The England row against the provider rows, field by field: counts summed (None
        where any provider's is missing), and when every count is there the %s and average
        recomputed with DrdMeasures. `agrees` allows 0.1 for the rounded published figures."""
        england = self.national
        if england is None:
            return {}
        providers = [r for r in self.rows if r.level == "provider"]
        out: dict[str, dict[str, Any]] = {}
        for name in ("discharges", "delayed_bed_days", *_band_counts()):
            if england.get(name) is None:
                continue
            parts = [r.get(name) for r in providers]
            computed = None if None in parts else sum(parts)
            out[name] = _check(england.get(name), computed, 0)
        totals = DrdRow(0, "provider", "", "", values={})
        for name in ("discharges", *_band_counts()):
            totals.values[name] = out.get(name, {}).get("computed")
        summed = totals.measures()
        for name, attribute in (
            ("pct_not_delayed", "pct_discharged_on_drd"),
            ("pct_delayed", "pct_delayed"),
            ("avg_delay_days_excl_zero", "avg_delay_days_excl_zero"),
        ):
            if england.get(name) is not None and summed is not None:
                out[name] = _check(england.get(name), round_1dp(getattr(summed, attribute)), 0.1)
        return out


def _band_counts() -> tuple[str, ...]:
    return (*(f"band_people:{b}" for b in BAND_NAMES), *(f"band_bed_days:{b}" for b in BAND_NAMES))


def _check(stated: float | int, computed: float | int | None, tolerance: float) -> dict[str, Any]:
    difference = None if computed is None else round(computed - stated, 6)
    return {
        "stated": stated,
        "computed": computed,
        "difference": difference,
        "agrees": difference is not None and abs(difference) <= tolerance + 1e-9,
    }


def _columns(rows: Rows, header: int) -> tuple[dict[str, int], list[str], list[str]]:
    """{field: column}, the headers not recognised, and the fields named twice."""
    found: dict[str, int] = {}
    ignored, doubled = [], []
    above = rows[header - 1] if header else []
    group = ""
    for column, cell in enumerate(rows[header]):
        if column < len(above) and text(above[column]):
            group = text(above[column])
        if not text(cell):
            continue
        key = classify(cell)
        if key is None and group:
            key = classify(f"{group} {text(cell)}")
        if key is None:
            ignored.append(text(cell))
        elif key in found:
            doubled.append(key)
        else:
            found[key] = column
    return found, ignored, doubled


def _at(row: list[Any], column: int | None) -> Any:
    return row[column] if column is not None and column < len(row) else None


class _Reader:
    def __init__(self, source: str, sheet: str, rows: Rows, header: int, month: dt.date | None):
        self.source, self.sheet, self.rows, self.header = source, sheet, rows, header
        self.month = month
        self.rejections: list[Problem] = []
        self.warnings: list[Problem] = []
        self.codes: set[str] = set()

    def read(self) -> DrdWebfile:
        columns, ignored, doubled = _columns(self.rows, self.header)
        if doubled:
            names = ", ".join(sorted(DESCRIPTION.get(k, k) for k in set(doubled)))
            raise UnreadableFile(
                f"{self.source}: more than one column reads as {names}; nothing was imported"
            )
        layout = LAYOUT_2024 if set(COUNT_FIELDS_2024) & set(columns) else LAYOUT_2023
        needed = REQUIRED_2023 + (COUNT_FIELDS_2024 if layout == LAYOUT_2024 else ())
        missing = [DESCRIPTION[k] for k in needed if k not in columns]
        if missing:
            raise UnreadableFile(
                f"{self.source}, sheet {self.sheet}: no column for {', '.join(missing)} "
                f"(header on line {self.header + 1}); nothing was imported"
            )
        for name in ignored:
            self._warn(self.header + 1, f"column '{name}' is not one of the DRD measures: ignored")
        raw = self._raw_rows(columns)
        scale = self._scale(raw)
        providers_scale = self._providers_scale(raw, scale)
        rows = [row for row in (self._row(r, scale, providers_scale) for r in raw) if row]
        period = self._period(raw)
        if layout == LAYOUT_2023 and period >= dt.date(2024, 4, 1):
            self._warn(
                self.header + 1,
                "no discharge volumes or per-band volumes, which the webfile has from April 2024",
            )
        dates = release_dates(self.rows[: self.header])
        return DrdWebfile(
            source=self.source,
            sheet=self.sheet,
            period=period,
            published=dates["published"],
            revised=dates["revised"],
            layout=layout,
            scale=scale,
            band_base=self._band_base(rows),
            rows=rows,
            rows_read=len(raw),
            rejections=self.rejections,
            warnings=self.warnings,
        )

    def _raw_rows(self, columns: dict[str, int]) -> list[tuple[int, dict[str, Any]]]:
        out = []
        figures = [k for k in columns if k in _FIGURES]
        for index in range(self.header + 1, len(self.rows)):
            row = self.rows[index]
            cells = {key: _at(row, column) for key, column in columns.items()}
            has_code = bool(text(cells["code"] if cells["code"] is not None else ""))
            has_figure = any(number(cells[k]) != (None, None) for k in figures)
            if has_code or has_figure:
                out.append((index + 1, cells))
        return out

    def _scale(self, raw: list[tuple[int, dict[str, Any]]]) -> str:
        votes: dict[str, int] = {"fraction": 0, "percent": 0}
        largest = 0.0
        for _, cells in raw:
            values = [number(cells[k])[0] for k in PCT_FIELDS]
            largest = max([largest, *(v for v in values if v is not None)])
            pair = values[0], values[1]
            if None in pair:
                continue
            total = pair[0] + pair[1]
            for scale, full in (("fraction", 1.0), ("percent", 100.0)):
                if abs(total - full) <= _PCT_SUM_TOLERANCE[scale]:
                    votes[scale] += 1
        if votes["fraction"] and votes["percent"]:
            raise UnreadableFile(
                f"{self.source}: % not delayed and % delayed add up to 1 on {votes['fraction']} "
                f"rows and to 100 on {votes['percent']}: percentages mix 0-1 and 0-100; "
                "nothing was imported"
            )
        if votes["fraction"] or votes["percent"]:
            return "fraction" if votes["fraction"] else "percent"
        if largest > 1:
            return "percent"
        raise UnreadableFile(
            f"{self.source}: cannot tell whether the percentages are written 0-1 or 0-100 (no row "
            "gives both % not delayed and % delayed, and no value is above 1); nothing was "
            "imported"
        )

    def _providers_scale(self, raw, scale: str) -> str:
        values = [number(c.get("pct_providers_acceptable"))[0] for _, c in raw]
        return "percent" if any(v is not None and v > 1 for v in values) else scale

    def _period(self, raw: list[tuple[int, dict[str, Any]]]) -> dt.date:
        in_column = {month_of(c["month"]) for _, c in raw if c.get("month") not in (None, "")}
        if None in in_column:
            raise UnreadableFile(f"{self.source}: a Month cell is not a month; nothing imported")
        if len(in_column) > 1:
            months = ", ".join(f"{m:%Y-%m}" for m in sorted(in_column))
            raise UnreadableFile(
                f"{self.source}: rows for several months ({months}); import one month per file"
            )
        found = in_column.pop() if in_column else None
        found = found or self.month or month_from(self.rows[: self.header], self.source)
        if found is None:
            raise UnreadableFile(
                f"{self.source}: no month above the header, in a Month column or in the file "
                "name; give it with --month YYYY-MM"
            )
        return found

    def _row(self, raw: tuple[int, dict[str, Any]], scale: str, providers_scale: str):
        line, cells = raw
        code, name = text(cells["code"] or ""), text(cells["name"] or "")
        level = level_of(code, name)
        values: dict[str, float | int | None] = {}
        for key in sorted(k for k in cells if k in _FIGURES):
            value, error = number(cells[key])
            if error:
                return self._reject(line, f"{DESCRIPTION.get(key, key)}: {error}")
            if value is not None:
                if key in PCT_FIELDS or key == "pct_providers_acceptable":
                    used = providers_scale if key == "pct_providers_acceptable" else scale
                    value = value * 100 if used == "fraction" else value
                    if not 0 <= value <= 100 + 1e-9:
                        return self._reject(
                            line, f"{DESCRIPTION.get(key, key)}: {value:g}% is not 0-100"
                        )
                elif value < 0:
                    return self._reject(line, f"{DESCRIPTION.get(key, key)}: negative ({value:g})")
                elif value > _LARGEST:
                    return self._reject(
                        line, f"{DESCRIPTION.get(key, key)}: {value:g} is too large for a month"
                    )
                if key in _COUNTS:
                    if not value.is_integer():
                        return self._reject(
                            line, f"{DESCRIPTION.get(key, key)}: {value:g} is not a whole number"
                        )
                    value = int(value)
            values[key] = value
        if not code:
            return self._reject(line, "no organisation code")
        region, icb = text(cells["region"] or ""), text(cells["icb"] or "")
        source = text(cells.get("data_source") or "")
        problem = too_long(code=code, name=name, region=region, icb=icb, data_source=source)
        if problem:
            return self._reject(line, problem)
        if code.upper() in self.codes:
            return self._reject(line, f"code {code} appears twice in the file")
        row = DrdRow(
            line=line,
            level=level,
            code=code,
            name=name,
            region=region,
            icb=icb,
            data_source=source,
            values=values,
        )
        self.codes.add(code.upper())
        self._check_row(row)
        return row

    def _check_row(self, row: DrdRow) -> None:
        on, late = row.get("pct_not_delayed"), row.get("pct_delayed")
        if on is not None and late is not None and abs(on + late - 100) > 1.1:
            self._warn(row.line, f"{row.code}: % not delayed + % delayed = {on + late:g}, not 100")
        people = [row.get(f"band_people:{b}") for b in BAND_NAMES]
        discharges = row.get("discharges")
        if discharges is not None and None not in people and sum(people) > discharges:
            self._warn(
                row.line, f"{row.code}: {sum(people)} people delayed but {discharges} discharges"
            )
        bands = [row.get(f"band_bed_days:{b}") for b in BAND_NAMES]
        total = row.get("delayed_bed_days")
        if total is not None and None not in bands and sum(bands) != total:
            self._warn(row.line, f"{row.code}: band bed days add up to {sum(bands)}, not {total}")

    def _band_base(self, rows: list[DrdRow]) -> str:
        bases = set()
        for row in rows:
            bands = [row.get(f"band_pct:{b}") for b in BAND_NAMES]
            late = row.get("pct_delayed")
            if late is None or None in bands or late == 0:
                continue
            total = sum(bands)
            if abs(total - late) <= _BAND_TOLERANCE:
                bases.add("discharges")
            elif abs(total - 100) <= _BAND_TOLERANCE:
                bases.add("delayed")
            else:
                bases.add("unknown")
                self._warn(
                    row.line,
                    f"{row.code}: band % add up to {total:g}: neither % delayed ({late:g}) nor 100",
                )
        if len(bases) == 1:
            return bases.pop()
        if len(bases) > 1:
            self._warn(self.header + 1, "band % are not all of the same base: base unknown")
        return "unknown"

    def _reject(self, line: int, reason: str) -> None:
        self.rejections.append(Problem(self.sheet, line, reason))

    def _warn(self, line: int, reason: str) -> None:
        self.warnings.append(Problem(self.sheet, line, reason))


_CODE_ANCHOR = frozenset(_LEAD["code"])
_NAME_ANCHOR = frozenset(_LEAD["name"])


def parse_sheets(source: str, sheets: dict[str, Rows], month: dt.date | None = None) -> DrdWebfile:
    """Read the provider sheet of a DRD webfile (UnreadableFile, naming why, if none fits).
    `month` is used when the file does not say which month it is for."""
    ordered = sorted(sheets.items(), key=lambda item: norm(item[0]) != SHEET)
    for name, rows in ordered:
        header = find_header(rows, (_CODE_ANCHOR, _NAME_ANCHOR))
        if header is not None:
            return _Reader(source, name, rows, header, month).read()
    names = ", ".join(sheets) or "none"
    raise UnreadableFile(
        f"{source}: no sheet has a header with Code and Org Name columns (sheets: {names}); "
        "this is not a Discharge Ready Date webfile"
    )


def parse_workbook(path: Path, month: dt.date | None = None) -> DrdWebfile:
    """Read a DRD webfile (xlsx, xls or ods)."""
    return parse_sheets(path.name, read_sheets(path), month)

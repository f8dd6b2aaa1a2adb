"""NHS England's acute discharge situation report monthly webfile (2020 onwards): Table 2
(people no longer meeting the criteria to reside, discharged by 17:00, between 17:01 and
23:59, and remaining) and Table 3 (people remaining by reason for not discharging). The same
reader takes back Homeward's own return (`homeward.cases.daily_return`, xlsx or CSV), which is
written in that layout. Pure Python: no Django.

Layout (data-formats.md): Table 2 daily by trust / ICB / region with the four published
measure names; Table 3 `Region, ICB Code, ICB Name` (Homeward's: `Date, Org Code, Org Name`)
then one column per reason for not discharging. No published sample was at hand when this
was written: the rules follow that description and are tested on generated workbooks.

Reading rules
- The tables are found by their headers wherever they sit: a sheet each, or several in one
  sheet or CSV one after another, each under a "Table 2" / "Table 3" title line.
- Columns are matched by folded name (`webfile.norm`), so a reason published with trailing
  blanks or another dash still matches. Table 2 needs all four measures and a code column;
  Table 3 needs a code column and every reason valid in the month
  (`data/acute_delay_reasons.csv`: the list is data because NHS England changes it). A missing
  column refuses the file, naming it. A Table 3 column that is none of those reasons is kept
  under its own name with a warning, never dropped; a "Total" column is checked, not stored.
- Each row is for a day (a Date column, else a date above the header; else the whole month)
  and an organisation: a trust (Org Code), an ICB (ICB Code) or a region; an "England" row is
  the national one.
- Blank, `-`, `*` are missing (None), never 0. A figure that is not a whole number of people
  0 or over, or a row without a code, is rejected with its sheet, line and reason.
- Checks (warnings, nothing refused): remaining = not meeting - discharged by 17:00 -
  discharged 17:01-23:59 on each row; Table 3's reasons add up to Table 2's remaining (the
  trust's, or its ICB's trusts' added up); the England row against the sum of the trusts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

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
    day_of,
    read_sheets,
    text,
)

REASONS_CSV = Path(__file__).parent / "data" / "acute_delay_reasons.csv"
TABLE2 = {
    "not_meeting_criteria": "Number of patients who no longer meet the criteria to reside",
    "discharged_by_1700": "Number of patients discharged by 17:00",
    "discharged_1701_2359": "Number of patients discharged between 17:01 and 23:59",
    "remaining": "Number of patients remaining in hospital who no longer meet the criteria to "
    "reside",
}
NO_REASON = "no_reason_recorded"
_LEAD = {
    "day": {"date", "day", "period date"},
    "region": {"region", "region name", "nhs england region"},
    "icb_code": {"icb code", "icb"},
    "icb_name": {"icb name"},
    "code": {"org code", "code", "trust code", "provider code", "organisation code", "ods code"},
    "name": {"org name", "trust name", "provider name", "organisation name", "name"},
}
_LEAD_OF = {name: key for key, names in _LEAD.items() for name in names}
_TABLE2_OF = {norm(header): key for key, header in TABLE2.items()}
_NO_REASON_NAMES = {"no reason recorded", "no reason", "reason not recorded"}
_TOTAL_NAMES = {"total", "grand total", "all reasons"}
_CODE_ANCHOR = frozenset({*_LEAD["code"], *_LEAD["icb_code"], *_LEAD["region"]})


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    valid_from: dt.date
    valid_to: dt.date | None


@cache
def reasons() -> tuple[Reason, ...]:
    """The acute collection's reasons for not discharging, in published order."""
    with REASONS_CSV.open(newline="") as handle:
        return tuple(
            Reason(
                code=row["code"],
                label=row["label"],
                valid_from=dt.date.fromisoformat(row["valid_from"]),
                valid_to=dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None,
            )
            for row in csv.DictReader(handle)
        )


def reasons_for(month: dt.date) -> tuple[Reason, ...]:
    """The reasons valid at some day of the month starting `month`."""
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(
        r
        for r in reasons()
        if r.valid_from < following and (r.valid_to is None or r.valid_to >= month)
    )


@dataclass
class SitrepRow:
    """One organisation's figures for a day (None: the whole month) in Table 2 or Table 3.
    Table 2 `values`: the four TABLE2 keys; Table 3: reason codes and `no_reason_recorded`."""

    table: int
    sheet: str
    line: int
    day: dt.date | None
    level: str
    code: str
    name: str
    region: str = ""
    icb_code: str = ""
    icb_name: str = ""
    values: dict[str, int | None] = field(default_factory=dict)

    def canonical(self) -> list[Any]:
        return [
            self.table,
            self.day and self.day.isoformat(),
            self.level,
            self.code,
            self.name,
            self.region,
            self.icb_code,
            self.icb_name,
            sorted(self.values.items()),
        ]


@dataclass
class SitrepWebfile(ParsedRelease):
    """Everything read from one situation report webfile (or Homeward's own return)."""

    source: str
    period: dt.date
    published: dt.date | None
    revised: dt.date | None
    table2: list[SitrepRow]
    table3: list[SitrepRow]
    reason_labels: dict[str, str]
    rows_read: int
    rejections: list[Problem]
    warnings: list[Problem]
    checks: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        return fingerprint(
            {
                "kind": "sitrep",
                "period": self.period,
                "published": self.published,
                "revised": self.revised,
                "rows": sorted(r.canonical() for r in (*self.table2, *self.table3)),
                "reasons": sorted(self.reason_labels.items()),
            }
        )


def parse_date(value: Any) -> dt.date | None:
    """A date cell, 'YYYY-MM-DD', 'DD/MM/YYYY' or '27th May 2024'; None otherwise."""
    found = day_of(value)
    if found is not None or not isinstance(value, str):
        return found
    raw = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def _is_title(row: list[Any]) -> bool:
    words = norm(row[0] if row else "").split()
    return len(words) == 2 and words[0] == "table" and not any(text(c) for c in row[1:])


def _blocks(name: str, rows: Rows) -> list[tuple[str, Rows, int]]:
    """A sheet split at its "Table N" title lines, so two tables in one sheet read apart:
    (sheet, rows, index of the block's first row in the sheet)."""
    edges = sorted({0, *(i for i, row in enumerate(rows) if _is_title(row)), len(rows)})
    return [(name, rows[a:b], a) for a, b in zip(edges, edges[1:], strict=False) if b > a]


def _header_names(row: list[Any]) -> set[str]:
    return {norm(c) for c in row if text(c)}


class _Reader:
    def __init__(self, source: str, sheets: dict[str, Rows], month: dt.date | None):
        self.source, self.month = source, month
        self.blocks = [b for name, rows in sheets.items() for b in _blocks(name, rows)]
        self.rejections: list[Problem] = []
        self.warnings: list[Problem] = []
        self.rows_read = 0
        self.reason_labels: dict[str, str] = {}

    def read(self) -> SitrepWebfile:
        table2 = self._find(frozenset(_TABLE2_OF))
        reason_names = frozenset(norm(r.label) for r in reasons())
        table3 = self._find(reason_names)
        if table2 is None and table3 is None:
            raise UnreadableFile(
                f"{self.source}: no Table 2 header (the four 'Number of patients ...' columns) "
                "and no Table 3 header (reasons for not discharging) in the first 40 rows of "
                "any sheet; this is not an acute discharge situation report"
            )
        if table2 is None:
            missing = ", ".join(TABLE2.values())
            raise UnreadableFile(f"{self.source}: no Table 2 (columns {missing})")
        parsed2, days2, top2 = self._table(2, *table2)
        parsed3, days3, top3 = self._table(3, *table3) if table3 else ([], set(), [])
        if table3 is None:
            self._warn("", 0, "no Table 3 (reasons for not discharging): Table 2 only")
        period = self._period(days2 | days3, top2 + top3)
        self._check_reason_columns(period)
        dates = release_dates(top2 + top3)
        webfile = SitrepWebfile(
            source=self.source,
            period=period,
            published=dates["published"],
            revised=dates["revised"],
            table2=parsed2,
            table3=parsed3,
            reason_labels=self.reason_labels,
            rows_read=self.rows_read,
            rejections=self.rejections,
            warnings=self.warnings,
        )
        webfile.checks = self._checks(webfile)
        return webfile

    def _find(self, names: frozenset[str]) -> tuple[str, Rows, int, int] | None:
        for sheet, rows, offset in self.blocks:
            header = find_header(rows, (_CODE_ANCHOR,))
            if header is not None and _header_names(rows[header]) & names:
                return sheet, rows, header, offset
        return None

    def _columns(self, table: int, sheet: str, row: list[Any], line: int) -> dict[str, int]:
        known = {norm(r.label): r.code for r in reasons()}
        columns: dict[str, int] = {}
        for column, cell in enumerate(row):
            if not text(cell):
                continue
            name = norm(cell)
            key = _LEAD_OF.get(name)
            if key is None and table == 2:
                key = _TABLE2_OF.get(name)
                if key is None:
                    self._warn(
                        sheet, line, f"Table 2 column '{text(cell)}' is not recognised: ignored"
                    )
                    continue
            if key is None and table == 3:
                if name in _NO_REASON_NAMES:
                    key = NO_REASON
                elif name in _TOTAL_NAMES:
                    key = "total"
                elif name in known:
                    key = known[name]
                else:
                    key = text(cell)
                    self._warn(
                        sheet,
                        line,
                        f"Table 3 column '{key}' is not one of the published reasons: kept "
                        "under its own name",
                    )
                if key not in ("total", NO_REASON):
                    self.reason_labels[key] = text(cell)
            if key in columns:
                raise UnreadableFile(
                    f"{self.source}, sheet {sheet}: two Table {table} columns read as "
                    f"'{text(cell)}'; nothing was imported"
                )
            columns[key] = column
        if table == 2:
            missing = [TABLE2[k] for k in TABLE2 if k not in columns]
            if missing:
                raise UnreadableFile(
                    f"{self.source}, sheet {sheet}: Table 2 has no column for "
                    f"{'; '.join(missing)}; nothing was imported"
                )
        return columns

    def _table(self, table: int, sheet: str, rows: Rows, header: int, offset: int):
        columns = self._columns(table, sheet, rows[header], offset + header + 1)
        figures = [k for k in columns if k not in _LEAD]
        above = rows[:header]
        sheet_day = next((d for row in above for d in map(_day_cell, row) if d is not None), None)
        out: list[SitrepRow] = []
        days: set[dt.date] = set()
        seen: set[tuple] = set()
        for index in range(header + 1, len(rows)):
            row = rows[index]
            cells = {k: (row[c] if c < len(row) else None) for k, c in columns.items()}
            if not any(text(v) for v in cells.values() if v is not None):
                continue
            self.rows_read += 1
            line = offset + index + 1
            parsed = self._row(table, sheet, line, cells, figures, sheet_day)
            if parsed is None:
                continue
            key = (parsed.day, parsed.level, parsed.code.upper())
            if key in seen:
                self._reject(
                    sheet, line, f"{parsed.code} appears twice for {parsed.day or 'the month'}"
                )
                continue
            seen.add(key)
            if parsed.day:
                days.add(parsed.day)
            out.append(parsed)
        return out, days, above

    def _row(self, table, sheet, line, cells, figures, sheet_day) -> SitrepRow | None:
        day = sheet_day
        if "day" in cells:
            day = parse_date(cells["day"])
            if day is None:
                self._reject(sheet, line, f"'{text(cells['day'] or '')}' is not a date")
                return None
        values: dict[str, int | None] = {}
        for key in figures:
            value, error = number(cells[key])
            if error is None and value is not None and (value < 0 or not value.is_integer()):
                error = f"{value:g} is not a number of people"
            if error:
                label = TABLE2.get(key) or self.reason_labels.get(key, key)
                self._reject(sheet, line, f"{label}: {error}")
                return None
            values[key] = None if value is None else int(value)
        code = text(cells.get("code") or "") or text(cells.get("icb_code") or "")
        code = code or text(cells.get("region") or "")
        name = text(cells.get("name") or "") or text(cells.get("icb_name") or "")
        if not code:
            self._reject(sheet, line, "no organisation code")
            return None
        texts = {k: text(cells.get(k) or "") for k in ("region", "icb_code", "icb_name")}
        problem = too_long(code=code, name=name, **texts)
        if problem:
            self._reject(sheet, line, problem)
            return None
        level = level_of(code, name)
        if level == "provider" and "code" not in cells:
            level = "icb" if text(cells.get("icb_code") or "") else "region"
        total = values.pop("total", None)
        row = SitrepRow(
            table=table,
            sheet=sheet,
            line=line,
            day=day,
            level=level,
            code=code,
            name=name,
            **texts,
            values=values,
        )
        self._check_row(row, total)
        return row

    def _check_row(self, row: SitrepRow, total: int | None) -> None:
        v = row.values
        if row.table == 2:
            parts = [v[k] for k in TABLE2]
            if None not in parts and parts[3] != parts[0] - parts[1] - parts[2]:
                self._warn(
                    row.sheet,
                    row.line,
                    f"{row.code}: remaining ({parts[3]}) is not those not meeting the criteria "
                    f"({parts[0]}) less those discharged ({parts[1] + parts[2]})",
                )
        elif total is not None and None not in v.values() and sum(v.values()) != total:
            self._warn(
                row.sheet, row.line, f"{row.code}: reasons add up to {sum(v.values())}, not {total}"
            )

    def _period(self, days: set[dt.date], above: Rows) -> dt.date:
        months = {dt.date(d.year, d.month, 1) for d in days}
        if len(months) > 1:
            listed = ", ".join(f"{m:%Y-%m}" for m in sorted(months))
            raise UnreadableFile(
                f"{self.source}: days from several months ({listed}); import one month per file"
            )
        found = months.pop() if months else self.month or month_from(above, self.source)
        if found is None:
            raise UnreadableFile(
                f"{self.source}: no dates, no month above the header and none in the file "
                "name; give it with --month YYYY-MM"
            )
        return found

    def _check_reason_columns(self, period: dt.date) -> None:
        if not self.reason_labels:
            return
        missing = [r.label for r in reasons_for(period) if r.code not in self.reason_labels]
        if missing:
            raise UnreadableFile(
                f"{self.source}: Table 3 has no column for {len(missing)} of the reasons valid "
                f"in {period:%B %Y}: {'; '.join(missing)}; nothing was imported"
            )

    def _checks(self, webfile: SitrepWebfile) -> dict[str, Any]:
        return {
            "table3_against_table2": self._table3_check(webfile),
            "national": _national_check(webfile),
        }

    def _table3_check(self, webfile: SitrepWebfile) -> dict[str, int]:
        remaining: dict[tuple, int | None] = {}
        by_icb: dict[tuple, list[int | None]] = defaultdict(list)
        for row in webfile.table2:
            remaining[(row.day, row.code.upper())] = row.values["remaining"]
            if row.level == "provider" and row.icb_code:
                by_icb[(row.day, row.icb_code.upper())].append(row.values["remaining"])
        compared = differ = 0
        for row in webfile.table3:
            key = (row.day, row.code.upper())
            if key in remaining:
                stated = remaining[key]
            elif key in by_icb and None not in by_icb[key]:
                stated = sum(by_icb[key])
            else:
                continue
            if stated is None or None in row.values.values():
                continue
            compared += 1
            counted = sum(row.values.values())
            if counted != stated:
                differ += 1
                self._warn(
                    row.sheet,
                    row.line,
                    f"{row.code} {row.day or ''}: Table 3 reasons add up to {counted}, Table 2 "
                    f"says {stated} remaining",
                )
        return {"compared": compared, "differ": differ}

    def _reject(self, sheet: str, line: int, reason: str) -> None:
        self.rejections.append(Problem(sheet, line, reason))

    def _warn(self, sheet: str, line: int, reason: str) -> None:
        self.warnings.append(Problem(sheet, line, reason))


def _day_cell(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return parse_date(value)
    if isinstance(value, str) and ":" in value:
        return parse_date(value.split(":", 1)[1])
    return None


def _national_check(webfile: SitrepWebfile) -> dict[str, dict[str, int | None]]:
    """Each table's England rows against the sum of its trusts' rows on the same days, field
    by field: {table_field: {stated, computed, difference}} (None where any figure is missing)."""
    out: dict[str, dict[str, int | None]] = {}
    for number_, rows in ((2, webfile.table2), (3, webfile.table3)):
        national = {r.day: r for r in rows if r.level == "national"}
        if not national:
            continue
        level = "provider" if any(r.level == "provider" for r in rows) else "icb"
        parts = [r for r in rows if r.level == level and r.day in national]
        for key in sorted({k for r in national.values() for k in r.values}):
            stated_parts = [r.values.get(key) for r in national.values()]
            summed = [r.values.get(key) for r in parts]
            stated = None if None in stated_parts else sum(stated_parts)
            computed = None if None in summed or not summed else sum(summed)
            out[f"table{number_}.{key}"] = {
                "stated": stated,
                "computed": computed,
                "difference": None if stated is None or computed is None else computed - stated,
            }
    return out


def read_csv(path: Path) -> dict[str, Rows]:
    """A CSV file as one sheet named after the file (UTF-8, with or without a BOM)."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UnreadableFile(f"{path.name}: no such file") from None
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path.name} is not a UTF-8 CSV file") from None
    return {path.stem: [list(row) for row in csv.reader(io.StringIO(content))]}


def parse_sheets(
    source: str, sheets: dict[str, Rows], month: dt.date | None = None
) -> SitrepWebfile:
    """Read Tables 2 and 3 from the sheets (UnreadableFile, naming why, when they are not
    there). `month` is used when the file has no dates and does not say its month."""
    return _Reader(source, sheets, month).read()


def parse_file(path: Path, month: dt.date | None = None) -> SitrepWebfile:
    """Read a situation report webfile: xlsx, xls, ods, or CSV."""
    sheets = read_csv(path) if path.suffix.lower() == ".csv" else read_sheets(path)
    return parse_sheets(path.name, sheets, month)

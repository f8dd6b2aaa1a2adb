"""ONS mid-year population estimates by local authority and single year of age, read into
adults aged 18+ per area for one year. Pure Python: no Django.

The persons sheet (`MYE2 - Persons` in the 2019 release; `MYE2 - All` in some earlier ones) has
a header row, found by name, with `Code`, `Name`, a geography column, `All ages`, then one
column per age 0 ... 89 and `90+`. Adults 18+ = the sum of the columns 18 ... 89 and 90+. The
year comes from the sheet title ("... mid-2019") unless the caller names it. Every row with an
area code is read; a row whose ages do not add up to its `All ages`, or with a cell that is not
a count of people, is rejected with its line and reason. Counties (E10) and their districts
(E07) both appear: a rate uses only the code asked for, so nothing is counted twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homeward.measures.workbook import Problem, Rows, UnreadableFile, label, read_sheets, text

ADULT_AGE = 18
OPEN_AGE = 90  # the last column is "90+"
_CODE = re.compile(r"^[EKWSN]\d{8}$")
_YEAR = re.compile(r"mid-?(\d{4})", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class AreaPopulation:
    """One area's estimate: everyone, and adults aged 18 and over."""

    code: str
    name: str
    geography: str
    all_ages: int
    adults_18_plus: int


@dataclass
class PopulationFile:
    """The areas read from one mid-year estimates file, with the rows rejected."""

    source: str
    year: int
    areas: list[AreaPopulation]
    rows_read: int
    rejections: list[Problem]


def _age(cell: Any) -> int | None:
    """The age a header cell names: 0 ... 89 (numbers or text), OPEN_AGE for '90+'."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return int(cell) if float(cell).is_integer() else None
    name = label(cell)
    if _DIGITS.fullmatch(name):
        return int(name)
    if name == f"{OPEN_AGE}+":
        return OPEN_AGE
    return None


def _count(cell: Any) -> int | None:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return int(cell) if cell == cell and cell >= 0 and float(cell).is_integer() else None
    content = text(cell).replace(",", "")
    return int(content) if _DIGITS.fullmatch(content) else None


def _persons_sheet(sheets: dict[str, Rows]) -> tuple[str, Rows, int]:
    ranked = sorted(
        sheets.items(),
        key=lambda item: (
            "mye2" not in label(item[0]).replace(" ", ""),
            not any(w in label(item[0]) for w in ("persons", "all")),
        ),
    )
    for name, rows in ranked:
        for i, row in enumerate(rows[:30]):
            labels = {label(c) for c in row}
            if {"code", "name", "all ages"} <= labels and f"{OPEN_AGE}+" in labels:
                return name, rows, i
    raise UnreadableFile(
        "no sheet with a header row of Code, Name, All ages and single years of age to 90+: "
        "not an ONS mid-year estimates file by single year of age"
    )


def parse_sheets(source: str, sheets: dict[str, Rows], year: int | None = None) -> PopulationFile:
    """Read mid-year estimates given as {sheet name: rows}; `year` overrides the title's."""
    sheet, rows, header = _persons_sheet(sheets)
    if year is None:
        for row in rows[:header]:
            match = next((_YEAR.search(text(c)) for c in row if _YEAR.search(text(c))), None)
            if match:
                year = int(match.group(1))
                break
    if year is None:
        raise UnreadableFile(f"{source}: the title does not say which mid-year: give the year")
    heads = rows[header]
    names = [label(c) for c in heads]
    col_code, col_name, col_all = names.index("code"), names.index("name"), names.index("all ages")
    col_geo = next((j for j, n in enumerate(names) if n.startswith("geography")), None)
    ages = {age: j for j, c in enumerate(heads) if j > col_all and (age := _age(c)) is not None}
    needed = range(0, OPEN_AGE + 1)
    absent = [str(a) for a in needed if a not in ages]
    if absent:
        raise UnreadableFile(f"{source}: sheet {sheet} has no column for ages {', '.join(absent)}")
    areas: list[AreaPopulation] = []
    rejections: list[Problem] = []
    seen: dict[str, int] = {}
    rows_read = 0
    for i in range(header + 1, len(rows)):
        row = rows[i]
        code = text(row[col_code]).upper() if col_code < len(row) else ""
        if not code or not _CODE.match(code):
            if code and any(_count(c) is not None for c in row[col_all:]):
                rows_read += 1
                rejections.append(Problem(sheet, i + 1, f"'{code}' is not an ONS area code"))
            continue
        rows_read += 1
        line = i + 1
        counts = {age: _count(row[j]) if j < len(row) else None for age, j in ages.items()}
        total = _count(row[col_all]) if col_all < len(row) else None
        bad = [str(a) for a, n in counts.items() if n is None]
        if bad or total is None:
            what = f"ages {', '.join(bad)}" if bad else "All ages"
            rejections.append(Problem(sheet, line, f"{code}: {what} not a count of people"))
            continue
        if sum(counts.values()) != total:
            rejections.append(
                Problem(
                    sheet,
                    line,
                    f"{code}: single years add up to {sum(counts.values()):,} but All ages "
                    f"is {total:,}",
                )
            )
            continue
        if code in seen:
            rejections.append(
                Problem(sheet, line, f"{code} appears twice (first on line {seen[code]})")
            )
            continue
        seen[code] = line
        areas.append(
            AreaPopulation(
                code=code,
                name=text(row[col_name]),
                geography=text(row[col_geo]) if col_geo is not None else "",
                all_ages=total,
                adults_18_plus=sum(n for a, n in counts.items() if a >= ADULT_AGE),
            )
        )
    return PopulationFile(source, year, areas, rows_read, rejections)


def parse_workbook(path: Path, year: int | None = None) -> PopulationFile:
    """Read an ONS mid-year estimates workbook (xls, xlsx or ods)."""
    return parse_sheets(path.name, read_sheets(path), year)

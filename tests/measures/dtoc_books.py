"""Synthetic DTOC LA type B workbooks in the published layouts, built from per-area cross-tabs
(type of care x reason x attribution) so every sheet agrees with the others by construction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from homeward.measures.definitions import ATTRIBUTIONS, REASONS, TYPES_OF_CARE

UPPER = {
    "A": "A) COMPLETION OF ASSESSMENT",
    "B": "B) PUBLIC FUNDING",
    "C": "C) WAITING FURTHER NHS NON-ACUTE CARE",
    "Di": "DI) AWAITING RESIDENTIAL HOME PLACEMENT OR AVAILABILITY",
    "Dii": "DII) AWAITING NURSING HOME PLACEMENT OR AVAILABILITY",
    "E": "E) AWAITING CARE PACKAGE IN OWN HOME",
    "F": "F) AWAITING COMMUNITY EQUIPMENT AND ADAPTIONS",
    "G": "G) PATIENT OR FAMILY CHOICE",
    "H": "H) DISPUTES",
    "I": "I) HOUSING - PATIENTS NOT COVERED BY NHS AND COMMUNITY CARE ACT",
}
MIXED = {
    "A": "A) Awaiting completion of assessment",
    "B": "B) Awaiting public funding",
    "C": "C) Awaiting further non-acute NHS care",
    "Di": "Di) Awaiting residential home placement or availability",
    "Dii": "Dii) Awaiting nursing home placement or availability",
    "E": "E) Awaiting care package in own home",
    "F": "F) Awaiting community equipment and adaptations",
    "G": "G) Patient or family choice",
    "H": "H) Disputes",
    "I": "I) Housing - patients not covered by Care Act",
    "O": "O) Other",
}
ATTRIBUTION_HEADS = {"nhs": "NHS", "social_care": "Social Care", "both": "Both"}
TYPE_HEADS = {"acute": "Acute", "non_acute": "Non-Acute"}
# Until December 2017 these combinations could not be recorded: the England sheet says NA.
NOT_ALLOWED = {("C", "social_care"), ("C", "both"), ("I", "social_care"), ("I", "both")} | {
    (r, "both") for r in ("Di", "G", "H")
}


@dataclass
class Area:
    """One area: its codes and its delayed days per (type of care, reason, attribution)."""

    ons: str
    dh: str
    name: str
    cells: dict[tuple[str, str, str], int]
    region: str = "North West"
    blanks: set[str] = field(default_factory=set)  # fields published as '-'

    def part(self, name: str) -> int:
        return sum(v for key, v in self.cells.items() if name in key)

    def total(self) -> int:
        return sum(self.cells.values())


def area(ons: str, dh: str, name: str, days: int = 100, **kw) -> Area:
    """An area whose `days` are spread over a few cells (all of them allowed before 2018)."""
    a, b = days // 2, days // 4
    cells = {
        ("acute", "A", "nhs"): a,
        ("acute", "E", "social_care"): b,
        ("non_acute", "Dii", "both"): days - a - b,
    }
    return Area(ons, dh, name, cells, **kw)


def _meta(period: str, published: str, revised: str, extra_rows: int) -> list[list]:
    return [
        ["Title:", "Delayed Transfer of Care, NHS Organisations, England"],
        ["Summary:", "Number of Delayed Days during the reporting period"],
        [""],
        ["Period:", period],
        ["Source:", "Unify2 Data Collection - MSitDT"],
        ["Basis:", "Local Authority"],
        ["Published:", published],
        ["Revised:", revised],
        ["Status:", "Published"],
        ["Contact:", "unify2"],
        [""],
        *([[""]] * extra_rows),
    ]


def dtoc_sheets(
    areas: Iterable[Area],
    *,
    period: str = "December 2019",
    published: str = "13th February 2020",
    revised: str = "",
    modern: bool = True,
    upper: bool = False,
    other: bool = True,
    beds_days: int | None = 31,
    na: bool = False,
    extra_rows: int = 0,
) -> dict[str, list[list]]:
    """{sheet name: rows} in the layout of the options' era (see the module docstring)."""
    areas = list(areas)
    reasons = [r for r in REASONS if other or r != "O"]
    labels = UPPER if upper else MIXED
    meta = _meta(period, published, revised, extra_rows)
    ids = ["Region", "ONS Geography", "Code", "Name"] if modern else ["SHA", "Code", "Name"]

    def ident(a: Area | None) -> list:
        if a is None:
            return ["-", "-", "-", "England"] if modern else ["-", "-", "England"]
        return [a.region, a.ons, a.dh, a.name] if modern else ["-", a.dh, a.name]

    def value(a: Area | None, name: str):
        if a is None:
            return sum(x.part(name) if name != "total" else x.total() for x in areas)
        if name in a.blanks:
            return "-"
        return a.total() if name == "total" else a.part(name)

    def sheet(parts: list[str], heads: list[str]) -> list[list]:
        with_beds = beds_days is not None
        above = [""] * len(ids) + ["Delayed Days"] + [""] * len(parts)
        header = ids + heads + ["Total"]
        if with_beds:
            above += ["", "Average Number of People Delayed per Day"] + [""] * len(parts)
            header += ["", *heads, "Total"]
        rows = [*meta[:-1], above if with_beds else [""], header]
        for a in [None, *areas]:
            days = [value(a, p) for p in [*parts, "total"]]
            row = ident(a) + days
            if with_beds:
                row += [""] + [d / beds_days if isinstance(d, int) else "-" for d in days]
            rows.append(row)
            if a is None:
                rows.append([""])
        return rows

    england_rows = [
        *meta[:-1],
        ["England Level Data", "", "Number of Delayed Days during the reporting period"],
        ["Type of Care", "Reason for Delay", "NHS", "Social Care", "Both"],
    ]

    def england_cell(care: str, reason: str, attribution: str):
        if na and (reason, attribution) in NOT_ALLOWED:
            return "NA"
        return sum(
            v
            for a in areas
            for (c, r, at), v in a.cells.items()
            if c == care and (r == reason or not reason) and at == attribution
        )

    for care in TYPES_OF_CARE:
        england_rows.append(
            [TYPE_HEADS[care], "-", *(england_cell(care, "", at) for at in ATTRIBUTIONS)]
        )
    england_rows.append([""])
    for care in TYPES_OF_CARE:
        for i, reason in enumerate(reasons):
            england_rows.append(
                [
                    TYPE_HEADS[care] if i == 0 else "",
                    labels[reason],
                    *(england_cell(care, reason, at) for at in ATTRIBUTIONS),
                ]
            )
    return {
        "England": england_rows,
        "LA - by type of care": sheet(list(TYPES_OF_CARE), list(TYPE_HEADS.values())),
        "LA - by responsible org": sheet(list(ATTRIBUTIONS), list(ATTRIBUTION_HEADS.values())),
        "LA - by reason": sheet(reasons, [labels[r] for r in reasons]),
    }


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Save {sheet name: rows} as an xlsx workbook."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path

"""Generated Discharge Ready Date and situation report webfiles, written with openpyxl in the
layout data-formats.md describes (no published sample is at hand), with the quirks it names:
trailing blanks in names, the header below a title block, percentages as 0-1 or 0-100,
suppressed cells. The figures come from per-provider counts put through drd.py's definitions,
so a test compares what is read with what was written, never with typed-in results."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from homeward.measures.drd import BAND_NAMES, DrdMeasures

BAND_LABEL = {"1": "1 Day", "2-3": "2–3 Days", "4-6": "4-6 Days ", "7-13": "7–13 Days"}
BAND_LABEL |= {"14-20": "14-20 days", "21+": "21+ Days "}
LEAD = [
    "Region",
    "ICB",
    "Code ",
    "Org Name",
    "# of providers with acceptable data",
    "% of providers with acceptable data",
    "Data Source",
]


@dataclass
class Provider:
    region: str
    icb: str
    code: str
    name: str
    measures: DrdMeasures


def providers(seed: int = 7, count: int = 5) -> list[Provider]:
    """Providers with random delay counts, measured with DrdMeasures.from_slots."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        people = [rng.randint(200, 900)] + [rng.randint(0, 60) for _ in BAND_NAMES]
        low = [1, 2, 4, 7, 14, 21]
        high = [1, 3, 6, 13, 20, 40]
        bed = [0] + [
            sum(rng.randint(lo, hi) for _ in range(n))
            for n, lo, hi in zip(people[1:], low, high, strict=True)
        ]
        out.append(
            Provider(
                region="North West" if i % 2 else "London",
                icb=f"Q{i:02d}",
                code=f"R{chr(65 + i)}{i}",
                name=f"Example Hospitals {i} NHS Foundation Trust ",
                measures=DrdMeasures.from_slots(people, bed),
            )
        )
    return out


def england(rows: list[Provider]) -> DrdMeasures:
    people = [sum(p.measures.discharged_on_drd for p in rows)]
    people += [sum(p.measures.delay_bands[b].people for p in rows) for b in BAND_NAMES]
    bed = [0] + [sum(p.measures.delay_bands[b].bed_days for p in rows) for b in BAND_NAMES]
    return DrdMeasures.from_slots(people, bed)


def _pct(part: int, whole: int, fraction: bool) -> float:
    value = part / whole if whole else 0.0
    return value if fraction else 100 * value


def drd_header(layout: str = "2024") -> list[str]:
    header = [*LEAD, "% Not Delayed ", "% Delayed"]
    header += [f"% {BAND_LABEL[b]}" for b in BAND_NAMES]
    header += [f"{BAND_LABEL[b]} Bed Days" for b in BAND_NAMES]
    header += ["Average Delay (excluding 0 day delays) "]
    if layout == "2024":
        header += ["Discharge Volume", "Delay Bed Days", "Not Delayed Volume", "Delayed Volume"]
        header += [f"{BAND_LABEL[b]} Volume" for b in BAND_NAMES]
        header += [f"% of bed days {BAND_LABEL[b]}" for b in BAND_NAMES]
        header += ["Average delay (including 0 day delays)"]
    return header


def drd_values(m: DrdMeasures, layout: str = "2024", fraction: bool = False) -> list[Any]:
    n = m.discharges
    values: list[Any] = [_pct(m.discharged_on_drd, n, fraction), _pct(m.delayed, n, fraction)]
    values += [_pct(m.delay_bands[b].people, n, fraction) for b in BAND_NAMES]
    values += [m.delay_bands[b].bed_days for b in BAND_NAMES]
    values += [m.avg_delay_days_excl_zero]
    if layout == "2024":
        values += [n, m.delayed_bed_days, m.discharged_on_drd, m.delayed]
        values += [m.delay_bands[b].people for b in BAND_NAMES]
        values += [
            _pct(m.delay_bands[b].bed_days, m.delayed_bed_days, fraction) for b in BAND_NAMES
        ]
        values += [m.delayed_bed_days / n if n else 0]
    return values


def drd_rows(
    rows: list[Provider],
    *,
    layout: str = "2024",
    fraction: bool = False,
    month: str | None = "April 2024",
    with_england: bool = True,
) -> list[list[Any]]:
    """The Provider sheet: a title block with the month, a blank line, the header, England,
    then one row per provider."""
    out: list[list[Any]] = [["Discharge Ready Date monthly data"]]
    if month:
        out.append([f"Period: {month}"])
    out += [["Published:", dt.date(2024, 6, 13)], []]
    out.append(drd_header(layout))
    accepted = 1.0 if fraction else 100.0
    if with_england:
        total = england(rows)
        out.append(
            ["", "", "England", "ENGLAND", len(rows), accepted, "SUS"]
            + drd_values(total, layout, fraction)
        )
    for p in rows:
        out.append(
            [p.region, p.icb, p.code, p.name, 1, accepted, "SUS"]
            + drd_values(p.measures, layout, fraction)
        )
    return out


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """The sheets as an xlsx workbook, cell values as given."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def sitrep_sheets(
    seed: int = 3,
    days: int = 3,
    month: tuple[int, int] = (2024, 5),
    trailing: bool = True,
    table3_dates: bool = True,
) -> tuple[dict[str, list[list[Any]]], dict]:
    """A situation report webfile: Table 2 by trust and day with England rows, Table 3 by
    ICB (and day when `table3_dates`), reasons named as published (some with trailing
    blanks). Returns the sheets and the figures they were written from."""
    from homeward.measures.sitrep_webfile import TABLE2, reasons

    rng = random.Random(seed)
    trusts = [
        ("North West", "QOP", "Greater Manchester ICB", f"R{c}1", f"Trust {c} ") for c in "ABC"
    ]
    trusts.append(("London", "QMJ", "North Central London ICB", "RD1", "Trust D"))
    figures: dict = {"table2": {}, "table3": {}}
    header2 = ["Region", "ICB Code", "ICB Name", "Org Code", "Org Name", "Date", *TABLE2.values()]
    table2: list[list[Any]] = [["Table 2: discharges"], [f"Period: May {month[0]}"], header2]
    labels = [r.label + (" " if trailing and i % 3 == 0 else "") for i, r in enumerate(reasons())]
    lead3 = ["Region", "ICB Code", "ICB Name"] + (["Date"] if table3_dates else [])
    table3: list[list[Any]] = [["Table 3"], [], [*lead3, *labels, "No reason recorded"]]
    for d in range(1, days + 1):
        day = dt.date(month[0], month[1], d)
        by_icb: dict[str, list[int]] = {}
        totals = [0, 0, 0, 0]
        for region, icb, icb_name, code, name in trusts:
            counted = rng.randint(20, 90)
            early, late = rng.randint(0, counted // 2), rng.randint(0, counted // 4)
            remaining = counted - early - late
            values = [counted, early, late, remaining]
            totals = [a + b for a, b in zip(totals, values, strict=True)]
            figures["table2"][(day, code)] = dict(zip(TABLE2, values, strict=True))
            table2.append([region, icb, icb_name, code, name, day, *values])
            split = [0] * (len(labels) + 1)
            for _ in range(remaining):
                split[rng.randrange(len(split))] += 1
            previous = by_icb.setdefault(icb, [0] * len(split))
            by_icb[icb] = [a + b for a, b in zip(previous, split, strict=True)]
        table2.append(["", "", "", "England", "ENGLAND", day, *totals])
        for region, icb, icb_name, *_ in {t[1]: t for t in trusts}.values():
            if not table3_dates and d > 1:
                continue
            counts = by_icb[icb]
            key = (day if table3_dates else None, icb)
            figures["table3"][key] = counts
            table3.append([region, icb, icb_name, *([day] if table3_dates else []), *counts])
    return {"Table 2": table2, "Table 3": table3}, figures

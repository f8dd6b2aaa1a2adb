"""Benchmark: import 105 months (April 2011 - December 2019) of England-scale DTOC LA type B
workbooks (160 rows a month: every council and the three non-English rows, with the England
sheet) into an empty SQLite database, re-import them unchanged, and compute the measures of
every council over all 105 months (the performance dashboard's table); the baselines are a
row-by-row ORM import and a per-council, per-month query loop.

Run: .venv/bin/python benchmarks/dtoc_import.py [--months N] [--baseline-months N]
     [--baseline-areas N] [--repeats N] [--seed S]
The workbooks are generated in memory with a seeded NumPy generator in the published 2019
layout (reason O from April 2017; NA cells before January 2018), so parsing is timed as well as
storing. The row-by-row import runs on the first N months (default 12) after the fast import's
tables are emptied, and is scaled to all months by its time per month; the query loop runs on
N councils (default 15) and is scaled by its time per council. Exits non-zero unless the
baselines store and compute exactly what the fast paths do on their samples."""

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import setup_django

from homeward.core.councils import reference  # pure: no Django
from homeward.measures.definitions import (
    ATTRIBUTIONS,
    FIELDS,
    REASONS,
    TYPES_OF_CARE,
    MonthFigures,
    measure,
    months,
)

FIRST = dt.date(2011, 4, 1)
OTHER_FROM = dt.date(2017, 4, 1)
ALL_ALLOWED_FROM = dt.date(2018, 1, 1)
NOT_ALLOWED = {("C", "social_care"), ("C", "both"), ("I", "social_care"), ("I", "both")} | {
    (r, "both") for r in ("Di", "G", "H")
}
NON_ENGLISH = (("9900", "Resident In Wales"), ("9901", "Resident in Scotland"))
HEADS = {
    "type_of_care": ("LA - by type of care", {"acute": "Acute", "non_acute": "Non-Acute"}),
    "attribution": (
        "LA - by responsible org",
        {"nhs": "NHS", "social_care": "Social Care", "both": "Both"},
    ),
    "reason": ("LA - by reason", {r: f"{r}) reason {r}" for r in REASONS}),
}


def month_sheets(period: dt.date, rng: np.random.Generator, weights: np.ndarray) -> dict:
    """One month's workbook as {sheet: rows}, every sheet built from the same cross-tabs."""
    reasons = [r for r in REASONS if r != "O" or period >= OTHER_FROM]
    keys = [(c, r, a) for c in TYPES_OF_CARE for r in reasons for a in ATTRIBUTIONS]
    allowed = np.array(
        [period >= ALL_ALLOWED_FROM or (r, a) not in NOT_ALLOWED for _, r, a in keys]
    )
    areas = [(code, "", name, region) for code, name, region in reference()]
    areas += [("-", dh, name, "-") for dh, name in NON_ENGLISH]
    cells = rng.poisson(weights[: len(areas), None] * 8.0, (len(areas), len(keys))) * allowed
    meta = [["Period:", f"{period:%B %Y}"], ["Published:", "1st January 2020"], [""]]

    def part(row: np.ndarray, name: str) -> int:
        return int(sum(v for k, v in zip(keys, row, strict=True) if name in k))

    sheets = {}
    for breakdown, (sheet, heads) in HEADS.items():
        parts = [p for p in heads if breakdown != "reason" or p in reasons]
        rows = [
            *meta,
            ["Region", "ONS Geography", "Code", "Name", *(heads[p] for p in parts), "Total"],
        ]
        england = cells.sum(axis=0)
        rows.append(["-", "-", "-", "England", *(part(england, p) for p in parts)])
        rows[-1].append(int(england.sum()))
        for (code, dh, name, region), row in zip(areas, cells, strict=True):
            rows.append([region, code, dh, name, *(part(row, p) for p in parts), int(row.sum())])
        sheets[sheet] = rows
    england_rows = [*meta, ["Type of Care", "Reason for Delay", "NHS", "Social Care", "Both"]]
    total = cells.sum(axis=0)
    for care, head in (("acute", "Acute"), ("non_acute", "Non-Acute")):
        by_attribution = [
            int(sum(total[i] for i, k in enumerate(keys) if k[0] == care and k[2] == a))
            for a in ATTRIBUTIONS
        ]
        england_rows.append([head, "-", *by_attribution])
        for r in reasons:
            values = []
            for a in ATTRIBUTIONS:
                i = keys.index((care, r, a))
                values.append(int(total[i]) if allowed[i] else "NA")
            england_rows.append([head, f"{r}) reason {r}", *values])
    sheets["England"] = england_rows
    return sheets


def naive_import(workbook) -> None:
    """The obvious implementation: one query per area and per England cell."""
    from homeward.core import clock
    from homeward.performance.models import (
        COLUMN,
        DtocEnglandDetail,
        DtocFigure,
        DtocRelease,
    )

    release, _ = DtocRelease.objects.update_or_create(
        fingerprint=workbook.fingerprint(),
        defaults={
            "period": workbook.period,
            "published": workbook.published,
            "source": workbook.source,
            "fields": list(workbook.fields),
            "current": True,
            "imported_at": clock.now(),
        },
    )
    for area in [*workbook.areas, workbook.england]:
        DtocFigure.objects.update_or_create(
            release=release,
            area_code=area.code,
            defaults={
                "period": workbook.period,
                "dh_code": area.dh_code,
                "name": area.name,
                "region": area.region,
                "is_council": area.is_council,
                "total": area.total,
                **{COLUMN[f]: area.values.get(f) for f in FIELDS},
            },
        )
    for c in workbook.england_detail:
        DtocEnglandDetail.objects.update_or_create(
            release=release,
            type_of_care=c.type_of_care,
            reason=c.reason,
            attribution=c.attribution,
            defaults={"delayed_days": c.delayed_days, "applicable": c.applicable},
        )


def naive_measures(code: str, first: dt.date, last: dt.date):
    """One query for each month's figures and one for its population, per council."""
    from homeward.performance.models import COLUMN, DtocFigure, PopulationEstimate

    figures = []
    for month in months(first, last):
        row = DtocFigure.objects.filter(area_code=code, period=month, release__current=True)
        row = row.select_related("release").first()
        if row is None:
            continue
        pop = PopulationEstimate.objects.filter(area_code=code, year=month.year).first()
        figures.append(
            MonthFigures(
                month=month,
                delayed_days=row.total,
                values={f: getattr(row, COLUMN[f]) for f in FIELDS if f in row.release.fields},
                adults=pop.adults_18_plus if pop else None,
            )
        )
    return measure(code, first, last, figures)


def stored_figures(periods: list[dt.date]) -> list[tuple]:
    from homeward.performance.models import COLUMN, DtocEnglandDetail, DtocFigure

    figures = DtocFigure.objects.filter(period__in=periods).order_by("period", "area_code")
    detail = DtocEnglandDetail.objects.filter(release__period__in=periods).order_by(
        "release__period", "type_of_care", "reason", "attribution"
    )
    return [
        *figures.values_list("period", "area_code", "total", *COLUMN.values()),
        *detail.values_list(
            "release__period", "type_of_care", "reason", "attribution", "delayed_days", "applicable"
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=105, help="months from April 2011")
    parser.add_argument("--baseline-months", type=int, default=12)
    parser.add_argument("--baseline-areas", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5, help="timed dashboard-table runs")
    parser.add_argument("--seed", type=int, default=20110401)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    setup_django(Path(tmp.name) / "bench.sqlite3")
    from homeward.core import clock
    from homeward.core.access import SYSTEM
    from homeward.measures.dtoc import parse_sheets
    from homeward.performance.models import DtocRelease, PopulationEstimate
    from homeward.performance.queries import dtoc_measures_by_area
    from homeward.performance.services import import_dtoc_workbook

    rng = np.random.default_rng(args.seed)
    weights = rng.lognormal(0.0, 0.7, len(reference()) + len(NON_ENGLISH))
    offset = FIRST.month - 1 + args.months - 1
    periods = months(FIRST, dt.date(FIRST.year + offset // 12, offset % 12 + 1, 1))
    started = time.perf_counter()
    books = {p: month_sheets(p, rng, weights) for p in periods}
    print(
        f"generated {len(periods)} monthly workbooks ({periods[0]:%b %Y} - {periods[-1]:%b %Y}, "
        f"{len(reference()) + len(NON_ENGLISH)} rows each) in {time.perf_counter() - started:.1f} s"
    )

    def parse(period):
        return parse_sheets(f"{period:%b_%y}.xlsx", books[period])

    started = time.perf_counter()
    reports = [import_dtoc_workbook(actor=SYSTEM, workbook=parse(p)) for p in periods]
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = [import_dtoc_workbook(actor=SYSTEM, workbook=parse(p)) for p in periods]
    again_s = time.perf_counter() - started
    if not all(r.outcome == "stored" and r.reconciles for r in reports) or not all(
        r.outcome == "unchanged" for r in again
    ):
        print("IMPORT FAILED to store, reconcile or recognise an unchanged release")
        return 1
    rows = sum(r.rows_read for r in reports)
    print(
        f"fast import: {len(periods)} months, {rows:,} rows in {first_s:.2f} s "
        f"({first_s / len(periods) * 1000:.0f} ms a month); unchanged re-import {again_s:.2f} s"
    )

    now = clock.now()
    PopulationEstimate.objects.bulk_create(
        PopulationEstimate(
            year=year,
            area_code=code,
            name=name,
            all_ages=int(w * 400_000),
            adults_18_plus=int(w * 310_000),
            source="generated",
            imported_at=now,
        )
        for year in range(FIRST.year, periods[-1].year + 1)
        for (code, name, _), w in zip(reference(), weights[: len(reference())], strict=True)
    )
    first, last = periods[0], periods[-1]
    runs = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        table = dtoc_measures_by_area(first, last)
        runs.append(time.perf_counter() - started)
    table_s = statistics.median(runs)
    sample = sorted(table)[: args.baseline_areas]
    started = time.perf_counter()
    looped = {code: naive_measures(code, first, last) for code in sample}
    loop_s = (time.perf_counter() - started) * len(table) / len(sample)
    table_ok = all(looped[c].as_dict() == table[c].as_dict() for c in sample)
    print(
        f"dashboard table: {len(table)} councils x {len(periods)} months in "
        f"{table_s * 1000:.0f} ms (median of {args.repeats}); per-council query loop scaled "
        f"from {len(sample)} councils: {loop_s:.2f} s ({loop_s / table_s:.1f}x)"
    )

    sample_periods = periods[: args.baseline_months]
    expected = stored_figures(sample_periods)
    DtocRelease.objects.all().delete()
    started = time.perf_counter()
    for p in sample_periods:
        naive_import(parse(p))
    naive_s = (time.perf_counter() - started) * len(periods) / len(sample_periods)
    import_ok = stored_figures(sample_periods) == expected
    print(
        f"row-by-row ORM import: {len(sample_periods)} months scaled to {len(periods)}: "
        f"{naive_s:.2f} s; stores the same figures: {'yes' if import_ok else 'NO'}; "
        f"dashboard table equals the query loop on {len(sample)} councils: "
        f"{'yes' if table_ok else 'NO'}"
    )
    print(
        f"dtoc dashboard table: {table_s * 1000:.0f} ms ({loop_s / table_s:.1f}x vs "
        "per-council query loop)"
    )
    print(f"dtoc import: {first_s:.2f} s ({naive_s / first_s:.1f}x vs row-by-row ORM import)")
    tmp.cleanup()
    return 0 if import_ok and table_ok else 1


if __name__ == "__main__":
    sys.exit(main())

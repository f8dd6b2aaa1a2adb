"""Reads of the stored national figures for the measures (public statistics: no scoping)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from homeward.measures.definitions import (
    FIELDS,
    DtocMeasures,
    MonthFigures,
    measure,
    measure_many,
    months,
    unpack,
)
from homeward.performance.models import COLUMN, DtocFigure, DtocRelease, PopulationEstimate


def area_name(code: str) -> str | None:
    """The area's name as the latest figures or population estimate give it; None if unknown."""
    figure = (
        DtocFigure.objects.filter(area_code=code, release__current=True)
        .order_by("-period")
        .values_list("name", flat=True)
        .first()
    )
    if figure:
        return figure
    return (
        PopulationEstimate.objects.filter(area_code=code)
        .order_by("-year")
        .values_list("name", flat=True)
        .first()
    )


def _month_figures(row: dict, adults: dict[tuple[str, int], int]) -> MonthFigures:
    return MonthFigures(
        month=row["period"],
        delayed_days=row["total"],
        values={f: row[COLUMN[f]] for f in FIELDS if f in row["release__fields"]},
        adults=adults.get((row["area_code"], row["period"].year)),
    )


def dtoc_measures_by_area(
    first: dt.date, last: dt.date, *, councils_only: bool = True
) -> dict[str, DtocMeasures]:
    """The measures of every area (councils unless asked) over the months, for league tables
    and peer comparison: two queries (releases with their packed figures, then population)
    and one NumPy pass, whatever the number of areas and months."""
    period = months(first, last)
    month_index = {m: i for i, m in enumerate(period)}
    releases = list(
        DtocRelease.objects.filter(
            current=True, period__gte=period[0], period__lte=period[-1]
        ).values_list("period", "fields", "packed_areas", "packed")
    )
    areas = sorted(
        {
            code
            for *_, packed_areas, _ in releases
            for code, council in packed_areas
            if council or not councils_only
        }
    )
    area_index = {code: i for i, code in enumerate(areas)}
    present = np.zeros((len(areas), len(period)), dtype=bool)
    values = np.full((len(areas), len(period), 1 + len(FIELDS)), np.nan)
    collected = np.zeros((len(period), len(FIELDS)), dtype=bool)
    for month, fields, packed_areas, packed in releases:
        m = month_index[month]
        collected[m] = [f in fields for f in FIELDS]
        table = unpack(bytes(packed), 1 + len(FIELDS))
        rows = [i for i, (code, _) in enumerate(packed_areas) if code in area_index]
        targets = [area_index[packed_areas[i][0]] for i in rows]
        present[targets, m] = True
        values[targets, m] = table[rows]
    adults = np.full((len(areas), len(period)), np.nan)
    year_months: dict[int, list[int]] = {}
    for i, m in enumerate(period):
        year_months.setdefault(m.year, []).append(i)
    estimates = PopulationEstimate.objects.filter(
        area_code__in=areas, year__in=year_months
    ).values_list("area_code", "year", "adults_18_plus")
    for code, year, n in estimates:
        adults[area_index[code], year_months[year]] = n
    return measure_many(areas, period, present, values, collected, adults)


def dtoc_months(code: str, first: dt.date, last: dt.date) -> list[MonthFigures]:
    """The area's current-release figures for each month imported in the period, with the
    adults 18+ of each month's calendar year (None where that year is not loaded). Two queries."""
    period = months(first, last)
    rows = DtocFigure.objects.filter(
        area_code=code, release__current=True, period__gte=period[0], period__lte=period[-1]
    ).values("area_code", "period", "total", "release__fields", *COLUMN.values())
    adults = {
        (code, year): n
        for year, n in PopulationEstimate.objects.filter(
            area_code=code, year__in={m.year for m in period}
        ).values_list("year", "adults_18_plus")
    }
    return [_month_figures(row, adults) for row in rows]


def dtoc_measures(code: str, first: dt.date, last: dt.date) -> DtocMeasures:
    """The delayed-transfer measures of one area (or England, E92000001) over the months."""
    return measure(code, first, last, dtoc_months(code, first, last))

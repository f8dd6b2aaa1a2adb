"""Reads of the stored national figures for the measures (public statistics: no scoping)."""

from __future__ import annotations

import datetime as dt

from homeward.measures.definitions import FIELDS, DtocMeasures, MonthFigures, measure, months
from homeward.performance.models import COLUMN, DtocFigure, PopulationEstimate


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


def dtoc_months(code: str, first: dt.date, last: dt.date) -> list[MonthFigures]:
    """The area's current-release figures for each month imported in the period, with the
    adults 18+ of each month's calendar year (None where that year is not loaded). Two queries."""
    period = months(first, last)
    rows = DtocFigure.objects.filter(
        area_code=code, release__current=True, period__gte=period[0], period__lte=period[-1]
    ).values("period", "total", "release__fields", *COLUMN.values())
    adults = dict(
        PopulationEstimate.objects.filter(
            area_code=code, year__in={m.year for m in period}
        ).values_list("year", "adults_18_plus")
    )
    return [
        MonthFigures(
            month=row["period"],
            delayed_days=row["total"],
            values={f: row[COLUMN[f]] for f in FIELDS if f in row["release__fields"]},
            adults=adults.get(row["period"].year),
        )
        for row in rows
    ]


def dtoc_measures(code: str, first: dt.date, last: dt.date) -> DtocMeasures:
    """The delayed-transfer measures of one area (or England, E92000001) over the months."""
    return measure(code, first, last, dtoc_months(code, first, last))

"""Reads of the stored national figures for the measures (public statistics, read by the
dashboard's roles), trajectories, and delayed days from the cases an actor may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from homeward.cases.queries import visible_cases
from homeward.core.access import Actor, require_role
from homeward.core.models import Role
from homeward.measures.definitions import (
    FIELDS,
    DtocMeasures,
    MonthFigures,
    days_in_month,
    measure,
    measure_many,
    months,
    unpack,
)
from homeward.measures.drd import delayed_days_by_period
from homeward.performance.models import (
    COLUMN,
    DtocFigure,
    DtocRelease,
    PopulationEstimate,
    TrajectoryTarget,
    TrajectoryUpload,
)

# The dashboard's readers (the figures are national statistics, the same for all of them; the
# Homeward-case section counts only the cases the reader's organisation can see), and who sets
# trajectories (agreed nationally, so analysts and administrators). Anyone else gets 404.
READERS = (Role.ANALYST, Role.COMMISSIONER, Role.SYSTEM_LEADER, Role.ADMINISTRATOR)
TRAJECTORY_SETTERS = (Role.ANALYST, Role.ADMINISTRATOR)


def require_reader(actor: Actor) -> None:
    require_role(actor, *READERS)


def require_trajectory_setter(actor: Actor) -> None:
    require_role(actor, *TRAJECTORY_SETTERS)


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


@dataclass(frozen=True)
class DtocTable:
    """Current-release figures of many areas over a run of months, as arrays for
    `definitions.measure_many` and `measures.performance.monthly` (shapes as they document)."""

    areas: list[str]
    period: list[dt.date]
    present: np.ndarray
    values: np.ndarray
    collected: np.ndarray
    adults: np.ndarray

    def measures(self) -> dict[str, DtocMeasures]:
        """Every area's measures over the whole run of months."""
        return measure_many(
            self.areas, self.period, self.present, self.values, self.collected, self.adults
        )


def dtoc_table(first: dt.date, last: dt.date, *, councils_only: bool = True) -> DtocTable:
    """Every area's (councils unless asked) figures over the months in two queries: releases
    with their packed figures, then population."""
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
    return DtocTable(areas, period, present, values, collected, adults)


def dtoc_measures_by_area(
    first: dt.date, last: dt.date, *, councils_only: bool = True
) -> dict[str, DtocMeasures]:
    """The measures of every area (councils unless asked) over the months, for league tables
    and peer comparison: two queries (releases with their packed figures, then population)
    and one NumPy pass, whatever the number of areas and months."""
    return dtoc_table(first, last, councils_only=councils_only).measures()


def published_names(codes: list[str]) -> dict[str, tuple[str, str]]:
    """{code: (name, region)} as the figures spell them, for areas that no longer exist
    (Bournemouth and Poole before BCP, say); one query, none when no codes are given."""
    if not codes:
        return {}
    rows = (
        DtocFigure.objects.filter(area_code__in=codes)
        .order_by("area_code", "-period")
        .values_list("area_code", "name", "region")
    )
    found: dict[str, tuple[str, str]] = {}
    for code, name, region in rows:
        found.setdefault(code, (name, region))
    return found


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


def trajectory_targets(first: dt.date, last: dt.date) -> dict[str, dict[dt.date, float]]:
    """{area code: {month: target per 100,000 adults}} for the months; one query."""
    found: dict[str, dict[dt.date, float]] = {}
    rows = TrajectoryTarget.objects.filter(
        month__gte=dt.date(first.year, first.month, 1), month__lte=last
    ).values_list("area_code", "month", "target_per_100k")
    for code, month, target in rows:
        found.setdefault(code, {})[month] = target
    return found


def latest_trajectory_upload() -> TrajectoryUpload | None:
    return TrajectoryUpload.objects.select_related("uploaded_by").first()


@dataclass(frozen=True)
class CaseDelays:
    """Delayed days per area (council of residence, trust or ICB) per month from the Homeward
    cases an actor can see."""

    councils: list[tuple[str, str]]
    period: list[dt.date]
    days: np.ndarray  # calendar days counted in each month (the last month up to today)
    delayed_days: np.ndarray  # [council, month]
    adults: np.ndarray  # [council, month], NaN where no estimate for that year


# How the cases' delays can be grouped: the area's code and name fields on a case.
CASE_GROUPS = {
    "council": ("council__code", "council__name"),
    "trust": ("trust__code", "trust__name"),
    "icb": ("trust__parent__code", "trust__parent__name"),
}


def case_delays(actor: Actor, first: dt.date, today: dt.date, by: str = "council") -> CaseDelays:
    """Delayed days by council of residence (or hospital trust, or the trust's ICB) and month,
    from the first month to today, over the cases the actor may see
    (`cases.queries.visible_cases`), by `measures.drd`: each delay runs from the discharge
    ready date to the day of discharge, a person still in hospital is delayed to the end of the
    period. Two queries, plus one for population (councils only: the ONS estimates are by
    local authority)."""
    code_field, name_field = CASE_GROUPS[by]
    period = months(first, today)
    zone = timezone.get_default_timezone()
    since = timezone.make_aware(dt.datetime.combine(period[0], dt.time(0)), zone)
    rows = list(
        visible_cases(actor)
        .filter(**{f"{code_field}__isnull": False}, discharge_ready_date__isnull=False)
        .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=since))
        .annotate(left=TruncDate("discharged_at", tzinfo=zone))
        .values_list(code_field, name_field, "discharge_ready_date", "left")
    )
    names = dict(sorted({(code, name) for code, name, _, _ in rows}))
    keys = [code for code, *_ in rows]
    if rows:
        found = delayed_days_by_period(
            keys,
            np.array([r[2] for r in rows], dtype="datetime64[D]"),
            np.array([r[3] for r in rows], dtype="datetime64[D]"),
            np.array(period, dtype="datetime64[D]"),
            today,
        )
        by_code = dict(zip(found.labels, found.days, strict=True))
    else:
        by_code = {}
    codes = sorted(names)
    delayed = np.array([by_code[c] for c in codes], dtype=np.int64).reshape(len(codes), len(period))
    days = np.array([days_in_month(m) for m in period[:-1]] + [today.day], dtype=np.int64)
    adults = np.full((len(codes), len(period)), np.nan)
    index = {c: i for i, c in enumerate(codes)}
    estimates = PopulationEstimate.objects.filter(
        area_code__in=codes if by == "council" else [], year__in={m.year for m in period}
    )
    for code, year, n in estimates.values_list("area_code", "year", "adults_18_plus"):
        adults[index[code], [i for i, m in enumerate(period) if m.year == year]] = n
    return CaseDelays([(c, names[c]) for c in codes], period, days, delayed, adults)

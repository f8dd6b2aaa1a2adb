"""Delayed-transfer measures, defined once for every page, export, API and command that shows
them. Pure Python: no Django.

Definitions (domain.md, "Measures"):
- delayed days: the days people spent delayed in the period, as reported month by month;
- days: calendar days in the months that have figures;
- delayed beds per day = delayed days / days ("average number of people delayed per day");
- per 100,000 adults = delayed beds per day / adults aged 18+ x 100,000, the adults from the ONS
  mid-year estimate of each month's own calendar year (day-weighted over the months);
- attribution shares: NHS, social care and both as % of delayed days;
- delayed days by reason (legacy codes A ... I, O) and by type of care (acute, non-acute).

Missing is never zero. A month with no figures at all is left out of both delayed days and days
(so the rate stays a true average) and listed in `missing.months`. A figure missing inside a
month that has figures (a `-` cell) makes that field None for the whole period and is listed in
`missing.figures`. A reason the collection did not have yet (O before April 2017) is None and
listed in `missing.not_collected`. A month whose year has no population estimate makes the rate
None, listed in `missing.population_years`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ATTRIBUTIONS = ("nhs", "social_care", "both")
TYPES_OF_CARE = ("acute", "non_acute")
REASONS = ("A", "B", "C", "Di", "Dii", "E", "F", "G", "H", "I", "O")
FIELDS = (*TYPES_OF_CARE, *ATTRIBUTIONS, *REASONS)
PER = 100_000


def days_in_month(month: dt.date) -> int:
    """Calendar days in the month that `month` falls in."""
    start = dt.date(month.year, month.month, 1)
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return (following - start).days


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s month, inclusive."""
    if (last.year, last.month) < (first.year, first.month):
        raise ValueError(f"{last:%Y-%m} is before {first:%Y-%m}: give the earlier month first")
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(dt.date(year, month, 1))
        year, month = year + month // 12, month % 12 + 1
    return out


def delayed_beds_per_day(delayed_days: int | None, days: int) -> float | None:
    """Average number of people delayed per day; None when the days are missing or no days."""
    if delayed_days is None or days <= 0:
        return None
    return delayed_days / days


def per_100k(beds_per_day: float | None, adults: float | None) -> float | None:
    """Delayed beds per day per 100,000 adults aged 18+; None without both figures."""
    if beds_per_day is None or not adults:
        return None
    return beds_per_day / adults * PER


def shares(parts: dict[str, int | None], total: int | None) -> dict[str, float | None]:
    """Each part as a percentage of the total; None where the part or the total is missing."""
    return {
        name: (None if value is None or not total else 100.0 * value / total)
        for name, value in parts.items()
    }


@dataclass(frozen=True)
class MonthFigures:
    """One area's published figures for one month. `values` maps each field in FIELDS the
    release collected to its delayed days (None = missing in the file); fields absent from
    `values` were not collected that month. `adults` is None when no estimate is loaded."""

    month: dt.date
    delayed_days: int | None
    values: dict[str, int | None]
    adults: int | None = None


@dataclass
class DtocMeasures:
    """The delayed-transfer measures of one area over a run of months."""

    area: str
    first: dt.date
    last: dt.date
    delayed_days: int | None
    days: int
    adults_18_plus: float | None
    by_field: dict[str, int | None]
    missing_months: list[dt.date] = field(default_factory=list)
    missing_figures: list[tuple[dt.date, str]] = field(default_factory=list)
    not_collected: list[tuple[dt.date, str]] = field(default_factory=list)
    population_years: list[int] = field(default_factory=list)

    @property
    def delayed_beds_per_day(self) -> float | None:
        return delayed_beds_per_day(self.delayed_days, self.days)

    @property
    def per_100k_adults(self) -> float | None:
        return per_100k(self.delayed_beds_per_day, self.adults_18_plus)

    @property
    def attribution(self) -> dict[str, float | None]:
        return shares({a: self.by_field[a] for a in ATTRIBUTIONS}, self.delayed_days)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, unrounded; months as YYYY-MM."""
        return {
            "area": self.area,
            "from": f"{self.first:%Y-%m}",
            "to": f"{self.last:%Y-%m}",
            "delayed_days": self.delayed_days,
            "days": self.days,
            "delayed_beds_per_day": self.delayed_beds_per_day,
            "adults_18_plus": _whole(self.adults_18_plus),
            "per_100k_adults": self.per_100k_adults,
            "attribution": self.attribution,
            "by_reason": {r: self.by_field[r] for r in REASONS},
            "by_type_of_care": {t: self.by_field[t] for t in TYPES_OF_CARE},
            "missing": {
                "months": [f"{m:%Y-%m}" for m in self.missing_months],
                "figures": [{"month": f"{m:%Y-%m}", "field": f} for m, f in self.missing_figures],
                "not_collected": [
                    {"month": f"{m:%Y-%m}", "field": f} for m, f in self.not_collected
                ],
                "population_years": self.population_years,
            },
        }


def _whole(value: float | None) -> float | int | None:
    """A count that came out of a weighted mean as an int when it is one (one year's estimate)."""
    return int(value) if value is not None and float(value).is_integer() else value


def measure(
    area: str, first: dt.date, last: dt.date, figures: Iterable[MonthFigures]
) -> DtocMeasures:
    """The measures of one area from its monthly figures (at most one per month).

    1. Walk the months of the period; a month without figures is listed and skipped.
    2. Add delayed days and calendar days over the months that have figures; a missing total
       makes delayed days None.
    3. Add each field; a missing or not-collected cell makes that field None, listed.
    4. Weight each month's adult population by its days; a month without one is listed and
       the population (and so the rate) is None."""
    by_month: dict[dt.date, MonthFigures] = {}
    for f in figures:
        key = dt.date(f.month.year, f.month.month, 1)
        if key in by_month:
            raise ValueError(f"two sets of figures for {key:%Y-%m}")
        by_month[key] = f
    period = months(first, last)
    result = DtocMeasures(
        area=area,
        first=period[0],
        last=period[-1],
        delayed_days=0,
        days=0,
        adults_18_plus=None,
        by_field=dict.fromkeys(FIELDS, 0),
    )
    weighted_adults = 0.0
    population_ok = True
    for month in period:
        f = by_month.get(month)
        if f is None:
            result.missing_months.append(month)
            continue
        days = days_in_month(month)
        result.days += days
        result.delayed_days = _add(result.delayed_days, f.delayed_days)
        if f.delayed_days is None:
            result.missing_figures.append((month, "total"))
        for name in FIELDS:
            if name not in f.values:
                result.not_collected.append((month, name))
                result.by_field[name] = None
                continue
            value = f.values[name]
            if value is None:
                result.missing_figures.append((month, name))
            result.by_field[name] = _add(result.by_field[name], value)
        if f.adults is None:
            population_ok = False
            if month.year not in result.population_years:
                result.population_years.append(month.year)
        else:
            weighted_adults += f.adults * days
    if result.days == 0:
        result.delayed_days = None
        result.by_field = dict.fromkeys(FIELDS)
    elif population_ok:
        result.adults_18_plus = weighted_adults / result.days
    return result


def measure_many(
    areas: Sequence[str],
    period: Sequence[dt.date],
    present: np.ndarray,
    values: np.ndarray,
    collected: np.ndarray,
    adults: np.ndarray,
) -> dict[str, DtocMeasures]:
    """`measure` for many areas at once, with NumPy; the results are identical.

    `period` is the run of months (first days); `present[a, m]` says area a has figures for
    month m; `values[a, m, k]` holds the total (k = 0) and then each field in FIELDS, NaN where
    missing; `collected[m, k - 1]` says month m's release collected field k; `adults[a, m]` is
    the month's adults 18+, NaN where no estimate is loaded.

    1. Days per area = the days of the months present; delayed days and each field are summed
       over those months, with NaN (missing) and not-collected cells spoiling their sums.
    2. The population is weighted by days; any present month without one spoils it.
    3. The listed gaps are read off the masks month by month, in the order `measure` gives."""
    n_areas = len(areas)
    days = np.array([days_in_month(m) for m in period], dtype=np.int64)
    present = present.astype(bool)
    gap = np.isnan(values) & present[:, :, None]
    uncollected = (
        present[:, :, None]
        & ~np.concatenate([np.ones((len(period), 1), dtype=bool), collected.astype(bool)], axis=1)[
            None, :, :
        ]
    )
    gap &= ~uncollected
    sums = np.where(present[:, :, None] & ~gap & ~uncollected, values, 0.0).sum(axis=1)
    spoiled = (gap | uncollected).any(axis=1)
    area_days = present.astype(np.int64) @ days
    no_adults = (np.isnan(adults) & present).any(axis=1)
    weighted = np.where(present & ~np.isnan(adults), adults, 0.0) @ days
    out: dict[str, DtocMeasures] = {}
    for a in range(n_areas):
        if not area_days[a]:
            out[areas[a]] = measure(areas[a], period[0], period[-1], [])
            continue
        by_field = {
            name: None if spoiled[a, k + 1] else int(sums[a, k + 1])
            for k, name in enumerate(FIELDS)
        }
        gaps = np.argwhere(gap[a])
        years = sorted(
            {period[m].year for m in np.flatnonzero(present[a] & np.isnan(adults[a]))},
            key=[p.year for p in period].index,
        )
        out[areas[a]] = DtocMeasures(
            area=areas[a],
            first=period[0],
            last=period[-1],
            delayed_days=None if spoiled[a, 0] else int(sums[a, 0]),
            days=int(area_days[a]),
            adults_18_plus=None if no_adults[a] else float(weighted[a]) / int(area_days[a]),
            by_field=by_field,
            missing_months=[period[m] for m in np.flatnonzero(~present[a])],
            missing_figures=[(period[m], ("total", *FIELDS)[k]) for m, k in gaps],
            not_collected=[(period[m], FIELDS[k - 1]) for m, k in np.argwhere(uncollected[a])],
            population_years=years,
        )
    return out


MISSING = -1  # in packed figures: delayed days are never negative


def pack(rows: Sequence[Sequence[int | None]]) -> bytes:
    """Rows of whole figures (None = missing) as little-endian int64 bytes, -1 for missing."""
    table = np.array([[MISSING if v is None else v for v in row] for row in rows], dtype="<i8")
    return table.tobytes()


def unpack(data: bytes, columns: int) -> np.ndarray:
    """Packed figures back as a float array of `columns` per row, NaN where missing."""
    table = np.frombuffer(data, dtype="<i8").reshape(-1, columns)
    return np.where(table == MISSING, np.nan, table.astype(float))


def _add(total: int | None, value: int | None) -> int | None:
    return None if total is None or value is None else total + value


def add_up(rows: Sequence[dict[str, int | None]], names: Iterable[str]) -> dict[str, int | None]:
    """Each named field summed over the rows; None where any row's figure is missing."""
    sums: dict[str, int | None] = {}
    for name in names:
        parts = [row.get(name) for row in rows]
        sums[name] = None if any(p is None for p in parts) else sum(parts)
    return sums


def reconcile(
    stated: dict[str, int | None], computed: dict[str, int | None]
) -> dict[str, dict[str, int | None]]:
    """Stated figures (a file's England row) against figures computed another way, field by
    field: {field: {stated, computed, difference}}; difference None where either is missing."""
    out: dict[str, dict[str, int | None]] = {}
    for name, value in stated.items():
        other = computed.get(name)
        out[name] = {
            "stated": value,
            "computed": other,
            "difference": None if value is None or other is None else other - value,
        }
    return out

"""The performance dashboard's content, built once for the page, the API and the downloads:
every council's league row over the chosen months, the chosen area's month-by-month figures
and reasons against its trajectory, its peers, and the same measures from Homeward's cases.
Every figure comes from `homeward.measures` (definitions, performance, drd)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from homeward.cases.queries import today as local_today
from homeward.core.access import Actor
from homeward.core.councils import is_valid_code, reference
from homeward.measures.definitions import (
    ATTRIBUTIONS,
    FIELDS,
    REASONS,
    DtocMeasures,
    days_in_month,
    delayed_beds_per_day,
    months,
    per_100k,
    shares,
)
from homeward.measures.performance import (
    LeagueRow,
    MonthlyRates,
    council_type,
    league,
    monthly,
    peer_group,
    period_target,
    value,
)
from homeward.performance import queries
from homeward.performance.models import DtocRelease

ENGLAND = "E92000001"
REASON_NAMES = {
    "A": "Completion of assessment",
    "B": "Public funding",
    "C": "Further non-acute NHS care",
    "Di": "Residential home placement",
    "Dii": "Nursing home placement",
    "E": "Care package in own home",
    "F": "Community equipment or adaptations",
    "G": "Patient or family choice",
    "H": "Disputes",
    "I": "Housing",
    "O": "Other",
}
CASE_MONTHS = 12


class FilterError(ValueError):
    """A filter a person gave that cannot be used, with what to do instead."""


def parse_month(text: str, name: str) -> dt.date:
    """'YYYY-MM' as the first day of that month, or FilterError naming the field."""
    try:
        year, month = (int(p) for p in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise FilterError(f"{name} '{text}' is not a month: use YYYY-MM, e.g. 2019-04") from None


def published_months() -> tuple[dt.date, dt.date] | None:
    """The first and last months with a current release; None when nothing is imported."""
    found = list(
        DtocRelease.objects.filter(current=True).order_by("period").values_list("period", flat=True)
    )
    return (found[0], found[-1]) if found else None


@dataclass(frozen=True)
class Filter:
    area: str
    first: dt.date
    last: dt.date


def read_filter(params, span: tuple[dt.date, dt.date]) -> Filter:
    """The area and months asked for: by default England over the last 12 published months.
    FilterError when a month is not one, the months run backwards, or the area is unknown."""
    earliest, latest = span
    last = parse_month(params["to"], "To") if params.get("to") else latest
    if params.get("from"):
        first = parse_month(params["from"], "From")
    else:
        back = months(earliest, last)[-12:] if earliest <= last else [last]
        first = back[0]
    if last < first:
        raise FilterError(f"To {last:%Y-%m} is before From {first:%Y-%m}: swap them")
    area = (params.get("area") or ENGLAND).strip().upper()
    if area != ENGLAND and not is_valid_code(area):
        raise FilterError(f"Area '{area}' is not a council ONS code (for example E08000009)")
    return Filter(area, first, last)


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    delayed_days: int | None
    delayed_beds_per_day: float | None
    per_100k_adults: float | None
    attribution: dict[str, float | None]
    target: float | None

    @property
    def against_target(self) -> float | None:
        if self.per_100k_adults is None or self.target is None:
            return None
        return self.per_100k_adults - self.target


@dataclass(frozen=True)
class ReasonRow:
    code: str
    name: str
    delayed_days: int | None
    share: float | None


@dataclass
class Dashboard:
    """Everything the page shows for one filter."""

    filter: Filter
    names: dict[str, tuple[str, str]]
    period: list[dt.date]
    areas: list[str]
    rates: MonthlyRates
    league: list[LeagueRow]
    area: DtocMeasures | None
    area_target: float | None
    month_rows: list[MonthRow]
    reasons: list[ReasonRow]
    peers: list[LeagueRow]

    @property
    def area_name(self) -> str:
        return self.names.get(self.filter.area, (self.filter.area, ""))[0]

    @property
    def peer_group(self) -> str | None:
        return peer_group(self.filter.area)

    @property
    def area_row(self) -> LeagueRow | None:
        return next((r for r in self.league if r.code == self.filter.area), None)

    def every_month(self):
        """(code, name, month, delayed days, beds per day, per 100k) for every council and
        month, from the NumPy table: the 'every council by month' download."""
        index = {code: i for i, code in enumerate(self.areas)}
        for row in self.league:
            a = index[row.code]
            for m, month in enumerate(self.period):
                yield (
                    row.code,
                    row.name,
                    month,
                    value(self.rates.delayed_days[a, m]),
                    value(self.rates.delayed_beds_per_day[a, m]),
                    value(self.rates.per_100k_adults[a, m]),
                )


def names() -> dict[str, tuple[str, str]]:
    """{code: (name, region)} of every council, and England."""
    names = {code: (name, region) for code, name, region in reference()}
    names[ENGLAND] = ("England", "")
    return names


def build(f: Filter) -> Dashboard:
    """Read the figures for the filter (four queries, five when it spans councils that no
    longer exist) and compute every table on the page."""
    area_names = names()
    table = queries.dtoc_table(f.first, f.last, councils_only=False)
    wanted = [i for i, code in enumerate(table.areas) if is_valid_code(code) or code == ENGLAND]
    table = queries.DtocTable(
        areas=[table.areas[i] for i in wanted],
        period=table.period,
        present=table.present[wanted],
        values=table.values[wanted],
        collected=table.collected,
        adults=table.adults[wanted],
    )
    area_names |= queries.published_names([c for c in table.areas if c not in area_names])
    measures = table.measures()
    rates = monthly(table.period, table.present, table.values[:, :, 0], table.adults)
    targets = queries.trajectory_targets(f.first, f.last)
    index = {code: i for i, code in enumerate(table.areas)}
    council_measures = {c: m for c, m in measures.items() if c != ENGLAND}
    period_targets = {}
    for code, by_month in targets.items():
        if code in index:
            with_figures = [m for i, m in enumerate(table.period) if table.present[index[code], i]]
            period_targets[code] = period_target(by_month, with_figures)
    rows = league(council_measures, area_names, period_targets)
    area = measures.get(f.area)
    month_rows: list[MonthRow] = []
    reasons: list[ReasonRow] = []
    if area is not None:
        a = index[f.area]
        area_targets = targets.get(f.area, {})
        for m, month in enumerate(table.period):
            if not table.present[a, m]:
                continue
            total = _whole(table.values[a, m, 0])
            beds = delayed_beds_per_day(total, days_in_month(month))
            parts = {
                name: _whole(table.values[a, m, 1 + FIELDS.index(name)]) for name in ATTRIBUTIONS
            }
            month_rows.append(
                MonthRow(
                    month=month,
                    delayed_days=total,
                    delayed_beds_per_day=beds,
                    per_100k_adults=per_100k(beds, value(table.adults[a, m])),
                    attribution=shares(parts, total),
                    target=area_targets.get(month),
                )
            )
        reasons = [
            ReasonRow(
                code=r,
                name=REASON_NAMES[r],
                delayed_days=area.by_field[r],
                share=shares({r: area.by_field[r]}, area.delayed_days)[r],
            )
            for r in REASONS
        ]
    kind = council_type(f.area)
    peers = [r for r in rows if kind is not None and council_type(r.code) == kind]
    return Dashboard(
        filter=f,
        names=area_names,
        period=table.period,
        areas=table.areas,
        rates=rates,
        league=rows,
        area=area,
        area_target=period_targets.get(f.area),
        month_rows=month_rows,
        reasons=reasons,
        peers=peers,
    )


def _whole(x: float) -> int | None:
    return None if np.isnan(x) else int(x)


@dataclass(frozen=True)
class CaseMonth:
    code: str
    name: str
    month: dt.date
    days: int
    delayed_days: int
    delayed_beds_per_day: float | None
    per_100k_adults: float | None


def case_months(actor: Actor, by: str = "council") -> tuple[list[CaseMonth], dt.date, dt.date]:
    """Delayed days and the rates per council of residence (or trust, or ICB: `by`) and month
    from the cases the actor can see, over the last 12 months to today, by the same
    definitions as the published figures (`delayed_beds_per_day`, `per_100k`; the rate only
    for councils, whose population is known)."""
    today = local_today()
    first = months(dt.date(today.year - 1, today.month, 1), today)[-CASE_MONTHS]
    found = queries.case_delays(actor, first, today, by)
    rows = []
    for c, (code, name) in enumerate(found.councils):
        for m, month in enumerate(found.period):
            days = int(found.days[m])
            delayed = int(found.delayed_days[c, m])
            beds = delayed_beds_per_day(delayed, days)
            rows.append(
                CaseMonth(
                    code=code,
                    name=name,
                    month=month,
                    days=days,
                    delayed_days=delayed,
                    delayed_beds_per_day=beds,
                    per_100k_adults=per_100k(beds, value(found.adults[c, m])),
                )
            )
    return rows, first, today

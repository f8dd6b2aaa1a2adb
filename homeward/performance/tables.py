"""The dashboard's tables as downloads (CSV or xlsx) with the figures unrounded: the same
rows the page shows, from `dashboard.Dashboard`. Missing figures are empty cells, never 0."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from openpyxl import Workbook

from homeward.measures.definitions import ATTRIBUTIONS
from homeward.performance.dashboard import Dashboard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEAGUE_COLUMNS = (
    "rank",
    "area_code",
    "name",
    "region",
    "council_type",
    "delayed_days",
    "days",
    "delayed_beds_per_day",
    "adults_18_plus",
    "per_100k_adults",
    "nhs_pct",
    "social_care_pct",
    "both_pct",
    "peer_rank",
    "peers",
    "peer_median_per_100k",
    "target_per_100k",
    "against_target",
)


def _league_rows(rows) -> Iterable[list]:
    for r in rows:
        m = r.measures
        yield [
            r.rank,
            r.code,
            r.name,
            r.region,
            r.kind,
            m.delayed_days,
            m.days,
            m.delayed_beds_per_day,
            m.adults_18_plus,
            m.per_100k_adults,
            *(m.attribution[a] for a in ATTRIBUTIONS),
            r.peer_rank,
            r.peers,
            r.peer_median,
            r.target,
            r.against_target,
        ]


def league(d: Dashboard):
    return LEAGUE_COLUMNS, _league_rows(d.league)


def peers(d: Dashboard):
    return LEAGUE_COLUMNS, _league_rows(d.peers)


def months(d: Dashboard):
    columns = (
        "area_code",
        "month",
        "delayed_days",
        "delayed_beds_per_day",
        "per_100k_adults",
        "nhs_pct",
        "social_care_pct",
        "both_pct",
        "target_per_100k",
        "against_target",
    )
    rows = (
        [
            d.filter.area,
            f"{r.month:%Y-%m}",
            r.delayed_days,
            r.delayed_beds_per_day,
            r.per_100k_adults,
            *(r.attribution[a] for a in ATTRIBUTIONS),
            r.target,
            r.against_target,
        ]
        for r in d.month_rows
    )
    return columns, rows


def reasons(d: Dashboard):
    columns = ("area_code", "from", "to", "reason", "reason_name", "delayed_days", "pct")
    rows = (
        [
            d.filter.area,
            f"{d.filter.first:%Y-%m}",
            f"{d.filter.last:%Y-%m}",
            r.code,
            r.name,
            r.delayed_days,
            r.share,
        ]
        for r in d.reasons
    )
    return columns, rows


def every_month(d: Dashboard):
    columns = (
        "area_code",
        "name",
        "month",
        "delayed_days",
        "delayed_beds_per_day",
        "per_100k_adults",
    )
    rows = ([c, n, f"{m:%Y-%m}", *rest] for c, n, m, *rest in d.every_month())
    return columns, rows


TABLES: dict[str, tuple[str, Callable]] = {
    "league": ("League table", league),
    "peers": ("Peers", peers),
    "months": ("By month", months),
    "reasons": ("By reason", reasons),
    "every-month": ("Every council by month", every_month),
}
CASE_COLUMNS = (
    "area_code",
    "name",
    "month",
    "days",
    "delayed_days",
    "delayed_beds_per_day",
    "per_100k_adults",
)


def case_rows(rows) -> Iterable[list]:
    for r in rows:
        yield [
            r.code,
            r.name,
            f"{r.month:%Y-%m}",
            r.days,
            r.delayed_days,
            r.delayed_beds_per_day,
            r.per_100k_adults,
        ]


def to_csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(title: str, columns, rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""The performance dashboard's pure parts: every council's measures month by month, the league
table with peers, and trajectories (targets in delayed beds per day per 100,000 adults).
No Django: the page, the API, the exports and the benchmark share these, and every figure
comes from the definitions in `definitions.py`.

Peers are councils of the same type (ONS code prefix): county councils, unitary authorities,
metropolitan districts and London boroughs run social care at very different scales and with
different hospital footprints, so comparing like with like is the usual first cut (the CIPFA
nearest-neighbour model is finer but not public data)."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import math
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from homeward.measures.definitions import PER, DtocMeasures, days_in_month

COUNCIL_TYPES = {
    "E06": "Unitary authority",
    "E08": "Metropolitan district",
    "E09": "London borough",
    "E10": "County council",
}


def council_type(code: str) -> str | None:
    """The council's type from its ONS code; None for codes that are not councils."""
    return COUNCIL_TYPES.get(code[:3])


PEER_GROUPS = {
    "E06": "unitary authorities",
    "E08": "metropolitan districts",
    "E09": "London boroughs",
    "E10": "county councils",
}


def peer_group(code: str) -> str | None:
    """The council's peers named in the plural, as a sentence uses them ("county councils")."""
    return PEER_GROUPS.get(code[:3])


@dataclass(frozen=True)
class MonthlyRates:
    """Every area's measures month by month, NaN where missing (see `monthly`)."""

    delayed_days: np.ndarray
    delayed_beds_per_day: np.ndarray
    per_100k_adults: np.ndarray


def monthly(
    period: Sequence[dt.date], present: np.ndarray, totals: np.ndarray, adults: np.ndarray
) -> MonthlyRates:
    """Each area's measures for each single month, as `definitions.measure` gives them for a
    one-month period: delayed days, / days in the month, / adults x 100,000.

    `present[a, m]` says area a has figures for month m, `totals[a, m]` its delayed days
    (NaN = a `-` cell) and `adults[a, m]` its adults 18+ (NaN = no estimate); anything
    missing makes the figures that need it NaN, never 0."""
    days = np.array([days_in_month(m) for m in period], dtype=float)
    delayed = np.where(present, totals, np.nan)
    beds = delayed / days[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(adults > 0, beds / adults * PER, np.nan)
    return MonthlyRates(delayed_days=delayed, delayed_beds_per_day=beds, per_100k_adults=rate)


def value(x: float) -> float | None:
    """A NumPy cell as a plain number, None for NaN."""
    return None if math.isnan(x) else float(x)


@dataclass(frozen=True)
class LeagueRow:
    """One council in the league table over the chosen months."""

    code: str
    name: str
    region: str
    kind: str
    measures: DtocMeasures
    rank: int | None
    peer_rank: int | None
    peers: int
    peer_median: float | None
    target: float | None

    @property
    def against_target(self) -> float | None:
        """Actual minus target, delayed beds per day per 100,000 adults (positive = worse)."""
        rate = self.measures.per_100k_adults
        return None if rate is None or self.target is None else rate - self.target


def league(
    measures: Mapping[str, DtocMeasures],
    councils: Mapping[str, tuple[str, str]],
    targets: Mapping[str, float] | None = None,
) -> list[LeagueRow]:
    """Councils ranked by delayed beds per day per 100,000 adults, lowest (best) first.

    1. Councils without a rate (missing months, figures or population) are listed last,
       unranked, rather than ranked as if they had none.
    2. Rank over England and among peers (same council type); ties share a rank.
    3. The peer median is the median rate of the ranked councils of that type."""
    targets = targets or {}
    rated = {c: m.per_100k_adults for c, m in measures.items() if m.per_100k_adults is not None}
    by_type: dict[str | None, list[float]] = {}
    for code, rate in rated.items():
        by_type.setdefault(council_type(code), []).append(rate)
    for rates in by_type.values():
        rates.sort()
    overall = sorted(rated.values())
    rows = []
    for code, m in measures.items():
        name, region = councils.get(code, (code, ""))
        kind = council_type(code)
        peer_rates = by_type.get(kind, [])
        rate = m.per_100k_adults
        rows.append(
            LeagueRow(
                code=code,
                name=name,
                region=region,
                kind=kind or "Other area",
                measures=m,
                rank=None if rate is None else bisect.bisect_left(overall, rate) + 1,
                peer_rank=None if rate is None else bisect.bisect_left(peer_rates, rate) + 1,
                peers=len(peer_rates),
                peer_median=statistics.median(peer_rates) if peer_rates else None,
                target=targets.get(code),
            )
        )
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.name))


def period_target(
    monthly_targets: Mapping[dt.date, float], months_with_figures: Sequence[dt.date]
) -> float | None:
    """The target over a run of months: the day-weighted mean of the monthly targets, the
    same weighting as the rate it is compared with. None unless every month with figures
    has a target (a partial trajectory would compare unlike periods)."""
    if not months_with_figures or any(m not in monthly_targets for m in months_with_figures):
        return None
    days = [days_in_month(m) for m in months_with_figures]
    weighted = sum(monthly_targets[m] * d for m, d in zip(months_with_figures, days, strict=True))
    return weighted / sum(days)


# --- trajectory files ------------------------------------------------------------------------

TRAJECTORY_COLUMNS = ("area_code", "month", "target_per_100k")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_AREA = re.compile(r"^E(06|08|09|10)\d{6}$|^E92000001$")
MAX_TARGET = 1_000.0  # per 100,000 adults a day; England's worst month was about 15


@dataclass(frozen=True)
class TrajectoryRow:
    line: int
    area_code: str
    month: dt.date
    target_per_100k: float


@dataclass
class TrajectoryFile:
    """A read trajectory CSV: the good rows and, per bad line, a reason a person can act on."""

    rows: list[TrajectoryRow]
    errors: list[tuple[int, str]]

    @property
    def lines_read(self) -> int:
        return len(self.rows) + len({line for line, _ in self.errors if line})


def read_trajectory(data: bytes) -> TrajectoryFile:
    """Read a trajectory CSV with the header area_code, month (YYYY-MM), target_per_100k.

    1. Decode as UTF-8 (a byte-order mark is allowed) and find the columns by name.
    2. Check each line: a council code (E06/E08/E09/E10) or England (E92000001), a real
       month, and a target that is a number from 0 to 1,000.
    3. The same area and month twice is an error on the later line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return TrajectoryFile([], [(0, "the file is not UTF-8 text: save it as CSV UTF-8")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        return TrajectoryFile([], [(reader.line_num, f"not readable as CSV here: {exc}")])
    header = [h.strip().lower() for h in records[0][1]] if records else []
    absent = [c for c in TRAJECTORY_COLUMNS if c not in header]
    if absent:
        must = ", ".join(TRAJECTORY_COLUMNS)
        return TrajectoryFile(
            [], [(1, f"missing column(s) {', '.join(absent)}: the header must name {must}")]
        )
    at = {c: header.index(c) for c in TRAJECTORY_COLUMNS}
    rows: list[TrajectoryRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for line, cells in records[1:]:
        if not any(c.strip() for c in cells):
            continue
        cell = {c: (cells[i].strip() if i < len(cells) else "") for c, i in at.items()}
        problems = []
        code = cell["area_code"].upper()
        if not _AREA.match(code):
            problems.append(
                f"area_code '{cell['area_code']}' is not a council ONS code (E06, E08, E09 or "
                "E10 and six digits) or England (E92000001)"
            )
        month = None
        found = _MONTH.match(cell["month"])
        if found and 1 <= int(found[2]) <= 12:
            month = dt.date(int(found[1]), int(found[2]), 1)
        else:
            problems.append(f"month '{cell['month']}' is not a month: use YYYY-MM, e.g. 2018-09")
        try:
            target = float(cell["target_per_100k"])
        except ValueError:
            target = math.nan
        if not (0 <= target <= MAX_TARGET):
            problems.append(
                f"target_per_100k '{cell['target_per_100k']}' must be a number from 0 to "
                f"{MAX_TARGET:,.0f} (delayed beds per day per 100,000 adults)"
            )
        if not problems and month is not None:
            if (code, month) in seen:
                problems.append(
                    f"{code} {month:%Y-%m} is already given on line {seen[(code, month)]}"
                )
            else:
                seen[(code, month)] = line
        if problems:
            errors += [(line, p) for p in problems]
        else:
            rows.append(TrajectoryRow(line, code, month, target))
    if not rows and not errors:
        errors.append((0, "the file has a header but no targets"))
    return TrajectoryFile(rows, errors)

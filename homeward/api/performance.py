"""Performance API: published delay measures for an area by month, the league table with
peers, delayed days from Homeward's own cases, and trajectory upload. Scoped like the pages
(`performance.queries.READERS` read, `TRAJECTORY_SETTERS` upload; anyone else 404). Every
figure comes from the same `performance.dashboard` the page and the downloads use, unrounded."""

from typing import Any, Literal

from ninja import File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from homeward.core.access import actor_for
from homeward.performance import dashboard, queries, services

router = Router(tags=["performance"])


class Problem(Schema):
    detail: str


class Filters(Schema):
    area: str = "E92000001"
    from_month: str | None = None
    to_month: str | None = None


class MonthOut(Schema):
    month: str
    delayed_days: int | None
    delayed_beds_per_day: float | None
    per_100k_adults: float | None
    attribution: dict[str, float | None]
    target_per_100k: float | None


class MeasuresOut(Schema):
    area: str
    name: str
    summary: dict[str, Any]
    months: list[MonthOut]


class LeagueOut(Schema):
    rank: int | None
    area: str
    name: str
    region: str
    council_type: str
    delayed_days: int | None
    days: int
    delayed_beds_per_day: float | None
    per_100k_adults: float | None
    attribution: dict[str, float | None]
    peer_rank: int | None
    peers: int
    peer_median_per_100k: float | None
    target_per_100k: float | None


class CaseMonthOut(Schema):
    area: str
    name: str
    month: str
    days: int
    delayed_days: int
    delayed_beds_per_day: float | None
    per_100k_adults: float | None


class TrajectoryError(Schema):
    line: int
    reason: str


class TrajectoryOut(Schema):
    source: str
    read: int
    stored: int
    replaced: int
    rejected: int
    errors: list[TrajectoryError]
    upload: int | None


def _board(request, filters: Filters) -> dashboard.Dashboard:
    queries.require_reader(actor_for(request.user))
    span = dashboard.published_months()
    if span is None:
        raise HttpError(404, "no published delay figures are imported")
    params = {"area": filters.area, "from": filters.from_month, "to": filters.to_month}
    try:
        return dashboard.build(dashboard.read_filter(params, span))
    except dashboard.FilterError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/performance/measures", response={200: MeasuresOut, 400: Problem, 404: Problem})
def measures(request, filters: Query[Filters]):
    """One area's (a council's ONS code, or England E92000001) measures over the months
    (`from_month`, `to_month` as YYYY-MM; the last 12 published by default): the summary
    `homeward report dtoc --json` prints, and each month with its trajectory target."""
    board = _board(request, filters)
    if board.area is None:
        raise HttpError(404, f"no published figures for {board.filter.area} in these months")
    return {
        "area": board.filter.area,
        "name": board.area_name,
        "summary": board.area.as_dict(),
        "months": [
            {
                "month": f"{r.month:%Y-%m}",
                "delayed_days": r.delayed_days,
                "delayed_beds_per_day": r.delayed_beds_per_day,
                "per_100k_adults": r.per_100k_adults,
                "attribution": r.attribution,
                "target_per_100k": r.target,
            }
            for r in board.month_rows
        ],
    }


@router.get("/performance/league", response={200: list[LeagueOut], 400: Problem, 404: Problem})
def league(request, filters: Query[Filters], peers_only: bool = False):
    """Every council ranked by delayed beds per day per 100,000 adults over the months, lowest
    first (unranked councils last); with `peers_only`, only the councils of `area`'s type."""
    board = _board(request, filters)
    rows = board.peers if peers_only else board.league
    return [
        {
            "rank": r.rank,
            "area": r.code,
            "name": r.name,
            "region": r.region,
            "council_type": r.kind,
            "delayed_days": r.measures.delayed_days,
            "days": r.measures.days,
            "delayed_beds_per_day": r.measures.delayed_beds_per_day,
            "per_100k_adults": r.measures.per_100k_adults,
            "attribution": r.measures.attribution,
            "peer_rank": r.peer_rank,
            "peers": r.peers,
            "peer_median_per_100k": r.peer_median,
            "target_per_100k": r.target,
        }
        for r in rows
    ]


@router.get("/performance/case-delays", response={200: list[CaseMonthOut], 404: Problem})
def case_delays(request, by: Literal["council", "trust", "icb"] = "council"):
    """Delayed days by council of residence (or `by` hospital trust or ICB) and month from the
    Homeward cases your organisation can see, over the last 12 months to today (this month's
    days run to today), with delayed beds per day and, for councils, per 100,000 adults by the
    published figures' definitions."""
    actor = actor_for(request.user)
    queries.require_reader(actor)
    rows, _, _ = dashboard.case_months(actor, by)
    return [
        {
            "area": r.code,
            "name": r.name,
            "month": f"{r.month:%Y-%m}",
            "days": r.days,
            "delayed_days": r.delayed_days,
            "delayed_beds_per_day": r.delayed_beds_per_day,
            "per_100k_adults": r.per_100k_adults,
        }
        for r in rows
    ]


@router.post(
    "/performance/trajectories", response={201: TrajectoryOut, 400: TrajectoryOut, 404: Problem}
)
def upload_trajectory(request, file: File[UploadedFile]):
    """A trajectory CSV (area_code, month, target_per_100k): stored whole, or, with any bad
    line, nothing stored and every error listed with its line (400)."""
    actor = actor_for(request.user)
    queries.require_trajectory_setter(actor)
    report = services.upload_trajectory(actor=actor, source=file.name, data=file.read())
    return Status(400 if report.errors else 201, report.as_dict())

"""Live whole-system view API: the indicator feed (`POST /indicators`, one reading or many)
and the live view's figures (`GET /live`), scoped like the page: readings only for the
organisations in the sender's area, figures only for the reader's area. Anything else 404."""

from datetime import datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from homeward.core import audit
from homeward.core.access import actor_for
from homeward.live import board, services
from homeward.live.feed import MAX_ROWS, FeedRow, Problem, check_value

router = Router(tags=["live"])


class ReadingIn(Schema):
    organisation: str = Field(description="Code of a site, trust, council or ICB in your area")
    indicator: str = Field(description="A fed indicator's code, e.g. ambulance-handover-mean")
    value: float = Field(description="0 or more, in the indicator's unit")
    measured_at: datetime = Field(description="ISO 8601; UK time when it has no offset")
    source: str = Field("api", max_length=64, description="The system the figure came from")


class ReadingsIn(Schema):
    readings: list[ReadingIn] = Field(..., min_length=1, max_length=MAX_ROWS)


class ReadingOut(Schema):
    organisation: str
    indicator: str
    value: float
    measured_at: datetime
    source: str


class FeedOut(Schema):
    stored: int
    unchanged: int
    readings: list[ReadingOut]


class ProblemOut(Schema):
    item: int  # position in the batch, from 1; 0 when the problem is the whole batch
    reason: str


class FeedProblem(Schema):
    detail: str
    problems: list[ProblemOut]


@router.post("/indicators", response={201: FeedOut, 400: FeedProblem, 404: FeedProblem})
def post_readings(request, payload: ReadingsIn | ReadingIn):
    """Record one reading (`{"organisation": …}`) or many (`{"readings": [...]}`). Nothing is
    stored when any reading has a problem; each problem names its item. A reading identical
    to one already held is left unchanged; a different value for the same moment is refused."""
    actor = actor_for(request.user)
    items = payload.readings if isinstance(payload, ReadingsIn) else [payload]
    rows, problems = [], []
    for position, item in enumerate(items, start=1):
        measured_at = item.measured_at
        if timezone.is_naive(measured_at):
            measured_at = timezone.make_aware(measured_at)
        reason = check_value(item.value)
        if reason:
            problems.append(Problem(position, reason))
            continue
        rows.append(
            FeedRow(
                line=position,
                organisation=item.organisation.strip(),
                indicator=item.indicator.strip(),
                value=item.value,
                measured_at=measured_at,
                source=item.source.strip() or "api",
            )
        )
    result = services.record_readings(actor=actor, rows=rows, problems=problems, via="api")
    if not result.ok:
        return Status(
            400,
            {
                "detail": "nothing was stored: correct these readings and send them again",
                "problems": [{"item": p.line, "reason": p.reason} for p in result.problems],
            },
        )
    return Status(
        201,
        {
            "stored": result.stored,
            "unchanged": result.unchanged,
            "readings": [
                {
                    "organisation": r.organisation.code,
                    "indicator": r.indicator_id,
                    "value": r.value,
                    "measured_at": r.measured_at,
                    "source": r.source,
                }
                for r in result.readings
            ],
        },
    )


class StatusOut(Schema):
    colour: str
    words: str


class TrendOut(Schema):
    change: float | None
    direction: str
    judgement: str
    words: str


class AgeOut(Schema):
    seconds: float
    stale: bool
    words: str


class FigureOut(Schema):
    indicator: str
    name: str
    unit: str
    direction: str
    where: str
    where_code: str
    value: float | None
    status: StatusOut
    trend: TrendOut | None
    age: AgeOut | None
    measured_at: datetime | None
    history: list[float]


class BedsOut(Schema):
    site: str
    code: str
    occupied: float | None
    free: float | None
    occupancy_pct: float | None
    age: AgeOut | None


class BandOut(Schema):
    band: str
    people: int


class WaitingOut(Schema):
    people: int
    longest_wait_days: int | None
    bands: list[BandOut]


class TallyOut(Schema):
    code: str
    label: str
    people: int
    over_21: int


class CapacityOut(Schema):
    care_type: str
    name: str
    unit: str
    free_now: float
    services: int
    fresh: int
    newest: AgeOut | None


class AreaOut(Schema):
    code: str
    name: str
    kind: str


class LiveOut(Schema):
    area: AreaOut
    as_at: datetime
    summary: dict[str, int]
    indicators: list[FigureOut]
    beds: list[BedsOut]
    waiting: WaitingOut
    delays_by_reason: list[TallyOut]
    delays_by_pathway: list[TallyOut]
    councils: list[str]
    capacity: list[CapacityOut]
    forecast: dict[str, dict] = Field(
        description="Per pathway, people expected to become ready to leave hospital each day "
        "for the next 14 days, with a central interval (from case history)"
    )


class Problem404(Schema):
    detail: str


@router.get("/live", response={200: LiveOut, 404: Problem404})
def live(request):
    """The live whole-system view of your area: the same figures as the page."""
    actor = actor_for(request.user)
    view = board.live_view(actor)
    audit.record(
        actor, "live.view", object_type="live.area", object_id=str(view.area.pk), via="api"
    )
    return {
        "area": {"code": view.area.code, "name": view.area.name, "kind": view.area.kind},
        "as_at": view.now,
        "summary": view.summary,
        "indicators": [
            {
                "indicator": f.indicator.code,
                "name": f.indicator.name,
                "unit": f.indicator.unit,
                "direction": f.indicator.direction,
                "where": f.where,
                "where_code": f.where_code,
                "value": f.value,
                "status": vars(f.status),
                "trend": vars(f.trend) if f.trend else None,
                "age": vars(f.age) if f.age else None,
                "measured_at": f.measured_at,
                "history": f.history,
            }
            for f in view.figures
        ],
        "beds": [{**vars(b), "age": vars(b.age) if b.age else None} for b in view.beds],
        "waiting": {
            "people": view.waiting,
            "longest_wait_days": view.longest_wait_days,
            "bands": [{"band": label, "people": n} for label, n in view.bands],
        },
        "delays_by_reason": [vars(t) for t in view.by_reason],
        "delays_by_pathway": [vars(t) for t in view.by_pathway],
        "councils": view.councils,
        "forecast": {p: f.to_dict() for p, f in view.forecasts.items()},
        "capacity": [
            {
                "care_type": c.care_type,
                "name": c.name,
                "unit": "beds" if c.bed_based else "hours a week",
                "free_now": c.free_now,
                "services": c.offers,
                "fresh": c.fresh,
                "newest": vars(c.newest) if c.newest else None,
            }
            for c in view.capacity
        ],
    }

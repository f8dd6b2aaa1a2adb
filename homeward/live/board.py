"""The live whole-system view of one area, read in a fixed number of queries whatever the size
of the area: hospital beds by site and the other fed indicators from their latest readings,
people not meeting the criteria to reside and their waits, delays by reason and pathway, and
care-home vacancies and home-care hours by care type with their freshness. Every indicator
carries its status against the area's trigger levels, its trend and its age (the pure
definitions in homeward.measures.live). The page and GET /api/v1/live both read this."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from homeward.cases import rules
from homeward.cases.models import OPEN_STATES, DelayEpisode
from homeward.cases.queries import visible_cases
from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.models import Organisation, OrganisationKind
from homeward.directory.models import CareType, ServiceOffer
from homeward.directory.queries import available_offer_q, fresh_q
from homeward.live import queries
from homeward.live.models import Indicator, Reading, TriggerLevel
from homeward.measures import live
from homeward.measures.drd import BANDS
from homeward.planning.forecast import Forecast, forecast_pathways
from homeward.scenarios.queries import pathway_history

HISTORY = timedelta(days=7)  # readings older than this are not shown
RECENT = timedelta(hours=24)  # as long as any fed indicator stays fresh
POINTS = 12  # readings per trend line
BEDS_OCCUPIED, BEDS_FREE = "beds-ga-occupied", "beds-ga-free"
WAITING, WAITING_21 = "people-not-meeting-ctr", "people-waiting-21-days"
CARE_HOME_BEDS, HOME_CARE_HOURS = "care-home-beds-free", "home-care-hours-free"
LONG_WAIT_DAYS = rules.RAG_THRESHOLDS[0][0]


@dataclass
class Figure:
    """One indicator's value for one organisation (fed) or for the whole area (worked out)."""

    indicator: Indicator
    where: str
    where_code: str
    value: float | None
    status: live.Status
    trend: live.Trend | None = None
    age: live.Age | None = None
    measured_at: datetime | None = None
    history: list[float] = field(default_factory=list)

    @property
    def points(self) -> str:
        return live.sparkline(self.history)

    @property
    def last_point(self) -> tuple[str, str] | None:
        """Where the newest reading sits on the trend line, to mark it."""
        points = self.points.split()
        return tuple(points[-1].split(",")) if points else None

    @property
    def points_words(self) -> str:
        return live.sparkline_words(self.history, self.indicator.unit)


@dataclass
class BedRow:
    site: str
    code: str
    occupied: float | None
    free: float | None
    occupancy_pct: float | None
    age: live.Age | None


@dataclass
class Tally:
    code: str
    label: str
    people: int
    over_21: int = 0


@dataclass
class CapacityRow:
    care_type: str
    name: str
    bed_based: bool
    free_now: float
    offers: int
    fresh: int
    newest: live.Age | None

    @property
    def stale_or_none(self) -> int:
        return self.offers - self.fresh


@dataclass
class LiveView:
    area: Organisation
    now: datetime
    figures: list[Figure]
    beds: list[BedRow]
    waiting: int
    bands: list[tuple[str, int]]
    longest_wait_days: int | None
    by_reason: list[Tally]
    by_pathway: list[Tally]
    capacity: list[CapacityRow]
    councils: list[str]
    forecast_to: date
    forecasts: dict[str, Forecast]

    @property
    def summary(self) -> dict[str, int]:
        counts = {live.RED: 0, live.AMBER: 0, live.GREEN: 0, live.NO_TRIGGERS: 0}
        for f in self.figures:
            counts[f.status.colour] += 1
        return counts

    @property
    def red(self) -> list[Figure]:
        return [f for f in self.figures if f.status.colour == live.RED]

    @property
    def amber(self) -> list[Figure]:
        return [f for f in self.figures if f.status.colour == live.AMBER]


def _triggers(area: Organisation) -> dict[str, TriggerLevel]:
    """The levels in force: the area's own, else its parent's, else its grandparent's."""
    ancestors = Organisation.objects.filter(pk=area.parent_id).values("parent_id")
    levels = TriggerLevel.objects.filter(
        Q(area_id=area.pk) | Q(area_id=area.parent_id) | Q(area_id__in=ancestors)
    )
    depth = {area.pk: 0, area.parent_id: 1}
    chosen: dict[str, TriggerLevel] = {}
    for level in levels.order_by("-set_at", "-id"):
        rank = depth.get(level.area_id, 2)
        held = chosen.get(level.indicator_id)
        if held is None or rank < depth.get(held.area_id, 2):
            chosen[level.indicator_id] = level
    return chosen


def _status(value: float, indicator: Indicator, level: TriggerLevel | None) -> live.Status:
    triggers = (
        live.Triggers(level.amber, level.red, indicator.direction) if level is not None else None
    )
    return live.rag(value, indicator.unit, triggers)


class Point(NamedTuple):
    value: float
    measured_at: datetime


def _ranked(where: Q) -> dict[tuple[int, str], list[Point]]:
    """The latest POINTS readings of each series matching `where`, newest first."""
    ranked = (
        Reading.objects.filter(where)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("organisation_id"), F("indicator_id")],
                order_by=F("measured_at").desc(),
            )
        )
        .filter(rank__lte=POINTS)
        .order_by("organisation_id", "indicator_id", "-measured_at")
        .values_list("organisation_id", "indicator_id", "value", "measured_at")
    )
    series: dict[tuple[int, str], list[Point]] = {}
    for org_id, code, value, measured_at in ranked:
        series.setdefault((org_id, code), []).append(Point(value, measured_at))
    return series


def _series(org_ids: list[int], codes: list[str], now: datetime) -> dict:
    """The latest POINTS readings of every series in the area, in two queries: the last day
    of every series (cheap: frequent series fill their trend line from it), then the last
    week of the series with fewer readings that day (daily figures, and feeds that stopped,
    so they show as stale rather than vanish), one indicator's organisations at a time."""
    series = _ranked(Q(organisation_id__in=org_ids, measured_at__gte=now - RECENT))
    short = Q(pk__in=[])
    for code in codes:
        orgs = [o for o in org_ids if len(series.get((o, code), ())) < POINTS]
        if orgs:
            short |= Q(indicator_id=code, organisation_id__in=orgs)
    series.update(_ranked(short & Q(measured_at__gte=now - HISTORY)))
    return series


def _fed_figures(indicators, orgs, series, levels, now) -> list[Figure]:
    figures = []
    for indicator in indicators:
        if not indicator.fed:
            continue
        stale_after = timedelta(minutes=indicator.stale_after_minutes)
        for org in orgs:
            readings = series.get((org.pk, indicator.code))
            if not readings:
                continue
            latest = readings[0]
            previous = readings[1].value if len(readings) > 1 else None
            figures.append(
                Figure(
                    indicator=indicator,
                    where=org.name,
                    where_code=org.code,
                    value=latest.value,
                    status=_status(latest.value, indicator, levels.get(indicator.code)),
                    trend=live.trend(latest.value, previous, indicator.direction),
                    age=live.age(latest.measured_at, now, stale_after),
                    measured_at=latest.measured_at,
                    history=[r.value for r in reversed(readings)],
                )
            )
    return figures


def _beds(orgs, series, indicators, now) -> list[BedRow]:
    rows = []
    stale_after = timedelta(minutes=indicators[BEDS_FREE].stale_after_minutes)
    for org in orgs:
        occupied = series.get((org.pk, BEDS_OCCUPIED))
        free = series.get((org.pk, BEDS_FREE))
        if not occupied and not free:
            continue
        occ = occupied[0].value if occupied else None
        fre = free[0].value if free else None
        oldest = min(r[0].measured_at for r in (occupied, free) if r)
        pct = occ / (occ + fre) * 100 if occ is not None and fre is not None and occ + fre else None
        rows.append(BedRow(org.name, org.code, occ, fre, pct, live.age(oldest, now, stale_after)))
    return rows


def _waits(actor: Actor, today) -> tuple[int, list[tuple[str, int]], int | None, QuerySet]:
    open_ready = visible_cases(actor).filter(
        state__in=OPEN_STATES, discharge_ready_date__isnull=False
    )
    bands = [("0", 0, 0), *BANDS]
    counts = open_ready.aggregate(
        total=Count("pk"),
        earliest=Min("discharge_ready_date"),
        **{
            f"band_{i}": Count(
                "pk",
                filter=Q(discharge_ready_date__lte=today - timedelta(days=low))
                & (
                    Q(discharge_ready_date__gte=today - timedelta(days=high))
                    if high is not None
                    else Q()
                ),
            )
            for i, (_, low, high) in enumerate(bands)
        },
    )
    labelled = [
        ("Ready today" if name == "0" else f"{name} day{'s' if name != '1' else ''}", counts[k])
        for k, (name, _, _) in zip((f"band_{i}" for i in range(len(bands))), bands, strict=True)
    ]
    return (
        counts["total"],
        labelled,
        rules.waiting_days(counts["earliest"], today),
        open_ready,
    )


def _by_reason(open_ready) -> list[Tally]:
    rows = (
        DelayEpisode.objects.filter(case__in=open_ready, ended_at=None, primary=True)
        .values("reason__code", "reason__label")
        .annotate(people=Count("case", distinct=True))
        .order_by("-people", "reason__code")
    )
    return [Tally(r["reason__code"], r["reason__label"], r["people"]) for r in rows]


def _by_pathway(open_ready, today) -> list[Tally]:
    long_ago = today - timedelta(days=LONG_WAIT_DAYS)
    rows = (
        open_ready.values("pathway__code", "pathway__label")
        .annotate(
            people=Count("pk"), over_21=Count("pk", filter=Q(discharge_ready_date__lte=long_ago))
        )
        .order_by("pathway__code")
    )
    return [
        Tally(
            r["pathway__code"] or "",
            r["pathway__label"] or "No pathway recorded",
            r["people"],
            r["over_21"],
        )
        for r in rows
    ]


def _capacity(council_ids: list[int], now) -> list[CapacityRow]:
    if not council_ids:
        return []
    available = available_offer_q(now)
    rows = (
        ServiceOffer.objects.filter(
            active=True, location__active=True, location__council_id__in=council_ids
        )
        .values("care_type_id")
        .annotate(
            offers=Count("pk"),
            fresh=Count("pk", filter=fresh_q(now)),
            beds=Sum("latest_report__beds_free", filter=available),
            hours=Sum("latest_report__hours_free", filter=available),
            newest=Max("latest_report__reported_at"),
        )
    )
    by_type = {r["care_type_id"]: r for r in rows}
    out = []
    for care_type in CareType.objects.filter(code__in=by_type).order_by("sort_order", "code"):
        r = by_type[care_type.code]
        stale_after = timedelta(hours=care_type.stale_after_hours)
        free = r["beds"] if care_type.bed_based else r["hours"]
        out.append(
            CapacityRow(
                care_type=care_type.code,
                name=care_type.name,
                bed_based=care_type.bed_based,
                free_now=float(free or 0),
                offers=r["offers"],
                fresh=r["fresh"],
                newest=live.age(r["newest"], now, stale_after) if r["newest"] else None,
            )
        )
    return out


def _worked_out(indicators, levels, waiting, bands, capacity, has_councils) -> list[Figure]:
    """The area-wide figures Homeward works out itself, as indicators with a status. Care
    capacity only where the area has councils: no figure is better than a false zero."""
    newest = {
        bed_based: min(
            (c.newest for c in capacity if c.bed_based == bed_based and c.newest),
            default=None,
            key=lambda a: a.seconds,
        )
        for bed_based in (True, False)
    }
    for bed_based, age in newest.items():
        if age is not None:
            newest[bed_based] = live.Age(age.seconds, age.stale, f"newest report {age.words}")
    values = {
        WAITING: (waiting, live.Age(0, False, "live from cases")),
        WAITING_21: (bands[-1][1], live.Age(0, False, "live from cases")),
        CARE_HOME_BEDS: (
            sum(c.free_now for c in capacity if c.bed_based),
            newest[True],
        ),
        HOME_CARE_HOURS: (
            sum(c.free_now for c in capacity if not c.bed_based),
            newest[False],
        ),
    }
    if not has_councils:
        del values[CARE_HOME_BEDS], values[HOME_CARE_HOURS]
    figures = []
    for code, (value, age) in values.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        figures.append(
            Figure(
                indicator=indicator,
                where="Whole area",
                where_code="",
                value=value,
                status=_status(value, indicator, levels.get(code)),
                age=age,
            )
        )
    return figures


def live_view(actor: Actor) -> LiveView:
    """Everything the live view shows for the actor's area."""
    area = queries.viewer(actor)
    now = clock.now()
    today = timezone.localtime(now).date()
    yesterday = today - timedelta(days=1)
    orgs = sorted(
        queries.area_organisations(area),
        key=lambda o: (o.kind != area.kind, o.kind, o.name),
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    levels = _triggers(area)
    fed = [code for code, i in indicators.items() if i.fed]
    series = _series([o.pk for o in orgs], fed, now)
    waiting, bands, longest, open_ready = _waits(actor, today)
    councils = [o for o in orgs if o.kind == OrganisationKind.COUNCIL]
    capacity = _capacity([c.pk for c in councils], now)
    ordered = list(indicators.values())
    figures = _worked_out(indicators, levels, waiting, bands, capacity, bool(councils))
    figures += _fed_figures(ordered, orgs, series, levels, now)
    return LiveView(
        area=area,
        now=now,
        figures=figures,
        beds=_beds(orgs, series, indicators, now),
        waiting=waiting,
        bands=bands,
        longest_wait_days=longest,
        by_reason=_by_reason(open_ready),
        by_pathway=_by_pathway(open_ready, today),
        capacity=capacity,
        councils=[c.name for c in councils],
        forecast_to=yesterday,
        forecasts=forecast_pathways(pathway_history(actor, yesterday), yesterday),
    )

"""Writes of the live view: readings from the indicator feed (all or nothing) and trigger
levels. Each names the acting user and writes its audit row in the same transaction."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction

from homeward.core import audit, clock
from homeward.core.access import Actor
from homeward.core.models import Organisation
from homeward.live import queries
from homeward.live.feed import FeedRow, Problem
from homeward.live.models import Indicator, Reading, TriggerLevel
from homeward.measures.live import check_triggers

# A reading a little ahead of the server's clock is the sender's clock drifting; further
# ahead it is a mistake.
CLOCK_SLACK = timedelta(minutes=5)
RACED = (
    "another sender stored readings for the same moments while these were being checked; "
    "nothing was stored, send them again"
)


@dataclass
class FeedResult:
    read: int = 0
    stored: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check(rows, organisations, indicators, now) -> tuple[list[tuple[int, Reading]], list[Problem]]:
    problems = []
    readings = []
    for row in rows:
        reasons = []
        matches = organisations.get(row.organisation.upper(), [])
        indicator = indicators.get(row.indicator)
        if not matches:
            reasons.append(
                f"organisation {row.organisation!r} is not one you may send readings for"
            )
        elif len(matches) > 1:
            reasons.append(f"organisation code {row.organisation!r} names more than one body")
        if indicator is None:
            reasons.append(
                f"indicator {row.indicator!r} is not fed (fed indicators: "
                f"{', '.join(sorted(indicators))})"
            )
        if row.measured_at > now + CLOCK_SLACK:
            reasons.append(f"measured_at {row.measured_at:%Y-%m-%d %H:%M} is in the future")
        if reasons:
            problems.append(Problem(row.line, "; ".join(reasons)))
            continue
        readings.append(
            (
                row.line,
                Reading(
                    organisation=matches[0],
                    indicator=indicator,
                    value=row.value,
                    measured_at=row.measured_at,
                    source=row.source,
                ),
            )
        )
    return readings, problems


def _existing(readings: list[Reading]) -> dict[tuple, float]:
    """Values already held for the readings' organisations, indicators and moments."""
    return {
        (r.organisation_id, r.indicator_id, r.measured_at): r.value
        for r in Reading.objects.filter(
            organisation_id__in={r.organisation_id for r in readings},
            indicator_id__in={r.indicator_id for r in readings},
            measured_at__in={r.measured_at for r in readings},
        )
    }


def record_readings(
    *, actor: Actor, rows: list[FeedRow], problems: list[Problem], via: str
) -> FeedResult:
    """Store the readings, or none of them when any row has a problem. A reading identical to
    one already stored (same organisation, indicator, time and value) is left unchanged; a
    different value for the same moment is refused, since readings are never edited."""
    now = clock.now()
    result = FeedResult(read=len(rows) + len(problems), problems=list(problems))
    organisations: dict[str, list[Organisation]] = {}
    for org in queries.feed_organisations(actor).filter(
        code__in={r.organisation.upper() for r in rows}
    ):
        organisations.setdefault(org.code.upper(), []).append(org)
    indicators = {i.code: i for i in queries.fed_indicators()}
    readings, found = _check(rows, organisations, indicators, now)
    result.problems.extend(found)
    with transaction.atomic():
        existing = _existing([r for _, r in readings])
        new = {}
        for line, reading in readings:
            key = (reading.organisation_id, reading.indicator_id, reading.measured_at)
            earlier = existing.get(key, new.get(key))
            if earlier is None:
                new[key] = reading.value
                reading.recorded_at = now
                reading.recorded_by = actor.user
                result.readings.append(reading)
            elif earlier == reading.value:
                result.unchanged += 1
            else:
                result.problems.append(
                    Problem(
                        line,
                        f"{reading.indicator_id} for {reading.organisation.code} at "
                        f"{reading.measured_at:%Y-%m-%d %H:%M} already has the value "
                        f"{earlier:g}; readings are never changed, send a newer one",
                    )
                )
        result.problems.sort(key=lambda p: p.line)
        if result.problems:
            result.readings = []
            result.unchanged = 0
            return result
        try:
            with transaction.atomic():
                Reading.objects.bulk_create(result.readings)
        except IntegrityError:
            result.readings = []
            result.problems = [Problem(0, RACED)]
            return result
        result.stored = len(result.readings)
        audit.record(
            actor,
            "live.readings",
            object_type="live.reading",
            via=via,
            stored=result.stored,
            unchanged=result.unchanged,
            indicators=sorted({r.indicator_id for r in result.readings}),
        )
    return result


def set_trigger_levels(
    *, actor: Actor, indicator: Indicator, amber: float, red: float, reason: str = ""
) -> TriggerLevel:
    """Set the acting area's amber and red levels for one indicator. The earlier levels stay
    as history; the newest one counts."""
    area = queries.trigger_area(actor)
    check_triggers(amber, red, indicator.direction)
    with transaction.atomic():
        level = TriggerLevel.objects.create(
            area=area,
            indicator=indicator,
            amber=amber,
            red=red,
            set_by=actor.user,
            set_at=clock.now(),
            reason=reason,
        )
        audit.record(
            actor,
            "live.trigger_levels",
            level,
            indicator=indicator.code,
            amber=amber,
            red=red,
            reason=reason,
        )
    return level

"""The demo ICB's live system view: its councils linked to it, two hospital sites under the
demo trust, the ICB's trigger levels and six hours of generated readings (ambulance
handovers, beds, GP appointments), all through the live view's own services."""

from datetime import timedelta

import numpy as np

from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.councils import code_for_name
from homeward.core.models import Organisation, OrganisationKind
from homeward.live import services
from homeward.live.feed import FeedRow
from homeward.live.models import Indicator

SEED = 20261128
STEP = timedelta(minutes=30)
STEPS = 12
SITES = [("R0A02", "Manchester Royal Infirmary", 760), ("R0A66", "Wythenshawe Hospital", 620)]
# indicator: (amber, red), set by the ICB's system leader.
TRIGGER_LEVELS = {
    "ambulance-handover-mean": (30, 60),
    "ambulance-handovers-over-60": (5, 10),
    "gp-appointments-same-day": (1500, 800),
    "gp-appointments-next-day": (4000, 2500),
    "beds-ga-free": (25, 10),
    "people-not-meeting-ctr": (30, 45),
    "people-waiting-21-days": (5, 10),
    "care-home-beds-free": (40, 20),
    "home-care-hours-free": (300, 150),
}


def _sites(trust: Organisation) -> list[tuple[Organisation, int]]:
    sites = []
    for code, name, beds in SITES:
        site, _ = Organisation.objects.get_or_create(
            kind=OrganisationKind.SITE,
            code=code,
            defaults={"name": name, "region": trust.region, "parent": trust},
        )
        sites.append((site, beds))
    return sites


def _walk(rng: np.random.Generator, start: float, spread: float, low: float) -> list[float]:
    """A bounded random walk of STEPS whole numbers, like a figure drifting over a morning."""
    values = start + np.cumsum(rng.normal(0, spread, STEPS))
    return [float(max(round(v), low)) for v in values]


def _rows(icb: Organisation, sites, rng: np.random.Generator) -> list[FeedRow]:
    now = clock.now()
    end = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
    times = [end - STEP * (STEPS - 1 - i) for i in range(STEPS)]
    series: list[tuple[Organisation, str, list[float], str]] = []
    for site, beds in sites:
        occupied = [min(v, beds) for v in _walk(rng, beds * 0.96, 4, beds * 0.85)]
        series += [
            (site, "ambulance-handover-mean", _walk(rng, 38, 6, 8), "ambulance service"),
            (
                site,
                "ambulance-handovers-over-60",
                [float(v) for v in np.cumsum(rng.poisson(0.6, STEPS))],
                "ambulance service",
            ),
            (site, "beds-ga-occupied", occupied, "bed board"),
            (site, "beds-ga-free", [beds - v for v in occupied], "bed board"),
        ]
    series += [
        (icb, "gp-appointments-same-day", _walk(rng, 2100, 120, 0), "GP appointments feed"),
        (icb, "gp-appointments-next-day", _walk(rng, 5200, 150, 0), "GP appointments feed"),
    ]
    rows = []
    for org, code, values, source in series:
        for when, value in zip(times, values, strict=True):
            rows.append(FeedRow(len(rows) + 1, org.code, code, value, when, source))
    return rows


def load(*, leader: Actor, trust: Organisation, councils: list[str]) -> None:
    """Set up the live view for the leader's ICB (the demo's councils and trust under it)."""
    icb = leader.organisation
    codes = [code_for_name(name) for name in councils]
    Organisation.objects.filter(kind=OrganisationKind.COUNCIL, code__in=codes).update(parent=icb)
    if trust.parent_id != icb.pk:
        trust.parent = icb
        trust.save(update_fields=["parent"])
    sites = _sites(trust)
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, (amber, red) in TRIGGER_LEVELS.items():
        services.set_trigger_levels(
            actor=leader,
            indicator=indicators[code],
            amber=amber,
            red=red,
            reason="demo: the ICB's winter levels",
        )
    rows = _rows(icb, sites, np.random.default_rng(SEED))
    result = services.record_readings(actor=leader, rows=rows, problems=[], via="demo")
    if not result.ok:
        raise RuntimeError(f"demo readings refused: {result.problems[0].reason}")

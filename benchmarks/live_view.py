"""Benchmark: the live whole-system view of the largest ICB in an England-scale database.

Builds England's shape in a temporary SQLite database: 42 ICBs, 130 trusts with 265 hospital
sites, 150 councils, 30,500 care locations with 40,000 offers and their latest capacity
reports, 13,000 people not meeting the criteria to reside with their delays, and a week of
readings every 30 minutes (beds and ambulance handovers per site, GP appointments per ICB:
about 300,000). The ICB timed is the largest (10 trusts, 25 sites, 10 councils).

Times the real page through the Django test client against the obvious first version of the
same page: a query per organisation and indicator for its readings, every open case and
every offer loaded and counted in Python. Exits 1 if the two disagree on any figure.

Run: .venv/bin/python benchmarks/live_view.py [--repeats 30]"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import setup_django, timed_ms

ICBS, TRUSTS, SITES_PER_TRUST, COUNCILS = 42, 130, 2, 150
LOCATIONS, OPEN_CASES = 30_500, 13_000
STEP_MINUTES, DAYS = 30, 7


def _england(rng):
    """England's organisations, directory, caseload and readings; returns the big ICB."""
    from django.contrib.auth import get_user_model

    from homeward.cases.models import (
        Attribution,
        CaseState,
        CodeList,
        DelayEpisode,
        DischargeCase,
        Patient,
        ReferenceCode,
    )
    from homeward.core import clock
    from homeward.core.models import Membership, Organisation, OrganisationKind, Role
    from homeward.directory.models import CapacityReport, CapacitySource, Location, ServiceOffer
    from homeward.live.models import Indicator, Reading, TriggerLevel

    now = clock.now()
    Org = Organisation
    icbs = Org.objects.bulk_create(
        [Org(kind=OrganisationKind.ICB, code=f"Q{i:02d}", name=f"ICB {i}") for i in range(ICBS)]
    )
    # The largest ICB has 10 trusts and 10 councils; the rest share the others round-robin.
    trust_icb = [icbs[0]] * 10 + [icbs[1 + i % (ICBS - 1)] for i in range(TRUSTS - 10)]
    trusts = Org.objects.bulk_create(
        [
            Org(kind=OrganisationKind.TRUST, code=f"T{i:03d}", name=f"Trust {i}", parent=icb)
            for i, icb in enumerate(trust_icb)
        ]
    )
    # Two sites a trust; five of the largest ICB's trusts have three.
    sites = Org.objects.bulk_create(
        [
            Org(kind=OrganisationKind.SITE, code=f"{t.code}{s}", name=f"Site {t.code}{s}", parent=t)
            for i, t in enumerate(trusts)
            for s in range(3 if i < 5 else SITES_PER_TRUST)
        ]
    )
    councils = list(Org.objects.filter(kind=OrganisationKind.COUNCIL).order_by("code"))
    for i, council in enumerate(councils):
        council.parent = icbs[0] if i < 10 else icbs[1 + i % (ICBS - 1)]
    Org.objects.bulk_update(councils, ["parent"])

    user = get_user_model().objects.create_user("leader")
    Membership.objects.create(user=user, organisation=icbs[0], role=Role.SYSTEM_LEADER)

    # Directory: locations across every council, offers and their latest reports.
    providers = Org.objects.bulk_create(
        [Org(kind=OrganisationKind.PROVIDER, code=f"1-{i}", name=f"P{i}") for i in range(8000)]
    )
    locations = Location.objects.bulk_create(
        [
            Location(
                cqc_id=f"1-9{i:08d}",
                provider=providers[i % len(providers)],
                council=councils[i % len(councils)],
                name=f"Location {i}",
                care_home=i % 2 == 0,
                beds=40 if i % 2 == 0 else None,
                rating="Good",
            )
            for i in range(LOCATIONS)
        ],
        batch_size=5000,
    )
    bed_types = ["residential", "nursing", "residential-dementia", "nursing-dementia", "d2a-bed"]
    offers = []
    for i, loc in enumerate(locations):
        if loc.care_home:
            offers.append(ServiceOffer(location=loc, care_type_id=bed_types[i % len(bed_types)]))
            if i % 4 == 0:
                offers.append(ServiceOffer(location=loc, care_type_id="respite"))
        else:
            offers.append(ServiceOffer(location=loc, care_type_id="home-care", area="area"))
            if i % 3 == 1:
                offers.append(ServiceOffer(location=loc, care_type_id="reablement", area="area"))
    offers = ServiceOffer.objects.bulk_create(offers, batch_size=5000)
    reports = []
    for offer in offers:
        age = float(rng.uniform(0.1, 20) if rng.random() < 0.7 else rng.uniform(26, 120))
        bed = offer.care_type_id not in ("home-care", "reablement")
        reports.append(
            CapacityReport(
                offer=offer,
                beds_free=int(rng.poisson(1.2)) if bed else None,
                hours_free=None if bed else int(rng.choice([0, 7, 14, 21, 35])),
                closed_to_admissions=bool(rng.random() < 0.05),
                reported_at=now - timedelta(hours=age),
                source=CapacitySource.DEMO,
            )
        )
    reports = CapacityReport.objects.bulk_create(reports, batch_size=5000)
    for offer, report in zip(offers, reports, strict=True):
        offer.latest_report = report
    ServiceOffer.objects.bulk_update(offers, ["latest_report"], batch_size=5000)

    # Caseload: people not meeting the criteria to reside, most with a primary delay.
    today = now.date()
    patients = Patient.objects.bulk_create(
        [
            Patient(nhs_number=f"999{i:07d}", given_name="A", family_name=f"P{i}")
            for i in range(OPEN_CASES)
        ],
        batch_size=5000,
    )
    pathways = list(ReferenceCode.objects.filter(list=CodeList.PATHWAY))
    reasons = list(ReferenceCode.objects.filter(list=CodeList.DELAY_REASON))
    cases = DischargeCase.objects.bulk_create(
        [
            DischargeCase(
                patient=p,
                trust=trusts[i % len(trusts)],
                council=councils[i % len(councils)],
                admission_date=today - timedelta(days=120),
                discharge_ready_date=today - timedelta(days=min(int(rng.exponential(6)), 100)),
                pathway=pathways[i % len(pathways)] if i % 9 else None,
                state=CaseState.AWAITING_PROVISION,
            )
            for i, p in enumerate(patients)
        ],
        batch_size=5000,
    )
    DelayEpisode.objects.bulk_create(
        [
            DelayEpisode(
                case=c,
                reason=reasons[int(rng.integers(len(reasons)))],
                attribution=Attribution.SOCIAL_CARE,
                primary=True,
                started_at=now - timedelta(days=2),
                recorded_by=user,
            )
            for i, c in enumerate(cases)
            if i % 5
        ],
        batch_size=5000,
    )

    # A week of readings every 30 minutes.
    steps = DAYS * 24 * 60 // STEP_MINUTES
    times = [now - timedelta(minutes=STEP_MINUTES * k) for k in range(steps)]
    readings = []
    per_site = ("beds-ga-occupied", "beds-ga-free", "ambulance-handover-mean")
    per_icb = ("gp-appointments-same-day", "gp-appointments-next-day")
    series = [(s, code) for s in sites for code in per_site]
    series += [(icb, code) for icb in icbs for code in per_icb]
    for org, code in series:
        values = rng.integers(5, 900, size=steps)
        readings += [
            Reading(
                organisation=org,
                indicator_id=code,
                value=float(v),
                measured_at=t,
                recorded_at=now,
                source="bench",
                recorded_by=user,
            )
            for t, v in zip(times, values, strict=True)
        ]
    Reading.objects.bulk_create(readings, batch_size=10000)
    for code, (amber, red) in {
        "ambulance-handover-mean": (30, 60),
        "beds-ga-free": (25, 10),
        "people-not-meeting-ctr": (900, 1200),
        "care-home-beds-free": (400, 200),
    }.items():
        TriggerLevel.objects.create(
            area=icbs[0],
            indicator=Indicator.objects.get(code=code),
            amber=amber,
            red=red,
            set_by=user,
            set_at=now,
        )
    return user, len(readings), len(offers)


def naive_live_view(actor):
    """The obvious first version: a query per series, cases and offers counted in Python."""
    from django.utils import timezone

    from homeward.cases import rules
    from homeward.cases.models import OPEN_STATES, DelayEpisode
    from homeward.cases.queries import visible_cases
    from homeward.core import clock
    from homeward.directory.models import ServiceOffer
    from homeward.directory.queries import is_available, is_fresh
    from homeward.live import board, queries
    from homeward.live.models import Indicator, Reading
    from homeward.measures import live
    from homeward.measures.drd import BANDS
    from homeward.planning.forecast import daily_counts, forecast_pathways
    from homeward.scenarios.queries import FORECAST_PATHWAYS, HISTORY_DAYS

    area = queries.viewer(actor)
    now = clock.now()
    today = timezone.localtime(now).date()
    orgs = sorted(
        queries.area_organisations(area), key=lambda o: (o.kind != area.kind, o.kind, o.name)
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    levels = board._triggers(area)
    series = {}
    for org in orgs:
        for code in indicators:
            found = list(
                Reading.objects.filter(
                    organisation=org, indicator_id=code, measured_at__gte=now - board.HISTORY
                ).order_by("-measured_at")[: board.POINTS]
            )
            if found:
                series[(org.pk, code)] = found
    cases = list(
        visible_cases(actor)
        .filter(state__in=OPEN_STATES, discharge_ready_date__isnull=False)
        .select_related("pathway")
    )
    waits = [rules.waiting_days(c.discharge_ready_date, today) for c in cases]
    bands = []
    for name, low, high in [("0", 0, 0), *BANDS]:
        label = "Ready today" if name == "0" else f"{name} day{'s' if name != '1' else ''}"
        bands.append((label, sum(1 for w in waits if w >= low and (high is None or w <= high))))
    by_reason: dict = {}
    for c in cases:
        for d in DelayEpisode.objects.filter(case=c, ended_at=None, primary=True).select_related(
            "reason"
        ):
            by_reason.setdefault((d.reason.code, d.reason.label), set()).add(c.pk)
    by_pathway: dict = {}
    for c, w in zip(cases, waits, strict=True):
        key = (c.pathway.code, c.pathway.label) if c.pathway else ("", "No pathway recorded")
        people, over = by_pathway.get(key, (0, 0))
        by_pathway[key] = (people + 1, over + (w >= board.LONG_WAIT_DAYS))
    councils = [o for o in orgs if o.kind == "council"]
    capacity: dict = {}
    for offer in ServiceOffer.objects.filter(
        active=True, location__active=True, location__council__in=councils
    ).select_related("care_type", "latest_report", "location"):
        row = capacity.setdefault(offer.care_type, [0.0, 0, 0, None])
        row[1] += 1
        if is_fresh(offer, now):
            row[2] += 1
        if is_available(offer, now):
            row[0] += float(offer.latest_report.amount or 0)
        if offer.latest_report and (row[3] is None or offer.latest_report.reported_at > row[3]):
            row[3] = offer.latest_report.reported_at
    capacity_rows = [
        board.CapacityRow(
            care_type=ct.code,
            name=ct.name,
            bed_based=ct.bed_based,
            free_now=free,
            offers=n,
            fresh=fresh,
            newest=live.age(newest, now, timedelta(hours=ct.stale_after_hours)) if newest else None,
        )
        for ct, (free, n, fresh, newest) in sorted(
            capacity.items(), key=lambda kv: (kv[0].sort_order, kv[0].code)
        )
    ]
    yesterday = today - timedelta(days=1)
    first = yesterday - timedelta(days=HISTORY_DAYS - 1)
    history: dict = {}
    for c in visible_cases(actor).select_related("pathway"):
        ready, code = c.discharge_ready_date, c.pathway.code if c.pathway else ""
        if code in FORECAST_PATHWAYS and ready and first <= ready <= yesterday:
            history.setdefault(code, []).append(ready)
    counts = {p: daily_counts(days, first, yesterday) for p, days in history.items()}
    figures = board._worked_out(
        indicators, levels, len(cases), bands, capacity_rows, bool(councils)
    )
    figures += board._fed_figures(list(indicators.values()), orgs, series, levels, now)
    return board.LiveView(
        area=area,
        now=now,
        figures=figures,
        beds=board._beds(orgs, series, indicators, now),
        waiting=len(cases),
        bands=bands,
        longest_wait_days=max(waits, default=None),
        by_reason=sorted(
            (board.Tally(code, label, len(ids)) for (code, label), ids in by_reason.items()),
            key=lambda t: (-t.people, t.code),
        ),
        by_pathway=sorted(
            (board.Tally(c, label, n, o) for (c, label), (n, o) in by_pathway.items()),
            key=lambda t: t.code,
        ),
        capacity=capacity_rows,
        councils=[c.name for c in councils],
        forecast_to=yesterday,
        forecasts=forecast_pathways(counts, yesterday),
    )


def _figures(view) -> tuple:
    """Everything a person reads on the page, without the ages (measured a moment apart)."""
    return (
        [(f.indicator.code, f.where, f.value, f.status.words, f.history) for f in view.figures],
        [(b.site, b.occupied, b.free) for b in view.beds],
        view.waiting,
        view.bands,
        view.longest_wait_days,
        [vars(t) for t in view.by_reason],
        [vars(t) for t in view.by_pathway],
        [(c.care_type, c.free_now, c.offers, c.fresh) for c in view.capacity],
        view.councils,
        view.forecast_to,
        {p: f.to_dict() for p, f in sorted(view.forecasts.items())},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "live.sqlite3")
        import numpy as np
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from homeward.core.access import actor_for
        from homeward.live import board

        started = time.perf_counter()
        user, n_readings, n_offers = _england(np.random.default_rng(20261128))
        print(
            f"built England ({n_readings:,} readings, {n_offers:,} offers, "
            f"{OPEN_CASES:,} open cases) in {time.perf_counter() - started:.0f} s"
        )
        actor = actor_for(user)
        ours = board.live_view(actor)
        theirs = naive_live_view(actor)
        same = _figures(ours) == _figures(theirs)
        print(
            f"largest ICB: {len(ours.beds)} sites with beds, {len(ours.councils)} councils, "
            f"{ours.waiting:,} people waiting, {len(ours.figures)} indicator rows"
        )

        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/live/").status_code == 200
        print(f"queries for the page: {len(captured.captured_queries)}")
        page = timed_ms(lambda: client.get("/live/"), args.repeats)

        real = board.live_view
        board.live_view = naive_live_view
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/live/").status_code == 200
        print(f"queries for the naive page: {len(captured.captured_queries)}")
        baseline = timed_ms(lambda: client.get("/live/"), max(3, args.repeats // 5))
        board.live_view = real
        api = timed_ms(lambda: client.get("/api/v1/live"), args.repeats)
    p50, p95 = statistics.median(page), sorted(page)[int(len(page) * 0.95) - 1]
    print(f"live view page p50 {p50:.0f} ms, p95 {p95:.0f} ms (target < 300 ms)")
    print(f"GET /api/v1/live p50 {statistics.median(api):.0f} ms")
    print(f"naive page p50 {statistics.median(baseline):.0f} ms")
    if not same:
        print("MISMATCH: the page and the naive version disagree", file=sys.stderr)
        return 1
    print(f"live view p50: {p50:.0f} ms ({statistics.median(baseline) / p50:.1f}x vs naive page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

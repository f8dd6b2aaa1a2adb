"""Benchmark: the directory search page (/directory/) at England scale on SQLite.

Builds a temporary SQLite database holding the generated England directory (~30,500
locations), the ONS outcode centroids and one capacity report per service offer (seeded mix of
fresh, stale and closed figures, some with an older report behind the latest), signs in a
discharge coordinator and requests the real search page through `django.test.Client` for a fixed
set of realistic queries. Baseline, in the same run and through the same page: the approach a
person writes first, loading every active location with its offers and latest reports into
Python and filtering and sorting there (`queries.search` is swapped for it while it is timed).

Run: .venv/bin/python benchmarks/directory_search.py [--repeats 15] [--baseline-repeats 1]
     [--baseline-stride 2]
The naive page costs ~10 s a request, almost all of it loading the directory whatever the
query, so by default it is timed once on every other query (7 of 13, every kind of filter);
the ratio compares p95 page times.
Target: every page < 300 ms. Exits 1 if, for any query, `queries.search` and the naive filter
disagree on the page of location IDs (order included) or on the total, or a page does not
answer 200 with that total."""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import numpy as np
from common import setup_django

SEED = 20261127
PAGE_SIZE = 50
TARGET_MS = 300.0

# (label, GET parameters of the search form). Councils: Kent E10000016, Birmingham E08000025.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("landing page (no filters)", {}),
    ("council Kent", {"council": "E10000016"}),
    ("council Kent, page 3", {"council": "E10000016", "page": "3"}),
    ("council Birmingham + available", {"council": "E08000025", "available_now": "on"}),
    ("nursing-dementia + available", {"care_type": "nursing-dementia", "available_now": "on"}),
    ("specialism Dementia + Good", {"specialism": "Dementia", "rating": "Good"}),
    ("available now, page 3", {"available_now": "on", "page": "3"}),
    ("M33 within 10 km", {"postcode": "M33", "radius": "10"}),
    ("M33 within 40 km + available", {"postcode": "M33", "radius": "40", "available_now": "on"}),
    ("LS1 within 10 km + available", {"postcode": "LS1", "radius": "10", "available_now": "on"}),
    ("LS1 within 40 km", {"postcode": "LS1", "radius": "40"}),
    ("B15 within 40 km, page 3", {"postcode": "B15", "radius": "40", "page": "3"}),
    ("name contains 'Lodge'", {"name": "Lodge"}),
]


# --------------------------------------------------------------------------- setup


def _load_directory(csv_path: Path) -> dict:
    from homeward.core.access import SYSTEM
    from homeward.core.postcode_import import import_file
    from homeward.demo.generator import real_data_dir
    from homeward.directory.cqc import parse
    from homeward.directory.imports import import_parsed

    report = import_parsed(actor=SYSTEM, parsed=parse(csv_path), filename=csv_path.name)
    outcodes = import_file(real_data_dir() / "postcodes" / "outcode_centroids.csv")
    return {"locations": report.created, "outcodes": outcodes.stored}


def _seed_capacity(rng: np.random.Generator) -> dict:
    """Extra offers providers add, a few held-back and deregistered locations, and a capacity
    report for every offer (some with an older one behind it), all in bulk."""
    from django.db import transaction
    from django.db.models import OuterRef, Subquery

    from homeward.core import clock
    from homeward.directory.models import (
        CapacityReport,
        CapacitySource,
        CareType,
        ComplianceState,
        Location,
        ServiceOffer,
    )

    now = clock.now()
    with transaction.atomic():
        rows = list(Location.objects.order_by("pk").values_list("pk", "care_home", "council__name"))
        extra = []
        for pk, care_home, council_name in rows:
            if care_home:
                if rng.random() < 0.15:
                    extra.append(ServiceOffer(location_id=pk, care_type_id="d2a-bed"))
                if rng.random() < 0.25:
                    extra.append(ServiceOffer(location_id=pk, care_type_id="respite"))
            elif rng.random() < 0.2:
                extra.append(
                    ServiceOffer(location_id=pk, care_type_id="reablement", area=council_name or "")
                )
        ServiceOffer.objects.bulk_create(extra, batch_size=2000, ignore_conflicts=True)

        pks = np.array([pk for pk, _, _ in rows])
        held = rng.choice(pks, size=len(pks) // 100, replace=False).tolist()
        Location.objects.filter(pk__in=held).update(compliance=ComplianceState.UNDER_INVESTIGATION)
        gone = rng.choice(pks, size=len(pks) // 100, replace=False).tolist()
        Location.objects.filter(pk__in=gone).update(active=False, deactivated_at=now)
        offer_ids = np.array(ServiceOffer.objects.values_list("pk", flat=True))
        withdrawn = rng.choice(offer_ids, size=len(offer_ids) // 200, replace=False).tolist()
        ServiceOffer.objects.filter(pk__in=withdrawn).update(active=False)

        stale_after = dict(CareType.objects.values_list("code", "stale_after_hours"))
        bed_based = dict(CareType.objects.values_list("code", "bed_based"))
        offers = list(
            ServiceOffer.objects.order_by("pk").values_list("pk", "care_type_id", "location__beds")
        )
        reports = []
        for pk, code, beds in offers:
            limit = stale_after[code]
            # Fresh figures stay under 90% of the threshold and stale ones above 105%, so no
            # offer changes state while the benchmark runs.
            if rng.random() < 0.65:
                age = float(rng.uniform(0.01, 0.9)) * limit
            else:
                age = float(rng.uniform(1.05, 5.0)) * limit
            ages = [age]
            if rng.random() < 0.3:  # an older report the latest one replaced
                ages.append(age + float(rng.uniform(1, 96)))
            for a in ages:
                if bed_based[code]:
                    figure = {"beds_free": int(min(beds or 40, rng.poisson(1.2)))}
                else:
                    figure = {"hours_free": Decimal(int(rng.choice([0, 0, 7, 10, 14, 21, 35])))}
                reports.append(
                    CapacityReport(
                        offer_id=pk,
                        closed_to_admissions=bool(rng.random() < 0.06),
                        reported_at=now - timedelta(hours=a),
                        source=CapacitySource.DEMO,
                        **figure,
                    )
                )
        CapacityReport.objects.bulk_create(reports, batch_size=2000)
        newest = CapacityReport.objects.filter(offer=OuterRef("pk")).order_by("-reported_at", "-id")
        ServiceOffer.objects.update(latest_report=Subquery(newest.values("id")[:1]))
    return {"offers": len(offers), "reports": len(reports)}


def _user():
    from django.contrib.auth import get_user_model

    from homeward.core.models import Membership, Organisation, OrganisationKind, Role

    trust, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.TRUST,
        code="R0A",
        defaults={"name": "Manchester University NHS Foundation Trust", "region": "North West"},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-coordinator")
    Membership.objects.get_or_create(user=user, organisation=trust, role=Role.DISCHARGE_COORDINATOR)
    return user


# --------------------------------------------------------------------------- criteria


def _criteria(params: dict[str, str]):
    """The criteria and offset the search view derives from these GET parameters."""
    from homeward.core.postcodes import locate
    from homeward.directory.queries import Criteria

    near, radius = None, None
    if params.get("postcode") and params.get("radius"):
        position = locate(params["postcode"])
        near, radius = (position.lat, position.lon), float(params["radius"])
    criteria = Criteria(
        council=params.get("council", ""),
        care_type=params.get("care_type", ""),
        specialism=params.get("specialism", ""),
        rating=params.get("rating", ""),
        available_now=bool(params.get("available_now")),
        name=params.get("name", ""),
        near=near,
        radius_km=radius,
    )
    return criteria, (int(params.get("page", 1)) - 1) * PAGE_SIZE


# --------------------------------------------------------------------------- naive baseline


def naive_load() -> list:
    """Every active location with its council, provider, offers and latest reports."""
    from django.db.models import Prefetch

    from homeward.directory.models import Location, ServiceOffer

    offers = ServiceOffer.objects.select_related("care_type", "latest_report").order_by(
        "care_type__sort_order", "area"
    )
    return list(
        Location.objects.filter(active=True)
        .select_related("council", "provider")
        .prefetch_related(Prefetch("offers", queryset=offers))
    )


def naive_search(actor, criteria, *, offset: int = 0, limit: int = 50, locations=None):
    """The first approach: load everything (`naive_load`), then filter and sort in Python."""
    from homeward.core import clock
    from homeward.directory.models import HELD_BACK_STATES, CareType, ComplianceState, Rating
    from homeward.directory.queries import SearchResult, distance_km

    if locations is None:
        locations = naive_load()
    now = clock.now()
    stale_after = dict(CareType.objects.values_list("code", "stale_after_hours"))

    def put_forward(loc) -> bool:
        if loc.compliance == ComplianceState.CLEARED:
            return True
        return (
            not loc.dormant
            and loc.rating != Rating.INADEQUATE
            and loc.compliance not in HELD_BACK_STATES
        )

    def available(loc, offer) -> bool:
        r = offer.latest_report
        return (
            r is not None
            and not r.closed_to_admissions
            and ((r.beds_free or 0) > 0 or (r.hours_free or 0) > 0)
            and r.reported_at >= now - timedelta(hours=stale_after[offer.care_type_id])
            and put_forward(loc)
        )

    name = criteria.name.lower()
    radius = criteria.near is not None and criteria.radius_km
    found = []
    for loc in locations:
        if criteria.council and (loc.council is None or loc.council.code != criteria.council):
            continue
        if criteria.rating and loc.rating != criteria.rating:
            continue
        if criteria.specialism and criteria.specialism.lower() not in {
            s.lower() for s in loc.specialisms
        }:
            continue
        if name and name not in loc.name.lower():
            continue
        if (criteria.care_type or criteria.available_now) and not any(
            o.active
            and (not criteria.care_type or o.care_type_id == criteria.care_type)
            and (not criteria.available_now or available(loc, o))
            for o in loc.offers.all()
        ):
            continue
        if radius:
            if loc.lat is None or loc.lon is None:
                continue
            d = distance_km(*criteria.near, loc.lat, loc.lon)
            if d > criteria.radius_km:
                continue
            found.append(((d, loc.pk), loc, d))
        else:
            found.append(((loc.name, loc.pk), loc, None))
    found.sort(key=lambda item: item[0])
    page = found[offset : offset + limit]
    return SearchResult(
        locations=[loc for _, loc, _ in page],
        total=len(found),
        distances={loc.pk: d for _, loc, d in page} if radius else {},
    )


# --------------------------------------------------------------------------- measuring


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _time_page(client, url: str, params: dict, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}?{params} answered {response.status_code}")
    return times


def _slowest_sql(client, url: str, params: dict) -> tuple[int, float, str]:
    """Statement count, and the slowest statement's time (ms) and SQL, for one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params)
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    return len(ctx.captured_queries), float(slowest["time"]) * 1000, slowest["sql"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15, help="timed requests per query")
    parser.add_argument(
        "--baseline-repeats",
        type=int,
        default=1,
        help="timed naive requests per baseline query (each loads the whole directory, ~10 s)",
    )
    parser.add_argument(
        "--baseline-stride",
        type=int,
        default=2,
        help="time the naive page on every Nth query (2: 7 of the 13; 1: all, ~2 min more)",
    )
    parser.add_argument("--show-sql", action="store_true", help="print each slowest statement")
    args = parser.parse_args()

    from homeward.demo.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        csv_path = generate(tmp_path, seed=SEED)
        print(f"generated England directory in {time.perf_counter() - started:.1f} s")
        setup_django(tmp_path / "search.sqlite3")
        return _bench(args, csv_path)


def _bench(args, csv_path: Path) -> int:
    from django.test import Client
    from django.urls import reverse

    from homeward.core.access import actor_for
    from homeward.directory import queries

    started = time.perf_counter()
    loaded = _load_directory(csv_path)
    seeded = _seed_capacity(np.random.default_rng(SEED))
    user = _user()
    print(
        f"loaded {loaded['locations']:,} locations, {loaded['outcodes']:,} outcodes, "
        f"{seeded['offers']:,} offers, {seeded['reports']:,} capacity reports "
        f"in {time.perf_counter() - started:.1f} s"
    )
    actor = actor_for(user)
    client = Client()
    client.force_login(user)
    url = reverse("directory:search")

    # Correctness: the SQL search and the naive filter agree, and the page shows that total.
    # The naive side loads once here; its timed runs below load on every request.
    failures = []
    totals = {}
    everything = naive_load()
    for label, params in QUERIES:
        criteria, offset = _criteria(params)
        ours = queries.search(actor, criteria, offset=offset, limit=PAGE_SIZE)
        naive = naive_search(actor, criteria, offset=offset, limit=PAGE_SIZE, locations=everything)
        got = [loc.pk for loc in ours.locations]
        want = [loc.pk for loc in naive.locations]
        totals[label] = ours.total
        if ours.total != naive.total or got != want:
            detail = "same IDs, different order" if set(got) == set(want) else "different IDs"
            failures.append(
                f"{label}: total {ours.total} vs naive {naive.total}; page {detail} "
                f"({len(set(got) - set(want))} only in search, "
                f"{len(set(want) - set(got))} only in naive)"
            )
        if not ours.locations:
            print(f"warning: {label} returns an empty page", file=sys.stderr)
        response = client.get(url, params)
        if response.status_code != 200 or f"<strong>{ours.total:,}</strong>" not in (
            response.content.decode()
        ):
            failures.append(f"{label}: page answered {response.status_code} without the total")

    # Timing (the requests above warmed templates and caches): the page and queries.search
    # alone, interleaved, then the naive page.
    rows = []
    ours_all, naive_all = [], []
    for i, (label, params) in enumerate(QUERIES):
        criteria, offset = _criteria(params)
        page_ms, search_ms = [], []
        for _ in range(args.repeats):  # interleaved, so load from elsewhere hits both alike
            page_ms += _time_page(client, url, params, 1)
            t0 = time.perf_counter()
            queries.search(actor, criteria, offset=offset, limit=PAGE_SIZE)
            search_ms.append((time.perf_counter() - t0) * 1000)
        n_sql, slow_ms, slow_sql = _slowest_sql(client, url, params)
        naive_ms = []
        if i % args.baseline_stride == 0:
            with mock.patch.object(queries, "search", naive_search):
                naive_ms = _time_page(client, url, params, args.baseline_repeats)
        ours_all += page_ms
        naive_all += naive_ms
        rows.append(
            (
                label,
                totals[label],
                statistics.median(page_ms),
                max(page_ms),
                statistics.median(search_ms),
                n_sql,
                slow_ms,
                statistics.median(naive_ms) if naive_ms else None,
                slow_sql,
            )
        )

    head = (
        f"{'query':<34} {'total':>6} {'page p50':>9} {'page max':>9} {'search()':>9} "
        f"{'SQL':>4} {'slowest':>8} {'naive p50':>10} {'ratio':>7}"
    )
    print()
    print(head)
    print("-" * len(head))
    for label, total, p50, worst, search, n_sql, slow, naive, _ in rows:
        print(
            f"{label:<34} {total:>6,} {p50:>7.1f}ms {worst:>7.1f}ms {search:>7.1f}ms "
            f"{n_sql:>4} {slow:>6.1f}ms "
            + (f"{naive:>8.0f}ms {naive / p50:>6.1f}x" if naive else f"{'-':>10} {'-':>7}")
        )
    print("-" * len(head))
    print(
        "page times in ms; 'search()' is queries.search alone; 'SQL' statements per page and "
        f"the slowest one's time; {args.repeats} timed requests per query, "
        f"naive {args.baseline_repeats} on {sum(r[7] is not None for r in rows)} of {len(rows)}"
    )
    if args.show_sql:
        for label, *_, sql in rows:
            print(f"\n{label}: slowest statement\n  {sql}")

    p50, p95 = _percentile(ours_all, 50), _percentile(ours_all, 95)
    n50, n95 = _percentile(naive_all, 50), _percentile(naive_all, 95)
    slow_pages = [r[0] for r in rows if r[2] >= TARGET_MS]
    print(f"\nsearch page: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(ours_all)} requests")
    print(f"naive page:  p50 {n50:.0f} ms, p95 {n95:.0f} ms over {len(naive_all)} requests")
    if slow_pages:
        print(f"TARGET MISSED (< {TARGET_MS:.0f} ms per page): {', '.join(slow_pages)}")
    else:
        print(f"target met: every page's median < {TARGET_MS:.0f} ms")
    for failure in failures:
        print(f"MISMATCH: {failure}", file=sys.stderr)
    print(f"directory search p95: {p95:.0f} ms ({n95 / p95:.1f}x vs naive Python filtering)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

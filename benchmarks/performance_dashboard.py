"""Benchmark: the performance dashboard page for every council over 105 months.

Imports 105 generated months (April 2011 - December 2019) of England-scale DTOC workbooks
(the generator of benchmarks/dtoc_import.py), a population estimate per council and year, and
a trajectory for every council and month, then times the real page through the Django test
client (one council chosen, all 105 months: headline, month table, reasons, peers, the full
league table with trajectories, and the Homeward-case section) against the obvious first
version of its figures: each council's measures read from its stored figure rows, two queries
a council (`performance.queries.dtoc_measures`), without even rendering. Exits 1 unless that
baseline gives every council the same measures as the page's league table.

Run: .venv/bin/python benchmarks/performance_dashboard.py [--months 105] [--repeats 15]"""

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import setup_django, timed_ms
from dtoc_import import FIRST, NON_ENGLISH, month_sheets

from homeward.core.councils import reference
from homeward.measures.definitions import months

AREA = "E08000009"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=105)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20110401)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    setup_django(Path(tmp.name) / "dashboard.sqlite3")
    from django.contrib.auth import get_user_model
    from django.test import Client

    from homeward.core import clock
    from homeward.core.access import SYSTEM
    from homeward.core.models import Membership, Organisation, OrganisationKind, Role
    from homeward.measures.dtoc import parse_sheets
    from homeward.performance.dashboard import Filter, build
    from homeward.performance.models import PopulationEstimate
    from homeward.performance.queries import dtoc_measures
    from homeward.performance.services import import_dtoc_workbook, upload_trajectory

    rng = np.random.default_rng(args.seed)
    councils = reference()
    weights = rng.lognormal(0.0, 0.7, len(councils) + len(NON_ENGLISH))
    offset = FIRST.month - 1 + args.months - 1
    periods = months(FIRST, dt.date(FIRST.year + offset // 12, offset % 12 + 1, 1))
    started = time.perf_counter()
    for p in periods:
        workbook = parse_sheets(f"{p:%b_%y}.xlsx", month_sheets(p, rng, weights))
        import_dtoc_workbook(actor=SYSTEM, workbook=workbook)
    now = clock.now()
    PopulationEstimate.objects.bulk_create(
        PopulationEstimate(
            year=year,
            area_code=code,
            name=name,
            all_ages=int(w * 400_000),
            adults_18_plus=int(w * 310_000),
            source="generated",
            imported_at=now,
        )
        for year in range(FIRST.year, periods[-1].year + 1)
        for (code, name, _), w in zip(councils, weights[: len(councils)], strict=True)
    )
    lines = ["area_code,month,target_per_100k"] + [
        f"{code},{p:%Y-%m},{rng.uniform(2, 12):.2f}" for code, _, _ in councils for p in periods
    ]
    report = upload_trajectory(
        actor=SYSTEM, source="trajectory.csv", data="\n".join(lines).encode()
    )
    print(
        f"stored {len(periods)} months x {len(councils)} councils, their population and "
        f"{report.stored:,} trajectory targets in {time.perf_counter() - started:.1f} s"
    )

    council = Organisation.objects.get(kind=OrganisationKind.COUNCIL, code=AREA)
    user = get_user_model().objects.create_user("analyst")
    Membership.objects.create(user=user, organisation=council, role=Role.ANALYST)
    client = Client()
    client.force_login(user)
    first, last = periods[0], periods[-1]
    params = {"area": AREA, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}

    def page():
        response = client.get("/performance/", params)
        assert response.status_code == 200, response.status_code

    page()
    ours = timed_ms(page, args.repeats)
    board = build(Filter(AREA, first, last))
    codes = [r.code for r in board.league]

    def naive():
        return {code: dtoc_measures(code, first, last) for code in codes}

    found = {}
    baseline = timed_ms(lambda: found.update(naive()), args.baseline_repeats)
    same = all(found[r.code].as_dict() == r.measures.as_dict() for r in board.league)
    p50, p95 = statistics.median(ours), float(np.percentile(ours, 95))
    base = statistics.median(baseline)
    print(
        f"dashboard page, {len(codes)} councils x {len(periods)} months, {args.repeats} "
        f"requests: p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    print(
        f"per-council figure-row reads (no rendering), {args.baseline_repeats} runs: median "
        f"{base:.0f} ms; same measures for every council: {'yes' if same else 'NO'}"
    )
    print(f"performance dashboard p50: {p50:.0f} ms ({base / p50:.1f}x vs per-council reads)")
    tmp.cleanup()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the care transfer hub's waiting list with 2,000 open cases.

Times the real page (first page, longest wait first, and a wait-band filter) through the
Django test client against the obvious first version: one page rendering every open case.
Exits 1 if the paged list's first page differs from the top of the full list.

Run: .venv/bin/python benchmarks/hub_list.py [--cases 2000] [--repeats 15]"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import setup_django, timed_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "hub.sqlite3")
        import numpy as np
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from homeward.cases import queries
        from homeward.core.access import Actor
        from homeward.core.models import Membership, Organisation, Role
        from homeward.demo import caseload

        trust = Organisation.objects.create(kind="trust", code="R0A", name="Demo trust")
        users = {
            n: get_user_model().objects.create_user(n) for n in ("coordinator", "hub", "broker")
        }
        for user in users.values():
            Membership.objects.create(user=user, organisation=trust, role=Role.HUB_MEMBER)
        actor = Actor(users["coordinator"], trust, Role.HUB_MEMBER)
        started = time.perf_counter()
        caseload.load(
            actor=actor,
            trust=trust,
            users=users,
            rng=np.random.default_rng(7),
            open_cases=args.cases,
        )
        print(f"created {args.cases:,} open cases in {time.perf_counter() - started:.0f} s")

        client = Client()
        client.force_login(users["coordinator"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cases/").status_code == 200
        print(f"queries for one page: {len(captured.captured_queries)}")
        page = timed_ms(lambda: client.get("/cases/"), args.repeats)
        red = timed_ms(lambda: client.get("/cases/", {"rag": "red"}), args.repeats)

        paged = queries.hub_page(actor, queries.HubFilter())
        full = queries.hub_list(actor, queries.HubFilter())
        # The first version rendered every open case on one page: the real view, unpaged.
        real_page = queries.hub_page
        queries.hub_page = lambda a, f, page=1, size=100: real_page(a, f, page, size=10**6)

        def naive_page():
            assert client.get("/cases/").status_code == 200

        baseline = timed_ms(naive_page, max(3, args.repeats // 3))
        queries.hub_page = real_page
        same = [r.case.pk for r in paged.rows] == [r.case.pk for r in full[: len(paged.rows)]]
    p50, p95 = statistics.median(page), sorted(page)[int(len(page) * 0.95) - 1]
    print(f"hub list page p50 {p50:.0f} ms, p95 {p95:.0f} ms (target < 300 ms)")
    print(f"red band page p50 {statistics.median(red):.0f} ms")
    print(f"whole list on one page p50 {statistics.median(baseline):.0f} ms")
    if not same:
        print("MISMATCH: the first page is not the top of the full list", file=sys.stderr)
        return 1
    print(
        f"hub list p50: {p50:.0f} ms ({statistics.median(baseline) / p50:.1f}x vs whole list "
        "rendered on one page)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

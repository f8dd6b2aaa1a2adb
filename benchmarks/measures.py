"""Benchmark: one year of England-scale discharges (~3.6 million spells): all Discharge Ready Date
measures for the year, the same measures per council x month, and delayed days per council per
month, with the vectorised definitions in `homeward.measures.drd`; the baseline is a
plain-Python loop over the same rows.

Run: .venv/bin/python benchmarks/measures.py [--spells N] [--sample N] [--repeats N] [--seed S]
The data are generated in memory with a seeded NumPy generator: discharges spread over the
financial year 2024-25, ~55% discharged on their DRD, skewed delays up to 60+ days, 10% with no
DRD, every council weighted by a made-up population. The plain-Python loop runs on a random
sample (default 300,000 rows) and is scaled to the whole year by its time per row. Exits
non-zero unless the loop and the vectorised code give identical results on that sample."""

import argparse
import statistics
import sys
import time
from datetime import date

import common  # noqa: F401  (puts the project on the import path)
import numpy as np

from homeward.core.councils import reference  # pure: no Django
from homeward.measures.drd import (
    BANDS,
    DrdMeasures,
    delayed_days_by_period,
    drd_measures,
    drd_measures_by,
)

YEAR_START = np.datetime64("2024-04-01")
YEAR_END = np.datetime64("2025-03-31")
TARGET_S = 5.0


def generate(n: int, seed: int) -> dict[str, np.ndarray]:
    """One year of discharges: council number, DRD (NaT = not recorded), discharge date."""
    rng = np.random.default_rng(seed)
    n_councils = len(reference())
    weights = rng.lognormal(0.0, 0.6, n_councils)
    council = rng.choice(n_councils, size=n, p=weights / weights.sum()).astype(np.int16)
    days = int((YEAR_END - YEAR_START).astype(int)) + 1
    discharge = YEAR_START + rng.integers(0, days, n).astype("timedelta64[D]")
    delayed = rng.random(n) >= 0.55
    # Skewed: median about 4 days, a long tail past 60 days (capped at 200).
    delay = np.where(delayed, 1 + np.floor(rng.lognormal(1.2, 1.0, n)), 0)
    delay = np.minimum(delay, 200).astype("timedelta64[D]")
    drd = discharge - delay
    drd[rng.random(n) < 0.10] = np.datetime64("NaT")
    return {"council": council, "drd": drd, "discharge": discharge}


def month_starts() -> np.ndarray:
    return np.arange(YEAR_START, YEAR_END + 1, dtype="datetime64[M]").astype("datetime64[D]")


def vectorised(council: np.ndarray, drd: np.ndarray, discharge: np.ndarray) -> tuple:
    """Everything the benchmark measures, with the NumPy definitions; also the phase times."""
    t0 = time.perf_counter()
    year = drd_measures(drd, discharge)
    t1 = time.perf_counter()
    month = discharge.astype("datetime64[M]")
    by_council_month = drd_measures_by((council, month), drd, discharge)
    t2 = time.perf_counter()
    delayed = delayed_days_by_period(council, drd, discharge, month_starts(), YEAR_END)
    t3 = time.perf_counter()
    return (year, by_council_month, delayed.as_dict()), (t1 - t0, t2 - t1, t3 - t2)


def _slot(delay: int) -> int:
    for i, (_, low, high) in enumerate(BANDS, start=1):
        if delay >= low and (high is None or delay <= high):
            return i
    return 0


def plain_python(council: list, drd: list, discharge: list) -> tuple:
    """The same results from a plain loop over rows of Python ints (day numbers, None = no DRD)."""
    epoch = date(1970, 1, 1).toordinal()
    starts = [int(s) for s in month_starts().astype(np.int64)]
    start_dates = [date.fromordinal(s + epoch) for s in starts]
    end = int(YEAR_END.astype(np.int64)) + 1
    bounds = [*starts, end]
    year_people = [0] * (len(BANDS) + 1)
    year_bed = [0] * (len(BANDS) + 1)
    year_missing = 0
    groups: dict[tuple, list] = {}
    delayed: dict[int, list[int]] = {}
    for c, ready, left in zip(council, drd, discharge, strict=True):
        if ready is None:
            delay = 0
            year_missing += 1
        else:
            delay = left - ready
            if delay < 0:
                raise ValueError("discharged before the discharge ready date")
        slot = _slot(delay)
        year_people[slot] += 1
        year_bed[slot] += delay
        month = 0
        while left >= bounds[month + 1]:
            month += 1
        group = groups.setdefault((c, start_dates[month]), [[0] * 7, [0] * 7, 0])
        group[0][slot] += 1
        group[1][slot] += delay
        group[2] += ready is None
        per_month = delayed.setdefault(c, [0] * len(starts))
        if ready is not None:
            for m in range(len(starts)):
                days = min(left, bounds[m + 1]) - max(ready, bounds[m])
                if days > 0:
                    per_month[m] += days
    year = DrdMeasures.from_slots(year_people, year_bed, year_missing)
    by_group = {
        key: DrdMeasures.from_slots(people, bed, missing)
        for key, (people, bed, missing) in sorted(groups.items())
    }
    return year, by_group, dict(sorted(delayed.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spells", type=int, default=3_600_000, help="discharges in the year")
    parser.add_argument("--sample", type=int, default=300_000, help="rows for the Python loop")
    parser.add_argument("--repeats", type=int, default=5, help="timed vectorised runs")
    parser.add_argument("--seed", type=int, default=20240401)
    args = parser.parse_args()

    started = time.perf_counter()
    data = generate(args.spells, args.seed)
    council, drd, discharge = data["council"], data["drd"], data["discharge"]
    print(
        f"generated {args.spells:,} discharges (FY 2024-25, {len(reference())} councils, "
        f"12 months) in {time.perf_counter() - started:.1f} s"
    )

    runs, phases = [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        (year, by_council_month, delayed), phase = vectorised(council, drd, discharge)
        runs.append(time.perf_counter() - started)
        phases.append(phase)
    ours = statistics.median(runs)
    p = [statistics.median(x[i] for x in phases) for i in range(3)]

    m = year
    print(
        f"year: {m.discharges:,} discharges, {m.pct_discharged_on_drd:.1f}% on their DRD "
        f"({m.missing_drd:,} with none recorded), {m.pct_delayed:.1f}% delayed, "
        f"average {m.avg_delay_days_excl_zero:.2f} days excluding zero, "
        f"{m.delayed_bed_days:,} delayed bed days"
    )
    print(
        "bands (people / bed days): "
        + ", ".join(f"{k} {b.people:,}/{b.bed_days:,}" for k, b in m.delay_bands.items())
    )
    total_delayed = sum(sum(row) for row in delayed.values())
    print(
        f"{len(by_council_month):,} council x month groups; delayed days per council per month "
        f"for {len(delayed)} councils, {total_delayed:,} in the year (spans before April clipped)"
    )
    print(
        f"vectorised, whole year: median {ours:.3f} s of {args.repeats} runs "
        f"(year {p[0]:.3f} s, council x month {p[1]:.3f} s, delayed days per council per "
        f"month {p[2]:.3f} s)"
    )

    # Baseline: a plain-Python loop on a random sample of the same rows, scaled per row.
    n = min(args.sample, args.spells)
    rows = np.sort(np.random.default_rng(args.seed + 1).choice(args.spells, n, replace=False))
    s_council, s_drd, s_discharge = council[rows], drd[rows], discharge[rows]
    py_council = s_council.tolist()
    py_drd = [
        None if missing else value
        for missing, value in zip(
            np.isnat(s_drd).tolist(), s_drd.astype(np.int64).tolist(), strict=True
        )
    ]
    py_discharge = s_discharge.astype(np.int64).tolist()
    started = time.perf_counter()
    expected = plain_python(py_council, py_drd, py_discharge)
    loop_s = time.perf_counter() - started
    scaled = loop_s * args.spells / n
    started = time.perf_counter()
    got, _ = vectorised(s_council, s_drd, s_discharge)
    sample_s = time.perf_counter() - started
    print(
        f"plain-Python loop: {n:,}-row sample in {loop_s:.2f} s = {loop_s / n * 1e6:.1f} us/row, "
        f"scaled to {args.spells:,} rows: {scaled:.1f} s (vectorised on the same sample: "
        f"{sample_s:.3f} s, {loop_s / sample_s:.1f}x)"
    )

    failures = []
    names = ("year measures", "measures per council x month", "delayed days per council/month")
    for name, mine, theirs in zip(names, got, expected, strict=True):
        if mine != theirs:
            failures.append(name)
    if failures:
        print(f"MISMATCH on the sample: {', '.join(failures)}", file=sys.stderr)
    else:
        print(
            f"check: the loop and the vectorised code agree exactly on the {n:,}-row sample "
            f"(year, {len(got[1]):,} council x month groups, {len(got[2])} councils x 12 months)"
        )
    print(
        f"target <= {TARGET_S:.0f} s for the year: {'met' if ours <= TARGET_S else 'MISSED'}; "
        f"baseline time scaled per row from the {n:,}-row sample"
    )
    print(f"measures year: {ours:.2f} s ({scaled / ours:.1f}x vs plain-Python loop)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

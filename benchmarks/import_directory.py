"""Benchmark: import the generated England directory (~30,500 HSCA rows) into an empty SQLite
database, then re-import it unchanged; baseline is a naive row-by-row ORM import.

Run: .venv/bin/python benchmarks/import_directory.py [--baseline-rows N]
The naive import is timed on the first N rows (default 3,000) of the same file in a separate
empty database and scaled to the whole file by its per-row time; the ratio compares whole-file
times. Exits non-zero if the two imports do not store the same locations for those rows."""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import setup_django


def _fingerprint(cqc_ids: list[str]) -> list:
    from homeward.directory.models import Location

    rows = Location.objects.filter(cqc_id__in=cqc_ids).order_by("cqc_id")
    return [(r.cqc_id, r.name, r.postcode, r.beds, r.rating, r.council_id) for r in rows]


def phase_fast(csv_path: Path, db_path: Path, sample: int) -> dict:
    setup_django(db_path)
    from homeward.core.access import SYSTEM
    from homeward.directory.cqc import parse
    from homeward.directory.imports import import_parsed

    started = time.perf_counter()
    first = import_parsed(actor=SYSTEM, parsed=parse(csv_path), filename=csv_path.name)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = import_parsed(actor=SYSTEM, parsed=parse(csv_path), filename=csv_path.name)
    again_s = time.perf_counter() - started
    ids = sorted(r.cqc_id for r in parse(csv_path).records)[:sample]
    return {
        "first_s": first_s,
        "again_s": again_s,
        "created": first.created,
        "unchanged": again.unchanged,
        "read": first.read,
        "fingerprint": _fingerprint(ids),
    }


def phase_naive(csv_path: Path, db_path: Path, sample: int) -> dict:
    """The obvious implementation: one get-or-create and save per row."""
    setup_django(db_path)
    from homeward.core.models import Organisation
    from homeward.directory.cqc import parse
    from homeward.directory.models import Location

    records = sorted(parse(csv_path).records, key=lambda r: r.cqc_id)[:sample]
    started = time.perf_counter()
    for r in records:
        provider, _ = Organisation.objects.get_or_create(
            kind="provider", code=r.provider_id, defaults={"name": r.provider_name}
        )
        council = Organisation.objects.filter(kind="council", code=r.council_code).first()
        Location.objects.update_or_create(
            cqc_id=r.cqc_id,
            defaults={
                "provider": provider,
                "council": council,
                "name": r.name,
                "postcode": r.postcode,
                "lat": r.lat,
                "lon": r.lon,
                "care_home": r.care_home,
                "beds": r.beds,
                "rating": r.rating,
                "rating_date": r.rating_date,
                "dormant": r.dormant,
                "specialisms": list(r.specialisms),
                "service_types": list(r.service_types),
            },
        )
    elapsed = time.perf_counter() - started
    return {
        "rows": len(records),
        "seconds": elapsed,
        "fingerprint": _fingerprint([r.cqc_id for r in records]),
    }


def _run_phase(phase: str, csv_path: Path, db_path: Path, sample: int) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--csv",
            str(csv_path),
            "--db",
            str(db_path),
            "--baseline-rows",
            str(sample),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phase", choices=["fast", "naive"])
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--baseline-rows", type=int, default=3000)
    args = parser.parse_args()
    if args.phase:
        run = phase_fast if args.phase == "fast" else phase_naive
        print(json.dumps(run(args.csv, args.db, args.baseline_rows)))
        return 0

    from homeward.demo.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        csv_path = generate(tmp_path, seed=20261127)
        print(f"generated England directory in {time.perf_counter() - started:.1f} s")
        fast = _run_phase("fast", csv_path, tmp_path / "fast.sqlite3", args.baseline_rows)
        naive = _run_phase("naive", csv_path, tmp_path / "naive.sqlite3", args.baseline_rows)
    naive_whole = naive["seconds"] / naive["rows"] * fast["read"]
    print(
        f"rows read: {fast['read']:,}; created {fast['created']:,}; "
        f"unchanged on re-import {fast['unchanged']:,}"
    )
    print(f"first import: {fast['first_s']:.1f} s (target <= 60 s)")
    print(f"unchanged re-import: {fast['again_s']:.1f} s (target <= 20 s)")
    print(
        f"naive row-by-row ORM: {naive['seconds']:.1f} s for {naive['rows']:,} rows, "
        f"{naive_whole:.0f} s for the whole file at that rate"
    )
    ok = fast["fingerprint"] == naive["fingerprint"] and fast["unchanged"] == fast["created"]
    if not ok:
        print("MISMATCH: the bulk and naive imports stored different locations", file=sys.stderr)
    print(
        f"import_directory first import: {fast['first_s']:.1f} s "
        f"({naive_whole / fast['first_s']:.1f}x vs naive row-by-row ORM import)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

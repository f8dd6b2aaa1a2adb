"""Unit tests of what the scenario pages build on: a run done in slices equals the run done at
once, comparisons from stored per-replication totals, and scenario files read from bytes."""

from pathlib import Path

import numpy as np
import pytest

from homeward.planning import engine, files, results
from homeward.planning.scenario import ScenarioError

EXAMPLE = Path(files.__file__).parent / "examples" / "area.csv"


@pytest.fixture(scope="module")
def area():
    return files.load(EXAMPLE)


def test_slices_joined_are_the_run_done_at_once(area):
    whole = engine.run(area, 7, 11, workers=1)
    parts = [engine.run_slice(area, 7, 11, a, b) for a, b in ((0, 3), (3, 4), (4, 7))]
    joined = engine.join(parts, 11)
    assert joined.replications == 7 and joined.seed == 11
    assert results.summarise(joined) == results.summarise(whole)


def test_slice_outside_the_run_is_refused(area):
    with pytest.raises(ValueError, match="not within 0 to 5"):
        engine.run_slice(area, 5, 1, 3, 6)


def test_compare_from_stored_totals_matches_compare_of_runs(area):
    more = area.with_changes(name="more", extra_capacity=5, services=["P2"])
    base, other = engine.run(area, 20, 3, workers=1), engine.run(more, 20, 3, workers=1)
    stored = [
        (runs.scenario.name, {k: v.tolist() for k, v in results.scenario_totals(runs).items()})
        for runs in (base, other)
    ]
    assert results.compare_totals(3, stored) == results.compare(base, other)
    change = results.compare(base, other)["scenarios"][1]["change"]["delayed_bed_days"]
    assert change["median"] < 0


def test_compare_of_different_replication_counts_is_refused(area):
    totals = {key: np.zeros(3) for key in results.SCENARIO_TOTALS}
    shorter = {key: np.zeros(2) for key in results.SCENARIO_TOTALS}
    with pytest.raises(ValueError, match="same seed and replications"):
        results.compare_totals(1, [("a", totals), ("b", shorter)])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_read_from_bytes_is_load_from_a_file(area, tmp_path, suffix):
    path = tmp_path / f"area{suffix}"
    files.save(area, path)
    assert files.read(f"upload{suffix}", path.read_bytes()) == area


def test_read_explains_bad_uploads():
    with pytest.raises(ScenarioError, match="ends in .json, .csv or .xlsx"):
        files.read("area.txt", b"anything")
    with pytest.raises(ScenarioError, match="cannot be read as xlsx"):
        files.read("area.xlsx", b"not a workbook")
    with pytest.raises(ScenarioError, match="a JSON scenario is an object"):
        files.read("area.json", b"[1, 2]")


def test_rows_from_a_form_are_numbered_as_rows(area):
    rows = files.to_rows(area)
    rows[1]["stay_mean"] = "5"
    with pytest.raises(ScenarioError, match=r"row 2 \(service 'P1 home care South'\)"):
        files.from_rows(rows, label="row", first=1)

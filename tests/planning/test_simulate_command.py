"""Integration tests of `homeward simulate` (the management command): JSON and table output,
reproducibility across worker counts, saved scenarios by id or name, and clear errors."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from homeward.core.access import actor_for
from homeward.core.models import Role
from homeward.planning import files
from homeward.scenarios import services as scenario_services
from tests.conftest import make_user

EXAMPLE = Path(files.__file__).parent / "examples" / "area.csv"


@pytest.fixture
def analyst_actor(trust):
    return actor_for(make_user("analyst", trust, Role.ANALYST))


def simulate(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("simulate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_has_daily_medians_bands_and_totals_per_service():
    out, err = simulate(str(EXAMPLE), "--replications", "20", "--seed", "3", "--json")
    summary = json.loads(out)
    assert (summary["seed"], summary["replications"], summary["days"]) == (3, 20, 181)
    assert [s["name"] for s in summary["services"]][:2] == [
        "P1 reablement North",
        "P1 home care South",
    ]
    daily = summary["services"][2]["daily"]
    assert set(daily) == {"occupancy", "waiting", "wait_days"}
    assert len(daily["occupancy"]["median"]) == 181 and "p95" in daily["waiting"]
    assert summary["totals"]["delayed_bed_days"]["mean"] >= 0
    assert "seed 3" in err and "20/20 done" in err


def test_same_seed_same_json_on_one_or_two_workers():
    args = (str(EXAMPLE), "--replications", "12", "--seed", "9", "--json")
    one, _ = simulate(*args, "--workers", "1")
    two, _ = simulate(*args, "--workers", "2")
    assert one == two


def test_table_and_a_new_seed_when_none_is_given(tmp_path):
    path = tmp_path / "area.json"
    files.save(files.load(EXAMPLE), path)
    out, err = simulate(str(path), "--replications", "5", "--workers", "1")
    assert out.splitlines()[0].startswith("Example area winter: 181 days from 2025-01-06")
    assert "P2 beds South" in out and out.splitlines()[-1].startswith("all services")
    assert "seed " in err


@pytest.mark.django_db
def test_a_saved_scenario_runs_by_id_or_name(analyst_actor):
    saved = scenario_services.create(analyst_actor, files.load(EXAMPLE))
    by_id, _ = simulate(str(saved.pk), "--replications", "4", "--seed", "1", "--json")
    by_name, _ = simulate(saved.name, "--replications", "4", "--seed", "1", "--json")
    assert by_id == by_name
    assert json.loads(by_id)["scenario"] == saved.name
    scenario_services.create(analyst_actor, files.load(EXAMPLE))
    with pytest.raises(CommandError, match="2 saved scenarios are called"):
        simulate(saved.name)


@pytest.mark.django_db
def test_errors_are_clear(tmp_path):
    with pytest.raises(CommandError, match="no scenario file"):
        simulate(str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text(EXAMPLE.read_text().replace(",18,24,", ",18,12,"))
    with pytest.raises(CommandError, match=r"line 2 \(service 'P1 reablement North'\): stay mean"):
        simulate(str(bad))
    with pytest.raises(CommandError, match="not installed: pip install"):
        simulate(str(EXAMPLE), "--replications", "2", "--engine", "ray")

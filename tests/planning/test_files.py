"""Unit tests of `homeward.planning.files`: the example file, JSON/CSV/xlsx round trips, and
problems reported with their line and service."""

import contextlib
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from homeward.planning import files
from homeward.planning.scenario import Capacity, Demand, Scenario, ScenarioError, Service, Stay

EXAMPLE = Path(files.__file__).parent / "examples" / "area.csv"
START = date(2025, 1, 6)


def beds(**fields) -> Service:
    values = {
        "name": "P2 North",
        "pathway": "P2",
        "locality": "North",
        "demand": Demand(2.5),
        "capacity": Capacity(40),
        "stay": Stay(mean=26.0, median=21.0),
        **fields,
    }
    return Service(**values)


def test_example_file_loads():
    plan = files.load(EXAMPLE)
    assert plan.name == "Example area winter"
    assert (plan.start, plan.days, len(plan.services)) == (START, 181, 6)
    p2 = plan.service("P2 beds North")
    assert p2.capacity.changes == ((54, 46),)  # 2025-03-01 is day 54
    assert p2.cost_basis == "capacity"


def full_scenario() -> Scenario:
    """Every field in use, for round trips."""
    return Scenario(
        "round trip",
        START,
        21,
        (
            beds(
                demand=Demand(2.5, weekday=[1.2, 1.1, 1, 1, 1, 0.8, 0.9], arrivals="even"),
                capacity=Capacity(40, ((7, 46), (14, 44))),
                in_service=35,
                waiting=4,
                service_cost=214.0,
                cost_basis="capacity",
                bed_day_cost=395.5,
            ),
            Service(
                "P1 home care",
                "P1",
                "South",
                Demand([5.0 + d / 10 for d in range(21)], month=list(range(1, 13))),
                Capacity(150),
                Stay(mean=27.0, distribution="exponential"),
                service_cost=130.0,
            ),
            Service(
                "P3", "P3", "", Demand(0.6), Capacity(400), Stay(mean=9.0, distribution="fixed")
            ),
        ),
    )


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_files_round_trip(tmp_path, suffix):
    plan = full_scenario()
    path = tmp_path / f"plan{suffix}"
    files.save(plan, path)
    assert files.load(path) == plan


def test_json_accepts_dates_for_capacity_changes(tmp_path):
    data = full_scenario().to_dict()
    data["services"][0]["capacity"]["changes"] = [["2025-01-13", 46], [14, 44]]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    assert files.load(path).services[0].capacity.changes == ((7, 46), (14, 44))


def test_csv_problems_name_their_line_and_service(tmp_path):
    rows = files.to_csv(full_scenario()).splitlines()
    rows[1] = rows[1].replace(",40,7:46;14:44,", ",40,7-46,")
    rows[2] = rows[2].replace(",exponential,,27.0,", ",lognormal,30.0,27.0,")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows))
    with pytest.raises(ScenarioError) as caught:
        files.load(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == "line 2 (service 'P2 North'): capacity change '7-46' is not day:capacity"
    assert lines[1].startswith("line 3 (service 'P1 home care'): stay mean (27) must be greater")


def test_csv_scenario_fields_and_columns_are_checked(tmp_path):
    text = files.to_csv(full_scenario()).replace(
        "round trip,2025-01-06,21,P1", "other,2025-01-06,21,P1"
    )
    path = tmp_path / "plan.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError, match="line 3: scenario 'other' differs from 'round trip'"):
        files.load(path)
    path.write_text(text.replace("stay_mean", "stay_average", 1))
    with pytest.raises(ScenarioError, match="unknown column"):
        files.load(path)


def test_xlsx_written_by_hand_with_dates_and_number_cells(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Scenario",
            "Start",
            "Days",
            "Service",
            "Pathway",
            "Demand_per_day",
            "Capacity",
            "Capacity_changes",
            "Stay_median",
            "Stay_mean",
        ]
    )
    sheet.append(["hand", date(2025, 1, 6), 30, "beds", "P2", 2, 40, "2025-01-16:45", 21, 26.5])
    sheet.append([None, None, None, "home", "P1", 4.5, 120, None, 18, 24])
    path = tmp_path / "hand.xlsx"
    book.save(path)
    plan = files.load(path)
    assert (plan.name, plan.start, plan.days) == ("hand", START, 30)
    assert plan.services[0].capacity.changes == ((10, 45),)
    assert plan.services[1].demand.rate == 4.5
    assert plan.services[1].stay == Stay(mean=24.0, median=18.0)


def test_unknown_file_type_and_bad_json(tmp_path):
    with pytest.raises(ScenarioError, match=r"\.json, \.csv or \.xlsx"):
        files.load(tmp_path / "plan.txt")
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    with pytest.raises(ScenarioError, match="plan.json cannot be read as json"):
        files.load(path)
    path = tmp_path / "plan.xlsx"
    path.write_text("not a spreadsheet")
    with pytest.raises(ScenarioError, match="plan.xlsx cannot be read as xlsx"):
        files.load(path)


def test_values_outside_the_named_columns_are_refused(tmp_path):
    rows = files.to_csv(full_scenario()).splitlines()
    rows[3] += ",surprise"
    path = tmp_path / "plan.csv"
    path.write_text("\n".join(rows))
    with pytest.raises(ScenarioError, match="line 4: value 'surprise' is in no named column"):
        files.load(path)


CELLS = st.one_of(
    st.sampled_from(["", "0", "1", "2.5", "-1", "nan", "inf", "1e400", "x", "1;2", "3:4", ";"]),
    st.sampled_from(["2025-01-06", "2025-02-30", "lognormal", "fixed", "even", "capacity"]),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(changes=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(files.COLUMNS), CELLS)))
def test_any_cells_give_a_scenario_or_a_scenario_error(changes):
    rows = files.to_rows(full_scenario())
    for row, column, cell in changes:
        rows[row][column] = cell
    with contextlib.suppress(ScenarioError):
        files.from_rows(rows)

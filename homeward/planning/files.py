"""Scenario files: JSON (`Scenario.to_dict` as is), and CSV or xlsx in a flat layout.

File layout (CSV, or the first worksheet of an xlsx file): a header row, then one row per service.
- scenario, start, days: scenario name, first day (YYYY-MM-DD) and horizon in days, on the first
  row; later rows leave them blank or repeat them.
- service, pathway, locality: the service's unique name, its pathway (P1, P2, P3, ...), locality.
- demand_per_day: people needing the service a day, one number or one per day `2;3;2.5;...`
  covering the horizon.
- weekday_profile: optional, 7 multipliers Monday..Sunday `1.2;1.1;1;1;1;0.8;0.9`;
  month_profile: optional, 12 multipliers January..December (each scaled to mean 1).
- arrivals: `poisson` (default), or `even`: the expected number each day, evenly spaced.
- capacity: places (beds, or packages for home care) on day 0; capacity_changes: optional
  `day:capacity;day:capacity`, the day a day number (the start is day 0) or a date YYYY-MM-DD.
- stay_distribution: `lognormal` (default), `exponential` or `fixed`; stay_median, stay_mean:
  days in service (a lognormal needs both, mean > median; the others only the mean).
- in_service, waiting: people already in service and already waiting on day 0.
- service_cost_per_day: £ a day of the service; cost_basis: `occupied` (default: paid per
  person-day in service, spot) or `capacity` (per place-day commissioned, block contract).
- bed_day_cost: £ a hospital bed day of someone waiting for this service.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from homeward.planning.scenario import Scenario, ScenarioError, Service, start_date

COLUMNS = (
    "scenario",
    "start",
    "days",
    "service",
    "pathway",
    "locality",
    "demand_per_day",
    "weekday_profile",
    "month_profile",
    "arrivals",
    "capacity",
    "capacity_changes",
    "stay_distribution",
    "stay_median",
    "stay_mean",
    "in_service",
    "waiting",
    "service_cost_per_day",
    "cost_basis",
    "bed_day_cost",
)
NUMBER_COLUMNS = {
    "days",
    "demand_per_day",
    "capacity",
    "stay_median",
    "stay_mean",
    "in_service",
    "waiting",
    "service_cost_per_day",
    "bed_day_cost",
}
REQUIRED_COLUMNS = ("service", "pathway", "demand_per_day", "capacity", "stay_mean")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ScenarioError(message)


# --------------------------------------------------------------------------- flat rows (CSV, xlsx)


def to_rows(scenario: Scenario) -> list[dict[str, str]]:
    """The scenario in the flat file layout, one row per service (all values as text)."""
    rows = []
    for service in scenario.services:
        demand, stay = service.demand, service.stay
        rows.append(
            {
                "scenario": scenario.name,
                "start": scenario.start.isoformat(),
                "days": str(scenario.days),
                "service": service.name,
                "pathway": service.pathway,
                "locality": service.locality,
                "demand_per_day": _joined(np.atleast_1d(demand.rate)),
                "weekday_profile": _joined(demand.weekday or ()),
                "month_profile": _joined(demand.month or ()),
                "arrivals": demand.arrivals,
                "capacity": str(service.capacity.initial),
                "capacity_changes": ";".join(f"{d}:{c}" for d, c in service.capacity.changes),
                "stay_distribution": stay.distribution,
                "stay_median": "" if stay.median is None else repr(float(stay.median)),
                "stay_mean": repr(float(stay.mean)),
                "in_service": str(service.in_service),
                "waiting": str(service.waiting),
                "service_cost_per_day": repr(service.service_cost),
                "cost_basis": service.cost_basis,
                "bed_day_cost": repr(service.bed_day_cost),
            }
        )
    return rows


def _joined(values: Iterable[float]) -> str:
    return ";".join(repr(float(v)) for v in values)


def from_rows(
    rows: Iterable[Mapping[str, Any]], *, label: str = "line", first: int = 2
) -> Scenario:
    """The scenario of flat rows (header names as keys; line 2 is the first row), or a
    ScenarioError naming the line and service of every problem. A form of rows rather than a
    file names them with another `label` from another `first` number ("row 1")."""
    rows = [_clean(row, f"{label} {n}") for n, row in enumerate(rows, start=first)]
    _check(bool(rows), "the file has no service rows")
    unknown = sorted(set(rows[0]) - set(COLUMNS))
    _check(not unknown, f"unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}")
    missing = [c for c in (*REQUIRED_COLUMNS, "scenario", "start", "days") if c not in rows[0]]
    _check(not missing, f"missing column(s) {', '.join(missing)}")
    head = _scenario_fields(rows, label, first)
    start = start_date(head["start"])
    services, problems = [], []
    for n, row in enumerate(rows, start=first):
        try:
            services.append(Service.from_dict(_service_dict(row), start))
        except (ScenarioError, TypeError, ValueError) as exc:
            problems.append(f"{label} {n} (service '{row.get('service', '')}'): {exc}")
    if problems:
        raise ScenarioError("\n".join(problems))
    return Scenario(head["scenario"], start, _whole(head["days"], "days"), tuple(services))


def _clean(row: Mapping[str, Any], line: str) -> dict[str, str]:
    """A row keyed by lower-case header with text values; a value outside the named columns
    (no header, or more values than headers) is an error, never dropped."""
    clean = {}
    for key, value in row.items():
        name = "" if key is None else str(key).strip().lower()
        text = ";".join(map(_text, value)) if isinstance(value, list) else _text(value)
        _check(bool(name) or not text, f"{line}: value '{text}' is in no named column")
        if name:
            clean[name] = text
    return clean


def _scenario_fields(rows: list[dict[str, str]], label: str, first: int) -> dict[str, str]:
    """Scenario name, start and days from the first row; later rows blank or the same."""
    head = {key: rows[0].get(key, "") for key in ("scenario", "start", "days")}
    for key, value in head.items():
        _check(bool(value), f"{label} {first}: '{key}' is empty; give it on the first service row")
    for n, row in enumerate(rows[1:], start=first + 1):
        for key, value in head.items():
            given = row.get(key, "")
            _check(given in ("", value), f"{label} {n}: {key} '{given}' differs from '{value}'")
    return head


def _service_dict(row: Mapping[str, str]) -> dict[str, Any]:
    """One flat row as the dict `Service.from_dict` reads."""
    rate = _numbers(row.get("demand_per_day", ""), "demand_per_day")
    median = row.get("stay_median", "")
    return {
        "name": row.get("service") or None,
        "pathway": row.get("pathway") or None,
        "locality": row.get("locality", ""),
        "demand": {
            "rate": rate[0] if len(rate) == 1 else rate,
            "weekday": _numbers(row.get("weekday_profile", ""), "weekday_profile") or None,
            "month": _numbers(row.get("month_profile", ""), "month_profile") or None,
            "arrivals": row.get("arrivals") or None,
        },
        "capacity": {
            "initial": _whole(row.get("capacity", ""), "capacity"),
            "changes": _changes(row.get("capacity_changes", "")),
        },
        "stay": {
            "distribution": row.get("stay_distribution") or None,
            "median": _number(median, "stay_median") if median else None,
            "mean": _number(row.get("stay_mean", ""), "stay_mean"),
        },
        "in_service": _whole(row.get("in_service") or "0", "in_service"),
        "waiting": _whole(row.get("waiting") or "0", "waiting"),
        "service_cost": _number(row.get("service_cost_per_day") or "0", "service_cost_per_day"),
        "cost_basis": row.get("cost_basis") or None,
        "bed_day_cost": _number(row.get("bed_day_cost") or "0", "bed_day_cost"),
    }


def _text(value: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(text: str, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ScenarioError(f"{column} '{text}' is not a number") from None


def _whole(text: str, column: str) -> int:
    number = _number(text, column)
    _check(number.is_integer(), f"{column} '{text}' is not a whole number")
    return int(number)


def _numbers(text: str, column: str) -> list[float]:
    """`1;2.5;3` as numbers; blank as an empty list."""
    return [_number(part.strip(), column) for part in text.split(";")] if text else []


def _changes(text: str) -> list[tuple[str, int]]:
    """`60:120;2025-03-01:130` as (day or date text, places) pairs."""
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        day, sep, places = part.rpartition(":")
        _check(bool(sep and day), f"capacity change '{part}' is not day:capacity")
        pairs.append((day.strip(), _whole(places.strip(), "capacity_changes")))
    return pairs


# --------------------------------------------------------------------------- files


def load(path: str | Path) -> Scenario:
    """A scenario from a .json, .csv or .xlsx file, or a ScenarioError saying what is wrong."""
    path = Path(path)
    _suffix(path.name)
    return read(path.name, path.read_bytes())


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    _check(suffix in READERS, f"{name}: a scenario file ends in .json, .csv or .xlsx")
    return suffix


def read(name: str, content: bytes) -> Scenario:
    """A scenario from a file's name (for its suffix) and bytes, such as an upload."""
    suffix = _suffix(name)
    try:
        return READERS[suffix](content)
    except (UnicodeDecodeError, json.JSONDecodeError, zipfile.BadZipFile, KeyError) as exc:
        raise ScenarioError(f"{name} cannot be read as {suffix[1:]}: {exc}") from None


def _read_json(content: bytes) -> Scenario:
    data = json.loads(content.decode("utf-8"))
    _check(isinstance(data, dict), "a JSON scenario is an object with name, start, days, services")
    return Scenario.from_dict(data)


def _read_csv(content: bytes) -> Scenario:
    return from_rows(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _read_xlsx(content: bytes) -> Scenario:
    return from_rows(_xlsx_rows(io.BytesIO(content)))


def _xlsx_rows(handle: io.BytesIO) -> list[dict[str, Any]]:
    """The first worksheet's rows as dicts keyed by its header row (blank rows skipped)."""
    from openpyxl import load_workbook

    book = load_workbook(handle, read_only=True, data_only=True)
    try:
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = [_text(cell) for cell in next(lines, ())]
        rows = [dict(zip(header, line, strict=False)) for line in lines]
    finally:
        book.close()
    return [row for row in rows if any(v not in (None, "") for v in row.values())]


READERS = {".json": _read_json, ".csv": _read_csv, ".xlsx": _read_xlsx}


def save(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario as .json, .csv or .xlsx (by the file's suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(scenario.to_dict(), indent=2) + "\n", encoding="utf-8")
    elif suffix == ".csv":
        path.write_text(to_csv(scenario), encoding="utf-8")
    elif suffix == ".xlsx":
        _save_xlsx(scenario, path)
    else:
        raise ScenarioError(f"{path.name}: a scenario file ends in .json, .csv or .xlsx")


def to_csv(scenario: Scenario) -> str:
    """The scenario as CSV text in the flat layout."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(to_rows(scenario))
    return out.getvalue()


def _save_xlsx(scenario: Scenario, path: Path) -> None:
    path.write_bytes(to_xlsx(scenario))


def to_xlsx(scenario: Scenario) -> bytes:
    """The scenario as an xlsx workbook in the flat layout (sheet `services`)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "services"
    sheet.append(list(COLUMNS))
    for row in to_rows(scenario):
        sheet.append([_cell(column, row[column]) for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(column: str, text: str) -> str | float:
    """Single numbers in number columns as numbers, so a spreadsheet shows them as such."""
    number = column in NUMBER_COLUMNS and text and ";" not in text
    return float(text) if number else text

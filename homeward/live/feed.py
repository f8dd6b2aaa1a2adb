"""Reading the indicator feed: a CSV file (or API items) into checked rows. Every problem is
named by its line; the services store nothing while any line has a problem."""

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

CSV_COLUMNS = ("organisation", "indicator", "value", "measured_at")
OPTIONAL_COLUMNS = ("source",)
MAX_ROWS = 10_000
MAX_VALUE = 1_000_000


class UnreadableFeed(ValueError):
    pass


@dataclass(frozen=True)
class FeedRow:
    line: int  # the file's line, or the item's position (from 1) in an API batch
    organisation: str
    indicator: str
    value: float
    measured_at: datetime
    source: str


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


def when(value: str) -> datetime:
    """An ISO 8601 time; without an offset it is UK local time."""
    parsed = datetime.fromisoformat(value.strip())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def check_value(value: float) -> str:
    """Why a value cannot be a reading, or '' when it can."""
    if not math.isfinite(value) or value < 0:
        return "the value must be a number of 0 or more"
    if value > MAX_VALUE:
        return f"the value {value:g} is larger than any indicator can be ({MAX_VALUE:,})"
    return ""


def parse_csv(data: bytes, default_source: str) -> tuple[list[FeedRow], list[Problem]]:
    """Rows and problems of an uploaded CSV file (header row first, columns by name)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFeed("the file is not UTF-8 text; save it as CSV (UTF-8)") from exc
    try:
        return _parse(csv.DictReader(io.StringIO(text, newline="")), default_source)
    except csv.Error as exc:
        raise UnreadableFeed(f"it is not a CSV file this can read ({exc})") from exc


def _parse(reader: csv.DictReader, default_source: str) -> tuple[list[FeedRow], list[Problem]]:
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise UnreadableFeed(
            f"the header row lacks {', '.join(missing)} (columns needed: "
            f"{', '.join(CSV_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)})"
        )
    reader.fieldnames = header
    rows: list[FeedRow] = []
    problems: list[Problem] = []
    for count, raw in enumerate(reader, start=1):
        if count > MAX_ROWS:
            raise UnreadableFeed(f"the file has more than {MAX_ROWS:,} readings; split it")
        line = reader.line_num  # the file's line, even after a quoted field ran over lines
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        cells = {k: (raw.get(k) or "").strip() for k in CSV_COLUMNS + OPTIONAL_COLUMNS}
        reasons = [f"{c} is empty" for c in CSV_COLUMNS if not cells[c]]
        value = measured_at = None
        if cells["value"]:
            try:
                value = float(cells["value"].replace(",", ""))
            except ValueError:
                reasons.append(f"value {cells['value']!r} is not a number")
            else:
                if reason := check_value(value):
                    reasons.append(reason)
        if cells["measured_at"]:
            try:
                measured_at = when(cells["measured_at"])
            except ValueError:
                reasons.append(
                    f"measured_at {cells['measured_at']!r} is not a date and time "
                    "like 2026-11-28T07:45"
                )
        if reasons:
            problems.append(Problem(line, "; ".join(reasons)))
            continue
        rows.append(
            FeedRow(
                line=line,
                organisation=cells["organisation"],
                indicator=cells["indicator"],
                value=value,
                measured_at=measured_at,
                source=(cells["source"] or default_source)[:64],
            )
        )
    if not rows and not problems:
        raise UnreadableFeed("the file has a header row but no readings")
    return rows, problems

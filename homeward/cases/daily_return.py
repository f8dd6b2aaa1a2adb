"""The trust's daily acute discharge return (NHS England situation report, Tables 2 and 3),
computed from Homeward's own cases, and written as CSV or xlsx in the published layout.

Public API
----------
- `compute(trust, day) -> DailyReturn`: one trust, one calendar day.
- `compute_range(trust, start, end) -> list[DailyReturn]`: every day from `start` to `end`
  inclusive (at most `MAX_DAYS`), oldest first; `ValueError` with a readable message otherwise.
- `to_csv(returns, table=None) -> str`: both tables in one file (a "Table 2" title line, its
  header and rows, a blank line, then the same for "Table 3"); `table=2` or `table=3` gives
  that table alone as a plain single-header CSV.
- `to_xlsx(returns) -> bytes`: a workbook with sheets "Table 2" and "Table 3", bold headers.
- `TABLE2_HEADER`, `TABLE3_LEAD`, `NO_REASON_HEADER`: the published column names.

Each function reads the database a fixed number of times (four queries for `compute` and for a
whole `compute_range`, whatever the number of cases or days).

Definitions (all times in settings.TIME_ZONE, Europe/London, so days follow BST/GMT)
----------------------------------------------------------------------------------
- The *day* runs from local midnight to the next local midnight (23 or 25 hours when the
  clocks change).
- A case's *criteria status* at an instant is the `meets_criteria` of its latest
  `CriteriaEvent` at or before that instant; before the first event the person meets them.
- A case is **counted** (`not_meeting_criteria`) for the day when all hold:
  1. it belongs to the trust (`DischargeCase.trust`) and is not cancelled;
  2. it was admitted on or before the day (`admission_date <= day`);
  3. it was not discharged before the day started (`discharged_at` empty or at/after midnight);
  4. at some instant of the day while the person was in hospital (from midnight until the
     end of the day, or until `discharged_at` inclusive if that is earlier) the status was
     "does not meet": either it already did not meet at midnight, or a "does not meet"
     event falls in that window. Meeting the criteria again later in the day does not undo
     it (that person stays counted and, if still in hospital, is one of the `remaining`,
     typically with reason "Declared as not meeting the criteria ... so discharge stopped").
- Of the counted cases, `discharged_by_1700` were discharged that day before 17:01:00 local
  time (the clock read 17:00 or earlier to the minute, so 17:00:59 is "by 17:00", matching
  the published "between 17:01 and 23:59"); `discharged_1701_2359` were discharged that day
  from 17:01:00 until midnight; `remaining` is everyone else counted, i.e. still in hospital
  at the end of the day. Always `remaining = not_meeting_criteria - discharged_by_1700 -
  discharged_1701_2359` (checked when a `DailyReturn` is built).
- `reasons` counts each remaining person once, by their primary delay reason open at the end
  of the day (an episode with `started_at` before midnight and `ended_at` empty or at/after
  midnight). Homeward stores only the current primary flag, not its history, so: among the
  episodes open at the end of the day the one flagged primary wins (the latest started if
  several are); if none is flagged (`end_delay` clears the flag when an episode closes later)
  the earliest started open episode is taken, as `services.add_delay` makes the first open
  reason the primary one. Columns are the "delay_reason" codes valid on the day, in seeded
  order, zeros included; a primary reason outside that list gets its own extra column after
  them rather than being dropped. Remaining people with no open episode are counted in
  `no_reason_recorded`. Always `sum(reasons) + no_reason_recorded = remaining`.

A day that has not finished yet (today) gives provisional figures: "remaining" then means
"not discharged so far".
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from homeward.cases.models import (
    CaseState,
    CodeList,
    CriteriaEvent,
    DelayEpisode,
    DischargeCase,
    ReferenceCode,
)
from homeward.core.models import Organisation, OrganisationKind

MAX_DAYS = 31
LATE_FROM = time(17, 1)

TABLE2_HEADER = (
    "Date",
    "Org Code",
    "Org Name",
    "Number of patients who no longer meet the criteria to reside",
    "Number of patients discharged by 17:00",
    "Number of patients discharged between 17:01 and 23:59",
    "Number of patients remaining in hospital who no longer meet the criteria to reside",
)
TABLE3_LEAD = ("Date", "Org Code", "Org Name")
NO_REASON_HEADER = "No reason recorded"


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class DailyReturn:
    """One trust's figures for one day; see the module docstring for the definitions."""

    day: date
    org_code: str
    org_name: str
    not_meeting_criteria: int
    discharged_by_1700: int
    discharged_1701_2359: int
    remaining: int
    reasons: tuple[ReasonCount, ...]
    no_reason_recorded: int

    def __post_init__(self) -> None:
        discharged = self.discharged_by_1700 + self.discharged_1701_2359
        if self.remaining != self.not_meeting_criteria - discharged:
            raise ValueError(
                f"{self.day}: remaining ({self.remaining}) is not people not meeting the criteria "
                f"({self.not_meeting_criteria}) less those discharged ({discharged})"
            )
        reasons_total = sum(r.count for r in self.reasons) + self.no_reason_recorded
        if reasons_total != self.remaining:
            raise ValueError(
                f"{self.day}: reasons plus no reason ({reasons_total}) do not add up to "
                f"remaining ({self.remaining})"
            )

    @property
    def discharged(self) -> int:
        return self.discharged_by_1700 + self.discharged_1701_2359

    @property
    def reason_counts(self) -> dict[str, int]:
        """Reason code -> count, in column order."""
        return {r.code: r.count for r in self.reasons}


@dataclass(frozen=True)
class _Bounds:
    start: datetime
    late_from: datetime
    end: datetime


def _bounds(day: date) -> _Bounds:
    tz = timezone.get_default_timezone()
    return _Bounds(
        start=timezone.make_aware(datetime.combine(day, time.min), tz),
        late_from=timezone.make_aware(datetime.combine(day, LATE_FROM), tz),
        end=timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz),
    )


def compute(trust: Organisation, day: date) -> DailyReturn:
    """The trust's return for one day (four queries)."""
    return _compute_days(trust, [day])[0]


def compute_range(trust: Organisation, start: date, end: date) -> list[DailyReturn]:
    """The trust's returns for every day from `start` to `end` inclusive, oldest first.

    Raises ValueError when `start` is after `end` or the range is longer than MAX_DAYS days.
    The whole range costs the same four queries as a single day."""
    if start > end:
        raise ValueError(
            f"the start date ({start:%d/%m/%Y}) is after the end date ({end:%d/%m/%Y})"
        )
    length = (end - start).days + 1
    if length > MAX_DAYS:
        raise ValueError(
            f"a return covers at most {MAX_DAYS} days; {start:%d/%m/%Y} to {end:%d/%m/%Y} "
            f"is {length} days"
        )
    return _compute_days(trust, [start + timedelta(days=i) for i in range(length)])


def _compute_days(trust: Organisation, days: list[date]) -> list[DailyReturn]:
    if trust.kind != OrganisationKind.TRUST:
        raise ValueError(f"{trust.name} is not an NHS trust: the daily return is made by trusts")
    first, last = days[0], days[-1]
    range_start, first_end, range_end = _bounds(first).start, _bounds(first).end, _bounds(last).end

    # 1. The reason columns valid at some point of the range.
    codes = list(
        ReferenceCode.objects.filter(list=CodeList.DELAY_REASON, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .order_by("sort_order", "code")
        .values_list("id", "code", "label", "valid_from", "valid_to")
    )

    # 2. Cases that may count on some day: in hospital during the range and not meeting the
    # criteria at some time before it ends. The exact test per day is done below.
    candidates = (
        DischargeCase.objects.filter(trust=trust, admission_date__lte=last)
        .exclude(state=CaseState.CANCELLED)
        .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=range_start))
        .filter(
            Exists(
                CriteriaEvent.objects.filter(
                    case=OuterRef("pk"), meets_criteria=False, at__lt=range_end
                )
            )
        )
    )
    cases = {
        pk: (admitted, discharged_at)
        for pk, admitted, discharged_at in candidates.values_list(
            "pk", "admission_date", "discharged_at"
        )
    }

    events: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    episodes: dict[int, list[tuple]] = defaultdict(list)
    if cases:
        # 3. Their criteria history up to the end of the range, in time order.
        for case_id, at, meets in (
            CriteriaEvent.objects.filter(case__in=candidates, at__lt=range_end)
            .order_by("case_id", "at", "id")
            .values_list("case_id", "at", "meets_criteria")
        ):
            events[case_id].append((at, meets))
        # 4. Delay episodes open at the end of at least one day of the range.
        in_hospital_after_first_day = candidates.filter(
            Q(discharged_at__isnull=True) | Q(discharged_at__gte=first_end)
        )
        for row in (
            DelayEpisode.objects.filter(case__in=in_hospital_after_first_day)
            .filter(started_at__lt=range_end)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=first_end))
            .values_list(
                "case_id",
                "started_at",
                "ended_at",
                "primary",
                "id",
                "reason_id",
                "reason__code",
                "reason__label",
            )
        ):
            episodes[row[0]].append(row[1:])

    return [_one_day(trust, day, codes, cases, events, episodes) for day in days]


def _not_meeting_during(
    history: list[tuple[datetime, bool]], start: datetime, until: datetime, discharged_at
) -> bool:
    """Whether the status was "does not meet" at some instant from `start` to before `until`,
    and not after `discharged_at`."""
    ready_at_start = False
    for at, meets in history:
        if at <= start:
            ready_at_start = not meets
        elif at < until and (discharged_at is None or at <= discharged_at):
            if not meets:
                return True
        else:
            break
    return ready_at_start


def _primary_at(open_episodes: list[tuple]):
    flagged = [e for e in open_episodes if e[2]]
    if flagged:
        return max(flagged, key=lambda e: (e[0], e[3]))
    return min(open_episodes, key=lambda e: (e[0], e[3]))


def _one_day(trust, day, codes, cases, events, episodes) -> DailyReturn:
    bounds = _bounds(day)
    counted = by_1700 = late = 0
    remaining: list[int] = []
    for pk, (admitted, discharged_at) in cases.items():
        if admitted > day or (discharged_at is not None and discharged_at < bounds.start):
            continue
        if not _not_meeting_during(events.get(pk, []), bounds.start, bounds.end, discharged_at):
            continue
        counted += 1
        if discharged_at is not None and discharged_at < bounds.end:
            if discharged_at < bounds.late_from:
                by_1700 += 1
            else:
                late += 1
        else:
            remaining.append(pk)

    columns = [
        (pk, code, label)
        for pk, code, label, valid_from, valid_to in codes
        if valid_from <= day and (valid_to is None or valid_to >= day)
    ]
    listed = {pk for pk, _, _ in columns}
    counts: dict[int, int] = defaultdict(int)
    extra: dict[int, tuple[str, str]] = {}
    no_reason = 0
    for pk in remaining:
        open_now = [
            e
            for e in episodes.get(pk, [])
            if e[0] < bounds.end and (e[1] is None or e[1] >= bounds.end)
        ]
        if not open_now:
            no_reason += 1
            continue
        *_, reason_id, code, label = _primary_at(open_now)
        counts[reason_id] += 1
        if reason_id not in listed:
            extra[reason_id] = (code, label)
    reasons = [ReasonCount(code, label, counts[pk]) for pk, code, label in columns]
    reasons += [
        ReasonCount(code, label, counts[pk])
        for pk, (code, label) in sorted(extra.items(), key=lambda item: item[1])
    ]
    return DailyReturn(
        day=day,
        org_code=trust.code,
        org_name=trust.name,
        not_meeting_criteria=counted,
        discharged_by_1700=by_1700,
        discharged_1701_2359=late,
        remaining=len(remaining),
        reasons=tuple(reasons),
        no_reason_recorded=no_reason,
    )


# --- Writing --------------------------------------------------------------------------------


def _safe_text(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _reason_columns(returns: list[DailyReturn]) -> list[tuple[str, str]]:
    """(code, label) of every reason column of these returns, in first-seen order."""
    seen: dict[str, str] = {}
    for ret in returns:
        for reason in ret.reasons:
            seen.setdefault(reason.code, reason.label)
    return list(seen.items())


def _table2(returns: list[DailyReturn]) -> tuple[list[str], list[list]]:
    rows = [
        [
            r.day,
            _safe_text(r.org_code),
            _safe_text(r.org_name),
            r.not_meeting_criteria,
            r.discharged_by_1700,
            r.discharged_1701_2359,
            r.remaining,
        ]
        for r in returns
    ]
    return list(TABLE2_HEADER), rows


def _table3(returns: list[DailyReturn]) -> tuple[list[str], list[list]]:
    columns = _reason_columns(returns)
    header = [*TABLE3_LEAD, *(_safe_text(label) for _, label in columns), NO_REASON_HEADER]
    rows = []
    for r in returns:
        counts = r.reason_counts
        rows.append(
            [
                r.day,
                _safe_text(r.org_code),
                _safe_text(r.org_name),
                # A reason that was not a column on this day (list changed) is left blank.
                *(counts.get(code, "") for code, _ in columns),
                r.no_reason_recorded,
            ]
        )
    return header, rows


def to_csv(returns: list[DailyReturn], table: int | None = None) -> str:
    """The returns as CSV, dates as YYYY-MM-DD.

    `table=None` (default): one file with the line "Table 2", its header and rows, a blank
    line, the line "Table 3", its header and rows. `table=2` or `table=3`: that table only,
    header on the first line, for loading into other tools. Encode as "utf-8-sig" when the
    file is meant for Excel."""
    if table not in (None, 2, 3):
        raise ValueError("table must be 2, 3 or None (both)")
    out = io.StringIO()
    writer = csv.writer(out)
    sections = {2: _table2, 3: _table3}
    for number in (2, 3) if table is None else (table,):
        header, rows = sections[number](returns)
        if table is None:
            if number == 3:
                writer.writerow([])
            writer.writerow([f"Table {number}"])
        writer.writerow(header)
        for row in rows:
            writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
    return out.getvalue()


def to_xlsx(returns: list[DailyReturn]) -> bytes:
    """The returns as an xlsx workbook: sheets "Table 2" and "Table 3", bold header row,
    dates as real date cells."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, build in ((2, _table2), (3, _table3)):
        sheet = workbook.create_sheet(f"Table {number}")
        header, rows = build(returns)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
            cell.number_format = "yyyy-mm-dd"
        for index, column in enumerate(sheet.iter_cols(max_row=1), start=1):
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = {1: 12, 2: 10, 3: 36}.get(index, 18)
        sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

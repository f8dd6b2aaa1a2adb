"""Discharge Ready Date (DRD) measures (NHS England, from April 2023) and delayed days.

Pure Python + NumPy, no Django, so the definitions are tested, benchmarked and reused alone.
Dates are day numbers: `datetime64[D]` arrays (NaT = missing), integer days since 1970-01-01,
or sequences of `date` / `None`.

Definitions (one place only):
- delay days = discharge date - DRD; 0 when the person left on their DRD.
- A missing DRD counts as discharged on the DRD, not delayed: NHS England's guidance lets wards
  leave the DRD blank when the person left the day they became ready.
- % discharged on DRD = people with 0 delay days / discharges; % delayed = 1+ days / discharges.
- average delay excluding zero-day delays = delayed bed days / people delayed.
- delay bands 1, 2-3, 4-6, 7-13, 14-20, 21+ days: people, and bed days (their delay days).
- delayed days in a period = the days of each delay span [DRD, discharge) inside the period;
  a person still in hospital is delayed up to the end of the period.
A discharge before its DRD is an input error (ValueError naming how many), never clipped to 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1),
    ("2-3", 2, 3),
    ("4-6", 4, 6),
    ("7-13", 7, 13),
    ("14-20", 14, 20),
    ("21+", 21, None),
)
BAND_NAMES: tuple[str, ...] = tuple(name for name, _, _ in BANDS)
_OPEN_BAND_FROM = BANDS[-1][1]
_SLOTS = len(BANDS) + 1  # slot 0: not delayed; slots 1..6: the bands in order
# Band slot by delay days 0..21; longer delays are looked up as 21.
_SLOT_OF_DAYS = np.zeros(_OPEN_BAND_FROM + 1, dtype=np.intp)
for _slot, (_, _low, _high) in enumerate(BANDS, start=1):
    _SLOT_OF_DAYS[_low : (_OPEN_BAND_FROM if _high is None else _high) + 1] = _slot

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

Days = np.ndarray | Sequence[Any]


@dataclass(frozen=True)
class Band:
    """People in one delay band and the bed days their delays took."""

    people: int
    bed_days: int


@dataclass(frozen=True)
class DrdMeasures:
    """The DRD measures of one set of discharges; percentages are exact (round only to show)."""

    discharges: int
    discharged_on_drd: int
    delayed: int
    delayed_bed_days: int
    delay_bands: dict[str, Band]
    missing_drd: int = 0

    @property
    def pct_discharged_on_drd(self) -> float:
        """Percentage of discharges on the discharge ready date (missing DRD included)."""
        return _pct(self.discharged_on_drd, self.discharges)

    @property
    def pct_delayed(self) -> float:
        """Percentage of discharges 1 or more days after the discharge ready date."""
        return _pct(self.delayed, self.discharges)

    @property
    def avg_delay_days_excl_zero(self) -> float:
        """Mean days from DRD to discharge of the people delayed (0.0 when nobody was)."""
        return self.delayed_bed_days / self.delayed if self.delayed else 0.0

    @classmethod
    def from_slots(cls, people: Sequence[int], bed_days: Sequence[int], missing: int = 0):
        """Build the result from per-slot counts (slot 0 = not delayed, then the bands)."""
        people = [int(p) for p in people]
        bed = [int(b) for b in bed_days]
        return cls(
            discharges=sum(people),
            discharged_on_drd=people[0],
            delayed=sum(people[1:]),
            delayed_bed_days=sum(bed[1:]),
            delay_bands={
                name: Band(people=people[i], bed_days=bed[i])
                for i, name in enumerate(BAND_NAMES, start=1)
            },
            missing_drd=int(missing),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: percentages and the average rounded half-up to 1 decimal."""
        return {
            "discharges": self.discharges,
            "pct_discharged_on_drd": round_1dp(self.pct_discharged_on_drd),
            "pct_delayed": round_1dp(self.pct_delayed),
            "avg_delay_days_excl_zero": round_1dp(self.avg_delay_days_excl_zero),
            "delay_bands": {
                name: {"people": band.people, "bed_days": band.bed_days}
                for name, band in self.delay_bands.items()
            },
            "delayed_bed_days": self.delayed_bed_days,
        }


@dataclass(frozen=True)
class DelayedDays:
    """Delayed days per group per period, and people delayed per group per day."""

    labels: list[Hashable]
    period_starts: np.ndarray
    days: np.ndarray
    delayed_by_day: np.ndarray

    def as_dict(self) -> dict[Hashable, list[int]]:
        """{group label: [delayed days in each period]}."""
        return {label: row.tolist() for label, row in zip(self.labels, self.days, strict=True)}


def round_1dp(value: float) -> float:
    """Round half-up to one decimal, as published statistics do (2.25 -> 2.3)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def as_days(values: Days) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers since 1970-01-01 (int64, 0 where missing) and the mask of missing values."""
    arr = values if isinstance(values, np.ndarray) else np.asarray(values)
    if arr.ndim != 1:
        raise ValueError("dates must be a one-dimensional sequence")
    kind = arr.dtype.kind
    if kind == "M":
        arr = arr.astype("datetime64[D]", copy=False)
        missing = np.isnat(arr)
        days = arr.view(np.int64)
        return (np.where(missing, 0, days) if missing.any() else days), missing
    if kind in "iu":
        return arr.astype(np.int64, copy=False), np.zeros(arr.shape, dtype=bool)
    if kind == "f":
        missing = np.isnan(arr)
        filled = np.where(missing, 0.0, arr)
        if np.any(filled != np.floor(filled)):
            raise ValueError("day numbers must be whole numbers")
        return filled.astype(np.int64), missing
    if kind == "O":
        return _object_days(arr)
    raise TypeError(f"dates must be datetime64, integer day numbers or dates, not {arr.dtype}")


def _object_days(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    days = np.zeros(arr.shape, dtype=np.int64)
    missing = np.zeros(arr.shape, dtype=bool)
    for i, value in enumerate(arr):
        day = _day_or_none(value)
        if day is None:
            missing[i] = True
        else:
            days[i] = day
    return days, missing


def _day_or_none(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date().toordinal() - _EPOCH_ORDINAL
    if isinstance(value, dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else int(value.astype("datetime64[D]").astype(np.int64))
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return int(value)
    raise TypeError(f"not a date: {value!r}")


def _day(value: Any) -> int:
    day = _day_or_none(value)
    if day is None:
        raise ValueError("a period needs a start and an end date")
    return day


def _pair(drd: Days, discharge: Days) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ready, ready_missing = as_days(drd)
    left, left_missing = as_days(discharge)
    if ready.shape != left.shape:
        raise ValueError(
            f"{len(ready)} discharge ready dates but {len(left)} discharge dates: "
            "give one of each per spell"
        )
    early = np.count_nonzero((left < ready) & ~ready_missing & ~left_missing)
    if early:
        raise ValueError(
            f"{early} spell{'s' if early != 1 else ''} discharged before the discharge ready date"
        )
    return ready, ready_missing, left, left_missing


def delay_days(drd: Days, discharge: Days) -> tuple[np.ndarray, np.ndarray]:
    """Each spell's days from DRD to discharge (0 with no DRD), and the mask of missing DRDs.

    Raises ValueError when a spell has no discharge date or left before its DRD."""
    ready, ready_missing, left, left_missing = _pair(drd, discharge)
    undischarged = int(np.count_nonzero(left_missing))
    if undischarged:
        raise ValueError(
            f"{undischarged} spell{'s' if undischarged != 1 else ''} without a discharge date: "
            "the DRD measures count discharges only"
        )
    delay = left - ready
    if ready_missing.any():
        delay[ready_missing] = 0
    return delay, ready_missing


def _slots(delay: np.ndarray) -> np.ndarray:
    return _SLOT_OF_DAYS[np.minimum(delay, _OPEN_BAND_FROM)]


def drd_measures(drd: Days, discharge: Days) -> DrdMeasures:
    """All DRD measures for the spells discharged in a window.

    1. Delay days per spell (missing DRD = 0; a discharge before the DRD raises ValueError).
    2. Put each delay in a slot (0 = not delayed, 1-6 = band) with a lookup on min(delay, 21).
    3. Count people and add up delay days per slot with np.bincount."""
    delay, ready_missing = delay_days(drd, discharge)
    slot = _slots(delay)
    people = np.bincount(slot, minlength=_SLOTS)
    bed_days = _whole(np.bincount(slot, weights=delay, minlength=_SLOTS))
    return DrdMeasures.from_slots(people.tolist(), bed_days, np.count_nonzero(ready_missing))


def _whole(sums: np.ndarray) -> list:
    # np.bincount adds weights as float64: exact for whole numbers below 2**53.
    return np.rint(sums).astype(np.int64).tolist()


def _factorise(key: Any) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(key)
    if arr.ndim != 1:
        raise ValueError("a group key must be one-dimensional")
    if arr.dtype.kind in "mM" and arr.size and not np.isnat(arr).any():
        # Dates and months number like integers: factorise the numbers, keep the unit.
        uniques, codes = _factorise(arr.view(np.int64))
        return uniques.view(arr.dtype), codes
    if arr.size and (arr.dtype.kind == "i" or (arr.dtype.kind == "u" and arr.itemsize < 8)):
        low, high = int(arr.min()), int(arr.max())
        if high - low <= max(4 * arr.size, 1 << 16):
            # Small integer range (council numbers, months): a presence table beats sorting.
            shifted = np.subtract(arr, low, dtype=np.intp)
            present = np.zeros(high - low + 1, dtype=bool)
            present[shifted] = True
            code_of = np.cumsum(present) - 1
            return (np.flatnonzero(present) + low).astype(arr.dtype), code_of[shifted]
    uniques, codes = np.unique(arr, return_inverse=True)
    return uniques, codes.reshape(-1)


def group_index(keys: Any) -> tuple[list[Hashable], np.ndarray]:
    """The distinct groups (sorted) and each row's group number.

    `keys` is one key array, or a tuple of key arrays for a composite key (council × month).
    1. Number each key's distinct values (a presence table for small integer ranges,
       np.unique otherwise).
    2. Combine the numbers into one per row (mixed radix, as np.ravel_multi_index).
    3. Keep only the combinations that occur, and name them by their key values."""
    parts = keys if isinstance(keys, tuple) else (keys,)
    factors = [_factorise(k) for k in parts]
    sizes = {len(codes) for _, codes in factors}
    if len(sizes) > 1:
        raise ValueError("every group key needs one value per spell")
    if len(factors) == 1:
        uniques, codes = factors[0]
        return uniques.tolist(), codes
    if not sizes or sizes == {0}:
        return [], np.zeros(0, dtype=np.intp)
    dims = tuple(len(uniques) for uniques, _ in factors)
    combined = factors[0][1].astype(np.intp)
    for (_, codes), size in zip(factors[1:], dims[1:], strict=True):
        combined *= size
        combined += codes
    present, codes = _factorise(combined)
    positions = np.unravel_index(present, dims)
    columns = [u[p].tolist() for (u, _), p in zip(factors, positions, strict=True)]
    return list(zip(*columns, strict=True)), codes


def drd_measures_by(keys: Any, drd: Days, discharge: Days) -> dict[Hashable, DrdMeasures]:
    """The DRD measures per group (e.g. per council × discharge month) in one pass.

    1. Number the groups with group_index.
    2. Delay days and slots as in drd_measures.
    3. One np.bincount over (group, slot) cells for people, one for bed days."""
    labels, group = group_index(keys)
    delay, ready_missing = delay_days(drd, discharge)
    if len(group) != len(delay):
        raise ValueError("every group key needs one value per spell")
    n = len(labels)
    cell = group * _SLOTS + _slots(delay)
    people = np.bincount(cell, minlength=n * _SLOTS).reshape(n, _SLOTS).tolist()
    bed_days = _whole(np.bincount(cell, weights=delay, minlength=n * _SLOTS).reshape(n, _SLOTS))
    missing = np.bincount(group[ready_missing], minlength=n).tolist()
    return {
        label: DrdMeasures.from_slots(people[i], bed_days[i], missing[i])
        for i, label in enumerate(labels)
    }


def delayed_days_in_period(drd: Days, discharge: Days, period_start: Any, period_end: Any) -> int:
    """Delayed days inside the period from `period_start` to `period_end` (both included).

    1. Each delay spans the days [DRD, discharge); a spell still in hospital (discharge
       None/NaT) is delayed up to the end of the period; a missing DRD gives no days.
    2. Clip each span to the period and add up what is left."""
    first, end = _day(period_start), _day(period_end) + 1
    if end <= first:
        raise ValueError("the period ends before it starts")
    ready, ready_missing, left, left_missing = _pair(drd, discharge)
    begin = np.maximum(ready, first)
    stop = np.where(left_missing, end, np.minimum(left, end))
    days = np.clip(stop - begin, 0, None)
    return int(days[~ready_missing].sum())


def delayed_days_by_period(
    keys: Any, drd: Days, discharge: Days, period_starts: Days, period_end: Any
) -> DelayedDays:
    """Delayed days per group per period (e.g. per council per month) in one pass.

    Period i runs from period_starts[i] to the day before period_starts[i + 1]; the last runs
    to period_end (included). Each cell equals delayed_days_in_period for that group and period.
    1. Clip each delay span [DRD, discharge) to [first start, period_end]; a spell still in
       hospital runs to the end; a missing DRD gives an empty span.
    2. Add +1 on each span's first day and -1 on the day after its last, per group, with two
       np.bincount calls over (group, day) cells; empty spans cancel out.
    3. A running sum along the days gives the people delayed on each day.
    4. Add the days up within each period with np.add.reduceat."""
    starts, starts_missing = as_days(period_starts)
    if not len(starts) or starts_missing.any() or np.any(np.diff(starts) <= 0):
        raise ValueError("period starts must be given in increasing order")
    first, end = int(starts[0]), _day(period_end) + 1
    if end <= int(starts[-1]):
        raise ValueError("the last period ends before it starts")
    labels, group = group_index(keys)
    ready, ready_missing, left, left_missing = _pair(drd, discharge)
    if len(group) != len(ready):
        raise ValueError("every group key needs one value per spell")
    width = end - first + 1  # one spare day for spans that run to the end
    stop = np.where(left_missing, end, np.clip(left, first, end))
    begin = np.where(ready_missing, stop, np.clip(ready, first, end))
    stop = np.maximum(stop, begin)
    base = group.astype(np.int64) * width - first
    cells = len(labels) * width
    change = np.bincount(base + begin, minlength=cells) - np.bincount(base + stop, minlength=cells)
    by_day = np.cumsum(change.reshape(len(labels), width), axis=1)[:, :-1]
    per_period = np.add.reduceat(by_day, starts - first, axis=1) if by_day.size else by_day
    return DelayedDays(
        labels=labels,
        period_starts=starts.astype("datetime64[D]"),
        days=per_period.reshape(len(labels), len(starts)),
        delayed_by_day=by_day,
    )

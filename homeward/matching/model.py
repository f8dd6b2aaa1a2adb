"""Needs, ranking weights and the offer table: the plain data matching works on.

Pure Python + NumPy, no Django. An adapter turns service offers, their latest capacity reports
and their locations into `OfferRow`s once, builds an `OfferTable` from them, and keeps it
current with `OfferTable.set_capacity` as providers report vacancies.

The table is columnar and sorted by (care type, area, latitude), so a search touches only the
rows of one care type and, for places matched by distance, one latitude band of them.
An offer with an `area` (home care, reablement, live-in: care delivered where the person lives)
is matched by the person's home area; an offer without one (a bed, a place) by distance from
the person's home."""

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

EARTH_RADIUS_KM = 6371.0088
# Mirrors the care types seeded in directory migration 0002; the adapter passes the live values.
DEFAULT_STALE_AFTER_HOURS = {
    "residential": 24.0,
    "nursing": 24.0,
    "residential-dementia": 24.0,
    "nursing-dementia": 24.0,
    "d2a-bed": 12.0,
    "respite": 48.0,
    "home-care": 72.0,
    "reablement": 48.0,
    "live-in": 72.0,
    "supported-living": 168.0,
    "hospice": 24.0,
}
# How "why not?" names a missing care type: "no nursing".
CARE_TYPE_WORDS = {
    "residential": "residential care",
    "nursing": "nursing",
    "residential-dementia": "residential dementia care",
    "nursing-dementia": "nursing dementia care",
    "d2a-bed": "discharge-to-assess beds",
    "respite": "respite",
    "home-care": "home care",
    "reablement": "reablement",
    "live-in": "live-in care",
    "supported-living": "supported living",
    "hospice": "hospice care",
}
# CQC rating to the 0..1 quality component. A new service without a rating sits in the middle.
RATING_SCORES = {
    "Outstanding": 1.0,
    "Good": 0.75,
    "Not rated": 0.5,
    "Requires improvement": 0.25,
    "Inadequate": 0.0,
}
FUNDING_ROUTES = ("council", "chc", "joint", "self", "unknown")
# Who pays decides whether the budget is a hard limit. The council (and a joint package, part
# council) pays at most the personal budget; NHS continuing healthcare pays at most its agreed
# rate, recorded as the budget. A self-funder pays the home's own rate, and while funding is
# still unknown nobody may be ruled out, so for those two the budget only steers the cost score.
BUDGET_LIMITED_ROUTES = frozenset({"council", "chc", "joint"})
UNKNOWN_RESPONSE = 0.5
# Highest bit of OfferTable.bits: the offer could take someone (vacancy, open, put forward).
USABLE_BIT = 1 << 63
MAX_TRAIT_BITS = 63


@dataclass(frozen=True)
class Need:
    """What one person needs, where they live and how far they (or the council) will look.

    `lat`/`lon` is home (degrees); places are searched within `radius_km` of it. `home_area` is
    the area name offers of care at home use for it (a council name or an outcode).
    `waiting_days` orders first come, first served; `case_id` lets an adapter map back."""

    care_type: str
    lat: float | None = None
    lon: float | None = None
    radius_km: float = 20.0
    specialisms: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    funding_route: str = "unknown"
    weekly_budget: float | None = None
    preferred_location_ids: tuple[int, ...] = ()
    home_area: str = ""
    waiting_days: int = 0
    case_id: int | None = None

    def __post_init__(self) -> None:
        for name in ("specialisms", "capabilities", "preferred_location_ids"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.funding_route not in FUNDING_ROUTES:
            raise ValueError(f"funding_route must be one of {', '.join(FUNDING_ROUTES)}")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        if not (self.radius_km > 0 and math.isfinite(self.radius_km)):
            raise ValueError("radius_km must be a positive number")
        if self.weekly_budget is not None and not self.weekly_budget > 0:
            raise ValueError("weekly_budget must be positive when given")
        if self.waiting_days < 0:
            raise ValueError("waiting_days cannot be negative")

    @property
    def budget_limited(self) -> bool:
        """Whether the weekly budget is a hard limit for this funding route."""
        return self.weekly_budget is not None and self.funding_route in BUDGET_LIMITED_ROUTES


@dataclass(frozen=True)
class Weights:
    """Weights of the five score components; the score is their weighted mean (0..1)."""

    distance: float = 0.3
    quality: float = 0.3
    cost: float = 0.2
    preference: float = 0.1
    response: float = 0.1

    def __post_init__(self) -> None:
        values = self.as_tuple()
        if not all(math.isfinite(w) and w >= 0 for w in values):
            raise ValueError("weights must be finite and not negative")
        if sum(values) <= 0:
            raise ValueError("at least one weight must be positive")

    @classmethod
    def quality_cost_60_40(cls) -> "Weights":
        """The e-brokerage rule some councils use: 60% quality, 40% cost."""
        return cls(distance=0.0, quality=0.6, cost=0.4, preference=0.0, response=0.0)

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        """(distance, quality, cost, preference, response)."""
        return (self.distance, self.quality, self.cost, self.preference, self.response)


@dataclass(frozen=True)
class OfferRow:
    """One service offer with its location's facts and its latest capacity report.

    `name` is how explanations name the offer (its location's name); the offer id when blank.
    `vacancies` counts people it can take now: free beds, or for care at home the packages the
    free hours allow (the adapter converts). `hold_back` holds the plain-words reasons the
    location is not put forward (`directory.models.hold_back_reasons`; empty when cleared)."""

    offer_id: int
    location_id: int
    care_type: str
    lat: float | None
    lon: float | None
    vacancies: int
    reported_at: datetime | None
    closed: bool = False
    capabilities: tuple[str, ...] = ()
    specialisms: tuple[str, ...] = ()
    weekly_price: float | None = None
    rating: str = "Not rated"
    hold_back: tuple[str, ...] = ()
    area: str = ""
    response_rate: float | None = None
    name: str = ""


@dataclass(frozen=True)
class OfferTable:
    """Every offer as NumPy columns, sorted by (care type, area, latitude).

    `lat` is in radians, `xyz` the unit vector of each position (NaN when unknown). `bits`
    holds one bit per capability and per specialism, plus USABLE_BIT; `hold_back` one bit per
    hold-back reason. Unknown prices are +inf (never within a budget); capacity never reported
    has reported_at NaN (never fresh); an unknown response rate counts as UNKNOWN_RESPONSE.
    `source` keeps each row's OfferRow, so a match can show the facts it was ranked on."""

    offer_id: np.ndarray
    location_id: np.ndarray
    care_type: np.ndarray
    area: np.ndarray
    lat: np.ndarray
    xyz: np.ndarray
    bits: np.ndarray
    price: np.ndarray
    quality: np.ndarray
    response: np.ndarray
    vacancies: np.ndarray
    closed: np.ndarray
    reported_at: np.ndarray
    hold_back: np.ndarray
    source: list[OfferRow] = field(repr=False)
    care_types: tuple[str, ...]
    areas: tuple[str, ...]
    hold_back_reasons: tuple[str, ...]
    trait_bits: dict[tuple[str, str], int]
    stale_after_s: np.ndarray
    reference_price: np.ndarray
    groups: dict[tuple[int, int], tuple[int, int]]
    care_type_index: dict[str, int]
    area_index: dict[str, int]
    row_of: dict[int, int] = field(repr=False)
    static_scores: dict[tuple[float, ...], np.ndarray] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[OfferRow],
        stale_after_hours: dict[str, float] | None = None,
    ) -> "OfferTable":
        """Build the table once from plain rows (offer ids must be unique)."""
        stale = DEFAULT_STALE_AFTER_HOURS | (stale_after_hours or {})
        care_types = tuple(sorted(stale.keys() | {r.care_type for r in rows}))
        areas = ("", *sorted({r.area for r in rows} - {""}))
        reasons = tuple(sorted({h for r in rows for h in r.hold_back}))
        traits = _trait_bits(rows)
        columns = _columns(rows, care_types, areas, reasons, traits)
        prices = reference_prices(rows)
        order = np.lexsort((columns["lat"], columns["area"], columns["care_type"]))
        columns = {name: values[order] for name, values in columns.items()}
        if len(np.unique(columns["offer_id"])) != len(rows):
            raise ValueError("offer ids must be unique")
        table = cls(
            **columns,
            source=[rows[i] for i in order],
            care_types=care_types,
            areas=areas,
            hold_back_reasons=reasons,
            trait_bits=traits,
            stale_after_s=np.array([stale.get(c, 24.0) * 3600.0 for c in care_types]),
            reference_price=np.array([prices.get(c, 1.0) for c in care_types]),
            groups=_groups(columns["care_type"], columns["area"]),
            care_type_index={c: i for i, c in enumerate(care_types)},
            area_index={a: i for i, a in enumerate(areas)},
            row_of={int(o): i for i, o in enumerate(columns["offer_id"])},
        )
        table.bits[:] = table.bits | np.where(table.usable(), np.uint64(USABLE_BIT), np.uint64(0))
        return table

    def __len__(self) -> int:
        return len(self.offer_id)

    def usable(self) -> np.ndarray:
        """Offers that could take someone now, freshness aside: vacancy, open, put forward."""
        return (self.vacancies > 0) & ~self.closed & (self.hold_back == 0)

    def set_capacity(
        self, offer_id: int, vacancies: int, reported_at: datetime, closed: bool = False
    ) -> None:
        """Record a new capacity report for one offer, in place."""
        row = self.row_of[offer_id]
        self.source[row] = replace(
            self.source[row], vacancies=vacancies, reported_at=reported_at, closed=closed
        )
        self.vacancies[row] = vacancies
        self.reported_at[row] = reported_at.timestamp()
        self.closed[row] = closed
        usable = vacancies > 0 and not closed and self.hold_back[row] == 0
        others = int(self.bits[row]) & ~USABLE_BIT
        self.bits[row] = others | (USABLE_BIT if usable else 0)

    def static_score(self, weights: Weights) -> np.ndarray:
        """quality * w_quality + response * w_response of every row, cached per weights."""
        key = weights.as_tuple()
        if key not in self.static_scores:
            self.static_scores[key] = weights.quality * self.quality + (
                weights.response * self.response
            )
        return self.static_scores[key]

    def trait_mask(self, kind: str, names: Iterable[str]) -> tuple[int, tuple[str, ...]]:
        """Bitmask of the named capabilities or specialisms, and the names no offer has."""
        mask, unknown = 0, []
        for name in names:
            bit = self.trait_bits.get((kind, name))
            if bit is None:
                unknown.append(name)
            else:
                mask |= bit
        return mask, tuple(unknown)

    def traits_of(self, row: int, kind: str) -> set[str]:
        """The capabilities or specialisms of one row, by name."""
        value = int(self.bits[row])
        return {name for (k, name), bit in self.trait_bits.items() if k == kind and value & bit}


def _trait_bits(rows: Sequence[OfferRow]) -> dict[tuple[str, str], int]:
    """One bit per capability and specialism seen in the rows."""
    names = sorted(
        {("capability", c) for r in rows for c in r.capabilities}
        | {("specialism", s) for r in rows for s in r.specialisms}
    )
    if len(names) > MAX_TRAIT_BITS:
        raise ValueError(f"at most {MAX_TRAIT_BITS} capabilities and specialisms together")
    return {name: 1 << i for i, name in enumerate(names)}


def _columns(
    rows: Sequence[OfferRow],
    care_types: tuple[str, ...],
    areas: tuple[str, ...],
    reasons: tuple[str, ...],
    traits: dict[tuple[str, str], int],
) -> dict[str, np.ndarray]:
    """The table's columns in row order (before sorting)."""
    ct_index = {c: i for i, c in enumerate(care_types)}
    area_index = {a: i for i, a in enumerate(areas)}
    reason_bit = {h: 1 << i for i, h in enumerate(reasons)}
    lat = np.radians([np.nan if r.lat is None else r.lat for r in rows])
    lon = np.radians([np.nan if r.lon is None else r.lon for r in rows])
    response = [UNKNOWN_RESPONSE if r.response_rate is None else r.response_rate for r in rows]
    return {
        "offer_id": np.array([r.offer_id for r in rows], dtype=np.int64),
        "location_id": np.array([r.location_id for r in rows], dtype=np.int64),
        "care_type": np.array([ct_index[r.care_type] for r in rows], dtype=np.int16),
        "area": np.array([area_index[r.area] for r in rows], dtype=np.int32),
        "lat": lat,
        "xyz": np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat))),
        "bits": np.array([_trait_value(r, traits) for r in rows], dtype=np.uint64),
        "price": np.array([np.inf if r.weekly_price is None else r.weekly_price for r in rows]),
        "quality": np.array([RATING_SCORES[r.rating] for r in rows]),
        "response": np.array(response, dtype=float),
        "vacancies": np.array([r.vacancies for r in rows], dtype=np.int64),
        "closed": np.array([r.closed for r in rows], dtype=bool),
        "reported_at": np.array(
            [np.nan if r.reported_at is None else r.reported_at.timestamp() for r in rows]
        ),
        "hold_back": np.array(
            [sum(reason_bit[h] for h in set(r.hold_back)) for r in rows], dtype=np.int64
        ),
    }


def _trait_value(row: OfferRow, traits: dict[tuple[str, str], int]) -> int:
    """The bits of one row's capabilities and specialisms."""
    value = 0
    for name in row.capabilities:
        value |= traits[("capability", name)]
    for name in row.specialisms:
        value |= traits[("specialism", name)]
    return value


def reference_prices(rows: Iterable[OfferRow]) -> dict[str, float]:
    """Median known weekly price per care type: the cost yardstick when a need has no budget."""
    prices: dict[str, list[float]] = {}
    for r in rows:
        if r.weekly_price is not None:
            prices.setdefault(r.care_type, []).append(r.weekly_price)
    return {c: statistics.median(p) for c, p in prices.items()}


def _groups(care_type: np.ndarray, area: np.ndarray) -> dict[tuple[int, int], tuple[int, int]]:
    """Row range [start, end) of each (care type, area) in the sorted table."""
    if len(care_type) == 0:
        return {}
    key = care_type.astype(np.int64) << 32 | area.astype(np.int64)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], len(key)]
    return {
        (int(care_type[s]), int(area[s])): (int(s), int(e))
        for s, e in zip(starts, ends, strict=True)
    }

"""The shortlist for one person: offers that meet every hard requirement, ranked by a
transparent score, each row saying why it ranks there; and "why not this home?".

Hard filters (every one must hold):
1. the offer's care type is the one assessed;
2. the location has every capability and specialism asked for (one bitmask test);
3. usable: a vacancy (beds, or packages for care at home) > 0, not closed to admissions, and
   the location put forward (no hold-back reason, or cleared by a commissioner);
4. fresh: the vacancy was reported within the care type's `stale_after_hours` of `now`;
5. budget: weekly price <= weekly budget when the funding route makes the budget a limit
   (council, NHS continuing healthcare, joint; see `model.BUDGET_LIMITED_ROUTES`); an offer
   with no stated price never passes a budget limit;
6. geography: an offer without an area is within `radius_km` of home (great-circle
   distance, rounded to the metre); an offer with an area serves the person's `home_area`.

Score = sum(weight * component) / sum(weights), every component in 0..1:
- distance   = 1 - distance / radius_km (1 for an offer serving the home area);
- quality    = CQC rating: Outstanding 1, Good 0.75, not rated 0.5, Requires improvement 0.25;
- cost       = clip(1.5 - price / reference, 0, 1), the reference being the weekly budget or,
               with none, the care type's median price: half the reference or less scores 1,
               the reference 0.5, one and a half times it 0; no stated price scores 0;
- preference = 1 when the person or family named the location, else 0;
- response   = the provider's recent share of referrals answered (0.5 when unknown).
The sum is taken in one fixed order, (((quality + response) + distance) + cost) + preference,
so the vectorised shortlist, the NumPy scan and the Python loop below agree bit for bit.
Equal scores rank by offer id."""

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from homeward.matching.model import (
    CARE_TYPE_WORDS,
    DEFAULT_STALE_AFTER_HOURS,
    EARTH_RADIUS_KM,
    RATING_SCORES,
    UNKNOWN_RESPONSE,
    USABLE_BIT,
    Need,
    OfferRow,
    OfferTable,
    Weights,
    reference_prices,
)

LONDON = ZoneInfo("Europe/London")
# Search boxes reach this much further than the radius, so rounding never hides an offer.
BOX_MARGIN_KM = 0.01
EMPTY_ROWS = np.empty(0, dtype=np.int64)
QUARTERS = np.full(3, 0.25)  # (chord / 2)^2 = sum(diff^2) / 4, exactly


class Match(NamedTuple):
    """One shortlisted offer, its score, and the facts it was ranked on."""

    offer_id: int
    location_id: int
    score: float
    distance_km: float | None
    offer: OfferRow
    need: Need
    reference_price: float
    now: datetime

    @property
    def components(self) -> tuple[float, float, float, float, float]:
        """(distance, quality, cost, preference, response), each 0..1."""
        return components(self.offer, self.need, self.distance_km, self.reference_price)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the offer ranks where it does, in the words a broker would use."""
        offer, need = self.offer, self.need
        dist = self.distance_km
        reasons = [f"{_km(dist)} away" if dist is not None else f"serves {offer.area}"]
        rating = offer.rating
        reasons.append("not yet rated" if rating == "Not rated" else f"rated {rating}")
        reasons.append(_cost_words(need, offer.weekly_price))
        if offer.location_id in need.preferred_location_ids:
            reasons.append("where the person would like to be")
        if offer.response_rate is not None:
            reasons.append(f"answers {offer.response_rate:.0%} of referrals")
        age = (self.now - offer.reported_at).total_seconds()
        reasons.append(f"{offer.vacancies} free, updated {_age(age)}")
        return tuple(reasons)


def shortlist(
    table: OfferTable, need: Need, weights: Weights, k: int = 20, now: datetime | None = None
) -> list[Match]:
    """The best k offers meeting every hard requirement, best first."""
    if k < 1:
        raise ValueError("k must be at least 1")
    now = _now(now)
    rows, km, near = feasible(table, need, now.timestamp())
    score = scores(table, need, weights, rows, km)
    best = top_k(score, table.offer_id[rows], k)
    return _matches(table, need, rows[best], score[best], km[best], best < near, now)


def feasible(table: OfferTable, need: Need, now_s: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows meeting every hard filter, their distance in km, and how many of them (the first
    ones) were matched by distance; the rest serve the home area (distance 0 for scoring)."""
    ct = table.care_type_index.get(need.care_type)
    required = _required_bits(table, need)
    if ct is None or required is None:
        return EMPTY_ROWS, np.empty(0), 0
    cutoff = now_s - table.stale_after_s[ct]
    rows, km = _near(table, need, ct, required, cutoff)
    area = table.area_index.get(need.home_area) if need.home_area else None
    group = table.groups.get((ct, area))
    if area is None or group is None:
        return rows, km, len(rows)
    start, end = group
    served = start + _passes(table, need, required, cutoff, start, end).nonzero()[0]
    if len(rows) == 0:
        return served, np.zeros(len(served)), 0
    return (
        np.concatenate((rows, served)),
        np.concatenate((km, np.zeros(len(served)))),
        len(rows),
    )


def scores(
    table: OfferTable, need: Need, weights: Weights, rows: np.ndarray, km: np.ndarray
) -> np.ndarray:
    """The score of each feasible row, summed in the documented order."""
    total = table.static_score(weights)[rows]
    distance = km / need.radius_km
    total += weights.distance * np.subtract(1.0, distance, out=distance)
    cost = table.price[rows]
    cost /= cost_reference(table, need)
    np.subtract(1.5, cost, out=cost)
    if not need.budget_limited:  # within a budget the cost component is at least 0.5 already
        np.maximum(cost, 0.0, out=cost)
    np.minimum(cost, 1.0, out=cost)
    cost *= weights.cost
    total += cost
    if need.preferred_location_ids:
        locations = table.location_id[rows]
        named = np.zeros(len(rows), dtype=bool)
        for location_id in need.preferred_location_ids:
            named |= locations == location_id
        total += weights.preference * named
    return total / sum(weights.as_tuple())


def top_k(score: np.ndarray, offer_ids: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first, equal scores by offer id."""
    n = len(score)
    if n <= k:
        return np.lexsort((offer_ids, -score))
    kth = np.partition(score, n - k)[n - k]
    candidates = (score >= kth).nonzero()[0]
    order = np.lexsort((offer_ids[candidates], -score[candidates]))
    return candidates[order[:k]]


def cost_reference(table: OfferTable, need: Need) -> float:
    """The price the cost component is measured against: the budget, or the median price."""
    if need.weekly_budget is not None:
        return need.weekly_budget
    return float(table.reference_price[table.care_type_index[need.care_type]])


def components(
    offer: OfferRow, need: Need, distance_km: float | None, reference_price: float
) -> tuple[float, float, float, float, float]:
    """The five 0..1 score components of one offer for one need."""
    distance = 1.0 if distance_km is None else 1.0 - distance_km / need.radius_km
    price = math.inf if offer.weekly_price is None else offer.weekly_price
    cost = min(1.0, max(0.0, 1.5 - price / reference_price))
    preference = 1.0 if offer.location_id in need.preferred_location_ids else 0.0
    response = UNKNOWN_RESPONSE if offer.response_rate is None else offer.response_rate
    return (distance, RATING_SCORES[offer.rating], cost, preference, response)


def score_of(parts: tuple[float, float, float, float, float], weights: Weights) -> float:
    """One score from its components, summed in the documented order."""
    w_distance, w_quality, w_cost, w_preference, w_response = weights.as_tuple()
    total = w_quality * parts[1] + w_response * parts[4]
    total = total + w_distance * parts[0]
    total = total + w_cost * parts[2]
    total = total + w_preference * parts[3]
    return total / sum(weights.as_tuple())


def scan_shortlist(
    table: OfferTable, need: Need, weights: Weights, k: int = 20, now: datetime | None = None
) -> list[Match]:
    """The same shortlist by a plain NumPy scan of every offer: the benchmark's baseline."""
    now = _now(now)
    ct = table.care_type_index.get(need.care_type, -1)
    required = _required_bits(table, need)
    if required is None:
        return []
    bits = np.uint64(required)
    ok = (table.care_type == ct) & ((table.bits & bits) == bits)
    ok &= table.reported_at >= now.timestamp() - table.stale_after_s[table.care_type]
    if need.budget_limited:
        ok &= table.price <= need.weekly_budget
    km = np.full(len(table), np.inf)
    if need.lat is not None:
        km = _km_to(table, _unit(need), np.arange(len(table)))
    near = (table.area == 0) & (km <= need.radius_km)
    area = table.area_index.get(need.home_area, -1) if need.home_area else -1
    rows = np.flatnonzero(ok & (near | (table.area == area)))
    by_distance = table.area[rows] == 0
    km = np.where(by_distance, km[rows], 0.0)
    score = scores(table, need, weights, rows, km)
    best = top_k(score, table.offer_id[rows], k)
    return _matches(table, need, rows[best], score[best], km[best], by_distance[best], now)


def brute_force_shortlist(
    rows: Iterable[OfferRow],
    need: Need,
    weights: Weights,
    k: int = 20,
    now: datetime | None = None,
    stale_after_hours: dict[str, float] | None = None,
) -> list[Match]:
    """The same shortlist by a plain Python loop over the rows: the reference for tests."""
    rows = list(rows)
    now = _now(now)
    stale = DEFAULT_STALE_AFTER_HOURS | (stale_after_hours or {})
    references = reference_prices(rows)
    found = []
    for row in rows:
        if not _row_fits(row, need, now.timestamp(), stale):
            continue
        dist = None if row.area else _row_km(row, need)
        reference = need.weekly_budget or references.get(row.care_type, 1.0)
        score = score_of(components(row, need, dist, reference), weights)
        found.append(Match(row.offer_id, row.location_id, score, dist, row, need, reference, now))
    found.sort(key=lambda m: (-m.score, m.offer_id))
    return found[:k]


def why_not(table: OfferTable, need: Need, offer_id: int, now: datetime | None = None) -> list[str]:
    """Every reason, in plain words, that one offer is not on the person's shortlist.

    An empty list means the offer meets every hard requirement and was only outranked."""
    row = table.row_of[offer_id]
    reasons = []
    if table.care_types[table.care_type[row]] != need.care_type:
        reasons.append(f"no {CARE_TYPE_WORDS.get(need.care_type, need.care_type)}")
    held = int(table.hold_back[row])
    reasons += [
        f"not put forward: {reason}"
        for i, reason in enumerate(table.hold_back_reasons)
        if held & (1 << i)
    ]
    reasons += _capacity_reasons(table, row, _now(now))
    reasons += _trait_reasons(table, need, row)
    reasons += _place_reasons(table, need, row)
    if need.budget_limited:
        price = float(table.price[row])
        if math.isinf(price):
            reasons.append("weekly price not stated")
        elif price > need.weekly_budget:
            reasons.append(f"{_money(price - need.weekly_budget)} above budget")
    return reasons


def why_not_location(
    table: OfferTable, need: Need, location_id: int, now: datetime | None = None
) -> list[str]:
    """Why not this home? The reasons for its offer of the care type assessed (or, without
    one, for its offer with fewest reasons)."""
    rows = np.flatnonzero(table.location_id == location_id)
    if len(rows) == 0:
        raise KeyError(location_id)
    answers = [why_not(table, need, int(table.offer_id[r]), now) for r in rows]
    same_type = [
        answer
        for answer, r in zip(answers, rows, strict=True)
        if table.care_types[table.care_type[r]] == need.care_type
    ]
    return min(same_type or answers, key=len)


# ------------------------------------------------------------------------- filters


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _required_bits(table: OfferTable, need: Need) -> int | None:
    """Bits an offer must have, or None when no offer has some capability or specialism."""
    caps, unknown_caps = table.trait_mask("capability", need.capabilities)
    specs, unknown_specs = table.trait_mask("specialism", need.specialisms)
    if unknown_caps or unknown_specs:
        return None
    return USABLE_BIT | caps | specs


def _passes(
    table: OfferTable, need: Need, required: int, cutoff: float, start: int, end: int
) -> np.ndarray:
    """Boolean mask over rows [start, end) of the filters that need no geography."""
    bits = np.uint64(required)
    ok = (table.bits[start:end] & bits) == bits
    ok &= table.reported_at[start:end] >= cutoff
    if need.budget_limited:
        ok &= table.price[start:end] <= need.weekly_budget
    return ok


def _near(
    table: OfferTable, need: Need, ct: int, required: int, cutoff: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rows without an area passing every filter within the radius, with their distance.

    1. Take the care type's rows without an area (sorted by latitude).
    2. Binary-search the latitude band the radius allows.
    3. Keep the band's rows inside the cone the radius allows (one dot product each) that
       pass the traits, capacity, freshness and budget filters.
    4. Measure the survivors exactly and keep those within the radius."""
    group = table.groups.get((ct, 0))
    if group is None or need.lat is None:
        return EMPTY_ROWS, np.empty(0)
    start, end = group
    reach = (need.radius_km + BOX_MARGIN_KM) / EARTH_RADIUS_KM
    lat0 = math.radians(need.lat)
    lo, hi = (start + table.lat[start:end].searchsorted((lat0 - reach, lat0 + reach))).tolist()
    home = _unit(need)
    ok = _passes(table, need, required, cutoff, lo, hi)
    ok &= table.xyz[lo:hi] @ home >= math.cos(reach)
    rows = lo + ok.nonzero()[0]
    km = _km_to(table, home, rows)
    keep = km <= need.radius_km
    return rows[keep], km[keep]


def _unit(need: Need) -> np.ndarray:
    """The unit vector of the person's home."""
    lat, lon = math.radians(need.lat), math.radians(need.lon)
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def _km_to(table: OfferTable, home: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from home to each row, from the chord, to the metre."""
    diff = table.xyz[rows] - home
    half_chord = np.sqrt(np.square(diff, out=diff) @ QUARTERS)
    metres = np.arcsin(half_chord, out=half_chord)
    metres *= 2000.0 * EARTH_RADIUS_KM
    return np.rint(metres, out=metres) / 1000.0


# ------------------------------------------------------------------- the plain loop


def _row_fits(row: OfferRow, need: Need, now_s: float, stale: dict[str, float]) -> bool:
    """Every hard filter, one row at a time."""
    if row.care_type != need.care_type or row.hold_back or row.closed or row.vacancies <= 0:
        return False
    if not set(need.capabilities) <= set(row.capabilities):
        return False
    if not set(need.specialisms) <= set(row.specialisms):
        return False
    if row.reported_at is None:
        return False
    if row.reported_at.timestamp() < now_s - stale.get(row.care_type, 24.0) * 3600.0:
        return False
    if need.budget_limited and (row.weekly_price is None or row.weekly_price > need.weekly_budget):
        return False
    if row.area:
        return row.area == need.home_area
    distance = _row_km(row, need)
    return distance is not None and distance <= need.radius_km


def _row_km(row: OfferRow, need: Need) -> float | None:
    """Haversine distance in km, rounded to the metre; None without both positions."""
    if need.lat is None or row.lat is None:
        return None
    lat0, lat1 = math.radians(need.lat), math.radians(row.lat)
    half_dlat = math.sin((lat1 - lat0) / 2)
    half_dlon = math.sin((math.radians(row.lon) - math.radians(need.lon)) / 2)
    h = half_dlat * half_dlat + math.cos(lat0) * math.cos(lat1) * (half_dlon * half_dlon)
    return round(2000.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))) / 1000.0


# --------------------------------------------------------------------- explanations


def _matches(
    table: OfferTable,
    need: Need,
    rows: np.ndarray,
    score: np.ndarray,
    km: np.ndarray,
    by_distance: np.ndarray,
    now: datetime,
) -> list[Match]:
    """Matches for the chosen rows, in order."""
    reference = cost_reference(table, need)
    source = table.source
    return [
        Match(
            (offer := source[row]).offer_id,
            offer.location_id,
            value,
            dist if near else None,
            offer,
            need,
            reference,
            now,
        )
        for row, value, dist, near in zip(
            rows.tolist(), score.tolist(), km.tolist(), by_distance.tolist(), strict=True
        )
    ]


def _cost_words(need: Need, price: float | None) -> str:
    if price is None:
        return "weekly price not stated"
    if need.weekly_budget is None:
        return f"{_money(price)} a week"
    gap = need.weekly_budget - price
    if abs(gap) < 0.5:
        return "at budget"
    return f"{_money(abs(gap))} {'under' if gap > 0 else 'above'} budget"


def _capacity_reasons(table: OfferTable, row: int, now: datetime) -> list[str]:
    reported_s = float(table.reported_at[row])
    if math.isnan(reported_s):
        return ["no vacancy figure reported"]
    reported = datetime.fromtimestamp(reported_s, UTC)
    if reported_s < now.timestamp() - table.stale_after_s[table.care_type[row]]:
        return [f"vacancy figure out of date (last updated {_when(reported, now)})"]
    if table.closed[row]:
        return [f"closed to admissions since {_when(reported, now)}"]
    if table.vacancies[row] <= 0:
        return [f"no vacancy since {_when(reported, now)}"]
    return []


def _trait_reasons(table: OfferTable, need: Need, row: int) -> list[str]:
    reasons = []
    missing = [c for c in need.capabilities if c not in table.traits_of(row, "capability")]
    if missing:
        reasons.append("cannot manage: " + ", ".join(c.replace("-", " ") for c in missing))
    missing = [s for s in need.specialisms if s not in table.traits_of(row, "specialism")]
    if missing:
        reasons.append("not registered for: " + ", ".join(missing))
    return reasons


def _place_reasons(table: OfferTable, need: Need, row: int) -> list[str]:
    area = table.areas[table.area[row]]
    if area:
        return [] if area == need.home_area else [f"serves {area}, not the home area"]
    if math.isnan(table.lat[row]):
        return ["no map position recorded"]
    if need.lat is None:
        return ["no home position to measure the distance from"]
    km = float(_km_to(table, _unit(need), np.array([row]))[0])
    if km > need.radius_km:
        return [f"{_km(km)} away (limit {need.radius_km:g} km)"]
    return []


def _km(dist: float) -> str:
    return f"{dist:.1f} km" if dist < 10 else f"{dist:.0f} km"


def _money(pounds: float) -> str:
    return f"£{pounds:,.0f}"


def _age(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"


def _when(at: datetime, now: datetime) -> str:
    """09:12 today; 3 Mar 09:12 on another day (UK time)."""
    local, today = at.astimezone(LONDON), now.astimezone(LONDON).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"

"""Plain-data factories and Hypothesis strategies for the matching tests (no database)."""

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from homeward.matching.model import EARTH_RADIUS_KM, RATING_SCORES, Need, OfferRow

# A March morning: GMT, so UK clock times equal UTC ones.
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
HOME = (53.45, -2.30)
CARE_TYPES = ("residential", "nursing", "home-care")
CAPABILITIES = ("hoist", "oxygen", "peg")
SPECIALISMS = ("Dementia", "Physical Disability")
AREAS = ("Trafford", "Salford")
HOLD_BACKS = ("rated Inadequate", "under investigation")


def north_of(lat: float, lon: float, km: float) -> tuple[float, float]:
    """The point `km` due north (a great-circle distance of exactly `km`)."""
    return lat + math.degrees(km / EARTH_RADIUS_KM), lon


def offer(offer_id: int = 1, **changes) -> OfferRow:
    """A nursing bed 1 km from HOME that fits `need()`, changed as asked."""
    lat, lon = north_of(*HOME, 1.0)
    row = OfferRow(
        offer_id=offer_id,
        location_id=100 + offer_id,
        care_type="nursing",
        lat=lat,
        lon=lon,
        vacancies=1,
        reported_at=NOW - timedelta(hours=2),
        capabilities=("hoist", "oxygen"),
        specialisms=("Dementia",),
        weekly_price=1200.0,
        rating="Good",
        response_rate=0.9,
    )
    return replace(row, **changes)


def need(**changes) -> Need:
    """A council-funded person needing nursing with a hoist within 20 km of HOME."""
    base = Need(
        care_type="nursing",
        lat=HOME[0],
        lon=HOME[1],
        radius_km=20.0,
        capabilities=("hoist",),
        funding_route="council",
        weekly_budget=1280.0,
    )
    return replace(base, **changes)


def _subset(options: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(options), unique=True, max_size=len(options)).map(tuple)


@st.composite
def offer_rows(draw, max_size: int = 24) -> list[OfferRow]:
    """A small random market around HOME, with ties and every kind of misfit."""
    count = draw(st.integers(0, max_size))
    rows = []
    for i in range(1, count + 1):
        care_type = draw(st.sampled_from(CARE_TYPES))
        placed = draw(st.booleans()) or care_type == "home-care"
        age = draw(st.one_of(st.none(), st.floats(0, 100)))
        rows.append(
            OfferRow(
                offer_id=i,
                location_id=draw(st.integers(1, max(1, count // 2 + 1))),
                care_type=care_type,
                lat=HOME[0] + draw(st.floats(-0.4, 0.4)) if placed else None,
                lon=HOME[1] + draw(st.floats(-0.6, 0.6)) if placed else None,
                vacancies=draw(st.integers(0, 3)),
                reported_at=None if age is None else NOW - timedelta(hours=age),
                closed=draw(st.booleans()) and draw(st.booleans()),
                capabilities=draw(_subset(CAPABILITIES)),
                specialisms=draw(_subset(SPECIALISMS)),
                weekly_price=draw(
                    st.one_of(st.none(), st.integers(16, 30).map(lambda p: p * 50.0))
                ),
                rating=draw(st.sampled_from(tuple(RATING_SCORES))),
                hold_back=draw(st.sampled_from(((),) * 4 + tuple((h,) for h in HOLD_BACKS))),
                area=draw(st.sampled_from(AREAS)) if care_type == "home-care" else "",
                response_rate=draw(st.one_of(st.none(), st.sampled_from((0.5, 0.8, 0.95)))),
            )
        )
    return rows


@st.composite
def needs(draw, locations: int = 12) -> Need:
    """A random person near HOME."""
    located = draw(st.booleans()) or draw(st.booleans())
    return Need(
        care_type=draw(st.sampled_from(CARE_TYPES)),
        lat=HOME[0] + draw(st.floats(-0.2, 0.2)) if located else None,
        lon=HOME[1] + draw(st.floats(-0.3, 0.3)) if located else None,
        radius_km=draw(st.sampled_from((5.0, 10.0, 20.0, 40.0))),
        specialisms=draw(_subset(SPECIALISMS[:1])),
        capabilities=draw(st.lists(st.sampled_from(CAPABILITIES), max_size=1).map(tuple)),
        funding_route=draw(st.sampled_from(("council", "chc", "joint", "self", "unknown"))),
        weekly_budget=draw(st.one_of(st.none(), st.integers(16, 30).map(lambda p: p * 50.0))),
        preferred_location_ids=tuple(draw(st.lists(st.integers(1, locations), max_size=2))),
        home_area=draw(st.sampled_from(("", *AREAS))),
        waiting_days=draw(st.integers(0, 30)),
    )

"""Planning scenarios: an area's pathway services with their demand, capacity over time, length
of stay, starting position and costs; validation with clear errors; JSON-ready dicts; what-if
copies ("add 10 beds from day 60", "+15% demand"). Files: `homeward.planning.files`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import numpy as np

ARRIVALS = ("poisson", "even")
# The engine holds (replications x places) and (people x replications) arrays: bound both.
MAX_DAYS = 3660
MAX_PLACES = 20_000
DISTRIBUTIONS = ("lognormal", "exponential", "fixed")
COST_BASES = ("occupied", "capacity")


class ScenarioError(ValueError):
    """A scenario that cannot be simulated; the message names every problem found."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ScenarioError(message)


def _count(value: Any, what: str) -> int:
    """A whole number of zero or more, or a ScenarioError naming `what`."""
    _check(
        isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 0,
        f"{what} must be a whole number of zero or more, not {value!r}",
    )
    return int(value)


def _money(value: Any, what: str) -> float:
    """A finite amount of zero or more."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    _check(ok and math.isfinite(value) and value >= 0, f"{what} must be £0 or more, not {value!r}")
    return float(value)


def _profile(values: Sequence[float] | None, length: int, what: str) -> tuple[float, ...] | None:
    """Multipliers of the right length, none negative, not all zero; None stays None."""
    if values is None:
        return None
    array = np.asarray(values, dtype=float)
    _check(array.shape == (length,), f"{what} needs {length} numbers, not {array.size}")
    _check(
        bool(np.all(np.isfinite(array)) and np.all(array >= 0) and array.sum() > 0),
        f"{what} multipliers must be zero or more and not all zero",
    )
    return tuple(float(v) for v in array)


@dataclass(frozen=True)
class Demand:
    """People needing a service each day: a constant rate or one rate per day, shaped by
    optional weekday and month profiles (each scaled to mean 1, so the rate stays the average);
    arrivals are Poisson around the rate, or `even` (exactly the expected number, evenly spaced)."""

    rate: float | tuple[float, ...]
    weekday: tuple[float, ...] | None = None
    month: tuple[float, ...] | None = None
    arrivals: str = "poisson"

    def __post_init__(self):
        try:
            rates = np.asarray(self.rate, dtype=float)
        except (TypeError, ValueError):
            raise ScenarioError(f"demand rate must be numbers, not {self.rate!r}") from None
        _check(rates.ndim <= 1 and rates.size >= 1, "demand needs a rate or one rate per day")
        _check(
            bool(np.all(np.isfinite(rates)) and np.all(rates >= 0)),
            "demand must be zero or more people a day",
        )
        rate = float(rates) if rates.ndim == 0 else tuple(float(v) for v in rates)
        object.__setattr__(self, "rate", rate)
        object.__setattr__(self, "weekday", _profile(self.weekday, 7, "weekday profile"))
        object.__setattr__(self, "month", _profile(self.month, 12, "month profile"))
        _check(
            self.arrivals in ARRIVALS, f"arrivals must be one of {ARRIVALS}, not {self.arrivals!r}"
        )

    @property
    def days_given(self) -> int | None:
        """How many days a per-day rate covers; None for a constant rate."""
        return None if isinstance(self.rate, float) else len(self.rate)

    def daily(self, start: date, days: int) -> np.ndarray:
        """Expected people a day for `days` days from `start`."""
        rates = np.asarray(self.rate, dtype=float)
        rates = np.full(days, float(rates)) if rates.ndim == 0 else rates[:days].copy()
        if self.weekday is not None:
            shape = np.asarray(self.weekday) / np.mean(self.weekday)
            rates *= shape[(start.weekday() + np.arange(days)) % 7]
        if self.month is not None:
            shape = np.asarray(self.month) / np.mean(self.month)
            dates = np.datetime64(start, "D") + np.arange(days)
            rates *= shape[dates.astype("datetime64[M]").astype(np.int64) % 12]
        return rates

    def scaled(self, factor: float) -> Demand:
        """The same demand multiplied by `factor` (1.15 is +15%)."""
        _check(
            math.isfinite(factor) and factor >= 0, f"demand factor must be 0 or more, not {factor}"
        )
        rate = (
            self.rate * factor if isinstance(self.rate, float) else [r * factor for r in self.rate]
        )
        return replace(self, rate=rate)


@dataclass(frozen=True)
class Capacity:
    """Places in service over time: a number on day 0 and planned (day, places) changes.

    A fall in places never moves anyone out: the places that close are the next ones to become
    free, so occupancy can stay above the new figure until enough people leave."""

    initial: int
    changes: tuple[tuple[int, int], ...] = ()

    def __post_init__(self):
        _count(self.initial, "capacity")
        changes = tuple((int(day), int(places)) for day, places in self.changes)
        for day, places in changes:
            _check(day >= 1, f"a capacity change must be on day 1 or later, not day {day}")
            _count(places, f"capacity from day {day}")
        days = [day for day, _ in changes]
        _check(days == sorted(set(days)), "capacity changes must be on different days, in order")
        object.__setattr__(self, "changes", changes)

    def daily(self, days: int) -> np.ndarray:
        """Places on each of `days` days from the start."""
        places = np.full(days, self.initial, dtype=np.int64)
        for day, value in self.changes:
            places[day:] = value
        return places

    @property
    def final(self) -> int:
        """Places after the last change (kept beyond the horizon)."""
        return self.changes[-1][1] if self.changes else self.initial

    @property
    def peak(self) -> int:
        """The most places at any time."""
        return max([self.initial, *(places for _, places in self.changes)])

    def plus(self, extra: int, from_day: int, days: int) -> Capacity:
        """The same plan with `extra` places (negative to remove) from `from_day` on."""
        places = self.daily(days)
        places[from_day:] += extra
        _check(bool(np.all(places >= 0)), f"capacity would fall below zero with {extra:+d} places")
        return Capacity.from_daily(places)

    @classmethod
    def from_daily(cls, places: Sequence[int] | np.ndarray) -> Capacity:
        """The plan of a per-day array of places."""
        places = np.asarray(places, dtype=np.int64)
        steps = np.flatnonzero(np.diff(places)) + 1
        return cls(int(places[0]), tuple((int(d), int(places[d])) for d in steps))


@dataclass(frozen=True)
class Stay:
    """Days in service: lognormal from its median and mean, exponential or fixed (mean only)."""

    mean: float
    median: float | None = None
    distribution: str = "lognormal"

    def __post_init__(self):
        _check(
            self.distribution in DISTRIBUTIONS,
            f"stay distribution must be one of {DISTRIBUTIONS}, not {self.distribution!r}",
        )
        _check(_positive(self.mean), f"stay mean must be more than 0 days, not {self.mean!r}")
        if self.distribution != "lognormal":
            _check(self.median is None, f"give only the mean for a {self.distribution} stay")
            return
        _check(self.median is not None, "a lognormal stay needs a median as well as the mean")
        _check(_positive(self.median), f"stay median must be more than 0 days, not {self.median!r}")
        _check(
            self.mean > self.median,
            f"stay mean ({self.mean:g}) must be greater than the median ({self.median:g}): a "
            "lognormal's mean always is; for stays of one length use distribution 'fixed'",
        )

    @property
    def mu(self) -> float:
        """Log-scale location of the lognormal: ln(median)."""
        return math.log(self.median)

    @property
    def sigma(self) -> float:
        """Log-scale spread of the lognormal: mean = median * exp(sigma^2 / 2)."""
        return math.sqrt(2 * math.log(self.mean / self.median))

    @classmethod
    def fit(cls, durations: Sequence[float] | np.ndarray) -> Stay:
        """The lognormal of observed stays (days), from the mean and spread of their logs."""
        days = np.asarray(durations, dtype=float)
        _check(days.size >= 2 and bool(np.all(days > 0)), "fitting needs 2 or more stays > 0 days")
        logs = np.log(days)
        sigma = float(logs.std(ddof=1))
        _check(sigma > 0, "the stays are all the same length: use a fixed stay")
        median = math.exp(float(logs.mean()))
        return cls(mean=median * math.exp(sigma**2 / 2), median=median)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent stays."""
        if self.distribution == "lognormal":
            return rng.lognormal(self.mu, self.sigma, size)
        if self.distribution == "exponential":
            return rng.exponential(self.mean, size)
        return np.full(size, float(self.mean))

    def sample_length_biased(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Whole stays of people found in service at a random moment (long stays more likely)."""
        if self.distribution == "lognormal":
            return rng.lognormal(self.mu + self.sigma**2, self.sigma, size)
        if self.distribution == "exponential":
            return rng.gamma(2.0, self.mean, size)
        return np.full(size, float(self.mean))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        found = {"distribution": self.distribution, "mean": self.mean}
        return found if self.median is None else {**found, "median": self.median}


def _positive(value: Any) -> bool:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return ok and math.isfinite(value) and value > 0


@dataclass(frozen=True)
class Service:
    """One pathway service in one locality, with its demand, capacity, stays, start and costs."""

    name: str
    pathway: str
    locality: str
    demand: Demand
    capacity: Capacity
    stay: Stay
    in_service: int = 0
    waiting: int = 0
    service_cost: float = 0.0
    cost_basis: str = "occupied"
    bed_day_cost: float = 0.0

    def __post_init__(self):
        _check(bool(str(self.name).strip()), "a service needs a name")
        _check(bool(str(self.pathway).strip()), "a service needs a pathway (P1, P2, P3, ...)")
        _count(self.in_service, "people in service at the start")
        _count(self.waiting, "people waiting at the start")
        _check(
            self.in_service <= self.capacity.initial,
            f"{self.in_service} people in service at the start is more than the capacity "
            f"({self.capacity.initial})",
        )
        object.__setattr__(self, "service_cost", _money(self.service_cost, "service cost a day"))
        object.__setattr__(self, "bed_day_cost", _money(self.bed_day_cost, "bed-day cost"))
        _check(
            self.cost_basis in COST_BASES,
            f"cost basis must be one of {COST_BASES}, not {self.cost_basis!r}",
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        demand = self.demand
        return {
            "name": self.name,
            "pathway": self.pathway,
            "locality": self.locality,
            "demand": {
                "rate": demand.rate if isinstance(demand.rate, float) else list(demand.rate),
                "weekday": None if demand.weekday is None else list(demand.weekday),
                "month": None if demand.month is None else list(demand.month),
                "arrivals": demand.arrivals,
            },
            "capacity": {
                "initial": self.capacity.initial,
                "changes": [list(change) for change in self.capacity.changes],
            },
            "stay": self.stay.to_dict(),
            "in_service": self.in_service,
            "waiting": self.waiting,
            "service_cost": self.service_cost,
            "cost_basis": self.cost_basis,
            "bed_day_cost": self.bed_day_cost,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], start: date) -> Service:
        """The service of a JSON-ready dict; change days may be day numbers or dates."""
        demand, capacity, stay = _get(data, "demand"), _get(data, "capacity"), _get(data, "stay")
        changes = [(day_number(d, start), places) for d, places in capacity.get("changes") or ()]
        return cls(
            name=str(_get(data, "name")),
            pathway=str(_get(data, "pathway")),
            locality=str(data.get("locality") or ""),
            demand=Demand(
                rate=_get(demand, "rate"),
                weekday=demand.get("weekday"),
                month=demand.get("month"),
                arrivals=demand.get("arrivals") or "poisson",
            ),
            capacity=Capacity(initial=_get(capacity, "initial"), changes=tuple(changes)),
            stay=Stay(
                mean=_get(stay, "mean"),
                median=stay.get("median"),
                distribution=stay.get("distribution") or "lognormal",
            ),
            in_service=data.get("in_service", 0),
            waiting=data.get("waiting", 0),
            service_cost=data.get("service_cost", 0.0),
            cost_basis=data.get("cost_basis") or "occupied",
            bed_day_cost=data.get("bed_day_cost", 0.0),
        )


def _get(data: Mapping[str, Any], key: str) -> Any:
    _check(isinstance(data, Mapping), f"expected an object holding '{key}'")
    _check(data.get(key) is not None, f"'{key}' is missing")
    return data[key]


def day_number(value: int | str | date, start: date) -> int:
    """Days from `start` to `value`: a day number as it is, or a date (or YYYY-MM-DD text)."""
    if isinstance(value, date):
        return (value - start).days
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip()
    try:
        return int(text) if text.lstrip("-").isdigit() else (date.fromisoformat(text) - start).days
    except ValueError:
        raise ScenarioError(f"{value!r} is neither a day number nor a date YYYY-MM-DD") from None


@dataclass(frozen=True)
class Scenario:
    """What an analyst simulates: an area's services from a start date over a horizon of days."""

    name: str
    start: date
    days: int
    services: tuple[Service, ...]

    def __post_init__(self):
        object.__setattr__(self, "services", tuple(self.services))
        problems = [f"service '{s.name}': {p}" for s in self.services for p in self._problems(s)]
        if not isinstance(self.start, date) or isinstance(self.start, datetime):
            problems.insert(0, f"start must be a date, not {self.start!r}")
        if not (isinstance(self.days, int) and 1 <= self.days <= MAX_DAYS):
            problems.insert(0, f"horizon must be 1 to {MAX_DAYS:,} days, not {self.days!r}")
        if not self.services:
            problems.append("a scenario needs at least one service")
        names = [s.name for s in self.services]
        problems += [
            f"service name '{n}' is used twice" for n in sorted(set(names)) if names.count(n) > 1
        ]
        if problems:
            raise ScenarioError("\n".join(problems))

    def _problems(self, service: Service) -> list[str]:
        """What makes `service` unusable over this horizon."""
        found = []
        given = service.demand.days_given
        if given is not None and isinstance(self.days, int) and given < self.days:
            found.append(f"demand gives {given} days but the horizon is {self.days} days")
        late = [day for day, _ in service.capacity.changes if day >= self.days]
        if late and isinstance(self.days, int):
            found.append(
                f"capacity change on day {late[0]} is after the horizon ({self.days} days)"
            )
        if service.capacity.peak > MAX_PLACES:
            found.append(
                f"{service.capacity.peak:,} places is more than {MAX_PLACES:,}: split the "
                "service by locality"
            )
        if service.capacity.final < 1:
            found.append(
                "capacity must end at 1 place or more, or some people never leave hospital"
            )
        return found

    def service(self, name: str) -> Service:
        """The service called `name`."""
        for service in self.services:
            if service.name == name:
                return service
        raise ScenarioError(f"no service is called '{name}'; there are {self._names()}")

    def _names(self) -> str:
        return ", ".join(f"'{s.name}'" for s in self.services)

    def with_changes(
        self,
        *,
        name: str | None = None,
        demand_factor: float = 1.0,
        extra_capacity: int = 0,
        from_day: int | str | date = 0,
        services: Sequence[str] | None = None,
    ) -> Scenario:
        """A what-if copy: demand times `demand_factor` and `extra_capacity` places from
        `from_day` (a day number or a date), for every service or those named (by name or
        pathway)."""
        chosen = self._select(services)
        day = day_number(from_day, self.start)
        _check(0 <= day < self.days, f"day {from_day} is outside the horizon ({self.days} days)")
        changed = tuple(
            replace(
                s,
                demand=s.demand.scaled(demand_factor),
                capacity=s.capacity.plus(extra_capacity, day, self.days),
            )
            if s.name in chosen
            else s
            for s in self.services
        )
        return replace(self, name=name or f"{self.name} (changed)", services=changed)

    def _select(self, keys: Sequence[str] | None) -> set[str]:
        """Names of the services matching `keys` (names or pathways); all when None."""
        if keys is None:
            return {s.name for s in self.services}
        chosen = set()
        for key in keys:
            hits = {s.name for s in self.services if key in (s.name, s.pathway)}
            _check(
                bool(hits), f"no service or pathway is called '{key}'; services: {self._names()}"
            )
            chosen |= hits
        return chosen

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "days": self.days,
            "services": [s.to_dict() for s in self.services],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """The scenario of a JSON-ready dict, or a ScenarioError listing every problem."""
        start = start_date(_get(data, "start"))
        services, problems = [], []
        for number, item in enumerate(_get(data, "services"), start=1):
            label = item.get("name") if isinstance(item, Mapping) else None
            try:
                services.append(Service.from_dict(item, start))
            except (ScenarioError, TypeError, ValueError) as exc:
                problems.append(f"service {number} ('{label}'): {exc}")
        if problems:
            raise ScenarioError("\n".join(problems))
        return cls(str(_get(data, "name")), start, data.get("days"), tuple(services))


def start_date(value: Any) -> date:
    """A date, a datetime's date, or YYYY-MM-DD text as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ScenarioError(f"start {value!r} is not a date YYYY-MM-DD") from None

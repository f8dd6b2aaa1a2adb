"""Generate a realistic, England-scale CQC care directory as an "HSCA Active Locations" CSV.

Pure Python (standard library and NumPy, no Django). Which councils exist, their regions and the
outcodes where care providers sit come from real public files read at run time (see
`real_data_dir`); everything else is drawn from one NumPy generator seeded by the caller, so a
seed always gives the same bytes. Nothing generated is a real service: names are invented,
telephone numbers come from Ofcom's ranges reserved for drama, and inward postcodes are random.
"""

import csv
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import groupby
from pathlib import Path

import numpy as np

from homeward.core import councils as council_reference

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_NAME = "HSCA_Active_Locations.csv"
CENTROIDS_FILE = "postcodes/outcode_centroids.csv"
RATINGS_FILE = "cqc/Latest_ratings_2_2021_Prov.csv"
# The ratings file lists NHS and independent providers only, so it misses some councils (Trafford
# among them); a council's own care-home extract fills those in.
EXTRACT_FILES = ("cqc/trafford_care_homes_2026-02.csv",)

BASE_COLUMNS = [
    "Location ID",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Location Name",
    "Location ODS Code",
    "Location Telephone Number",
    "Registered manager",
    "Location Web Address",
    "Care homes beds",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Primary Inspection Category",
    "Location Latest Overall Rating",
    "Publication Date",
    "Inherited Rating (Y/N)",
    "Location Region",
    "Location NHS Region",
    "Location Local Authority",
    "Location ONSPD CCG Code",
    "Location ONSPD CCG",
    "Location Commissioning CCG Code",
    "Location Commissioning CCG",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location County",
    "Location Postal Code",
    "Location PAF ID",
    "Location UPRN ID",
    "Location Latitude",
    "Location Longitude",
    "Location Parliamentary Constituency",
    "Brand ID",
    "Brand Name",
    "Provider Companies House Number",
    "Provider Charity Number",
    "Provider ID",
    "Provider Name",
    "Provider HSCA start date",
    "Provider Type/Sector",
    "Provider Inspection Directorate",
    "Provider Primary Inspection Category",
    "Provider Ownership Type",
    "Provider Telephone Number",
    "Provider Web Address",
    "Provider Street Address",
    "Provider Address Line 2",
    "Provider City",
    "Provider County",
    "Provider Postal Code",
    "Provider PAF ID",
    "Provider UPRN ID",
    "Provider Local Authority",
    "Provider Region",
    "Provider NHS Region",
    "Provider Latitude",
    "Provider Longitude",
    "Provider Parliamentary Constituency",
    "Provider Nominated Individual Name",
    "Provider Main Partner Name",
]
REGULATED_ACTIVITIES = (
    "Accommodation for persons who require nursing or personal care",
    "Accommodation for persons who require treatment for substance misuse",
    "Assessment or medical treatment for persons detained under the Mental Health Act 1983",
    "Diagnostic and screening procedures",
    "Family planning",
    "Management of supply of blood and blood derived products",
    "Maternity and midwifery services",
    "Nursing care",
    "Personal care",
    "Services in slimming clinics",
    "Surgical procedures",
    "Termination of pregnancies",
    "Transport services, triage and medical advice provided remotely",
    "Treatment of disease, disorder or injury",
)
SERVICE_TYPES = (
    "Acute services with overnight beds",
    "Acute services without overnight beds / listed acute services with or without overnight beds",
    "Ambulance service",
    "Blood and Transplant service",
    "Care home service with nursing",
    "Care home service without nursing",
    "Community based services for people who misuse substances",
    "Community based services for people with a learning disability",
    "Community based services for people with mental health needs",
    "Community health care services - Independent Midwives",
    "Community health care services - Nurses Agency only",
    "Community healthcare service",
    "Dental service",
    "Diagnostic and/or screening service",
    "Diagnostic and/or screening service - single handed sessional providers",
    "Doctors consultation service",
    "Doctors treatment service",
    "Domiciliary care service",
    "Extra Care housing services",
    "Hospice services",
    "Hospice services at home",
    "Hospital services for people with mental health needs, learning disabilities and problems "
    "with substance misuse",
    "Hyperbaric Chamber",
    "Long term conditions services",
    "Mobile doctors service",
    "Prison Healthcare Services",
    "Rehabilitation services",
    "Remote clinical advice service",
    "Residential substance misuse treatment and/or rehabilitation service",
    "Shared Lives",
    "Specialist college service",
    "Supported living service",
    "Urgent care services",
)
SERVICE_USER_BANDS = (
    "Children 0-18 years",
    "Dementia",
    "Learning disabilities or autistic spectrum disorder",
    "Mental Health",
    "Older People",
    "People detained under the Mental Health Act",
    "People who misuse drugs and alcohol",
    "People with an eating disorder",
    "Physical Disability",
    "Sensory Impairment",
    "Whole Population",
    "Younger Adults",
)
HEADER = (
    BASE_COLUMNS
    + [f"Regulated activity - {x}" for x in REGULATED_ACTIVITIES]
    + [f"Service type - {x}" for x in SERVICE_TYPES]
    + [f"Service user band - {x}" for x in SERVICE_USER_BANDS]
    + ["Location Dual Registered", "Primary ID (Dual registration locations)"]
)
COLUMN_INDEX = {name: i for i, name in enumerate(HEADER)}

# Approximate published shares of England's care-home beds.
REGION_BED_SHARES = {
    "North East": 0.055,
    "North West": 0.145,
    "Yorkshire and The Humber": 0.105,
    "East Midlands": 0.095,
    "West Midlands": 0.11,
    "East of England": 0.12,
    "London": 0.09,
    "South East": 0.185,
    "South West": 0.095,
}
NHS_REGIONS = {
    "North East": "North East and Yorkshire",
    "Yorkshire and The Humber": "North East and Yorkshire",
    "North West": "North West",
    "East Midlands": "Midlands",
    "West Midlands": "Midlands",
    "East of England": "East of England",
    "London": "London",
    "South East": "South East",
    "South West": "South West",
}
# Ofcom reserves these numbers for drama, so no generated number rings a real service.
DRAMA_PHONE_PREFIXES = {
    "North East": "01914980",
    "North West": "01614960",
    "Yorkshire and The Humber": "01134960",
    "East Midlands": "01154960",
    "West Midlands": "01214960",
    "East of England": "01632960",
    "London": "02079460",
    "South East": "01184960",
    "South West": "01174960",
}
SCALES = {"england": {"care_home": 15_500, "home_care": 13_000, "supported_living": 2_000}}

# Approximate national mix of adult social care ratings; "" is not yet rated.
RATING_MIX = {
    "Outstanding": 0.04,
    "Good": 0.72,
    "Requires improvement": 0.17,
    "Inadequate": 0.01,
    "": 0.06,
}
NURSING_SHARE = 0.27
DORMANT_SHARE = 0.01
INHERITED_SHARE = 0.03
NO_MANAGER_SHARE = 0.12
JITTER_DEGREES = 0.01
MAX_BEDS = 200
# Mean beds: nursing ~45 and residential ~24 overall, the latter mixing small learning-disability
# homes with larger homes for older people.
MEAN_BEDS = {"nursing": 45.0, "residential": 26.2, "small": 7.0}
BED_SIGMA = {"nursing": 0.45, "residential": 0.5, "small": 0.45}

HSCA_START = date(2010, 10, 1)
DIRECTORY_DATE = date(2026, 2, 2)
NEW_REGISTRATIONS_FROM = date(2024, 8, 1)
FIRST_PUBLICATION = date(2018, 1, 1)
ORIGINAL_REGISTRATION_SHARE = 0.3

# Share of locations run by national chains, and how steeply chain sizes fall with rank.
CHAIN_SHARE = {"care_home": 0.15, "community": 0.1}
LOCATIONS_PER_CHAIN = 250
CHAIN_RANK_EXPONENT = 0.8
BRANDED_CHAIN_SIZE = 10
FIRST_BRAND_NUMBER = 101
LOCAL_GROUP_P = 0.7
OWNERSHIP = {"Organisation": 0.85, "Individual": 0.10, "Partnership": 0.05}
CHARITY_SHARE = 0.1

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
PLACE_HEADS = [
    "Oak",
    "Elm",
    "Ash",
    "Beech",
    "Willow",
    "Birch",
    "Holly",
    "Hazel",
    "Rose",
    "Fern",
    "Green",
    "Fair",
    "Mill",
    "Lark",
    "Bram",
    "Church",
    "Kings",
    "Queens",
    "Heath",
    "Lyn",
    "West",
    "East",
    "North",
    "South",
    "High",
    "Bright",
    "Sunny",
    "Golden",
    "Silver",
    "Red",
    "White",
    "Thorn",
    "Ivy",
    "Lime",
    "Cherry",
    "Apple",
    "Meadow",
    "Park",
    "Glen",
    "Stone",
    "Spring",
    "Summer",
    "Clare",
    "Fox",
    "Hart",
    "Swan",
    "Sand",
    "Marsh",
    "Wheat",
    "Barn",
    "Cedar",
    "Maple",
    "Laurel",
    "Orchard",
    "Rowan",
    "Abbey",
    "Grange",
    "Briar",
    "Bay",
    "Heron",
    "Kestrel",
    "Lavender",
]
PLACE_TAILS = [
    "field",
    "wood",
    "lands",
    "mead",
    "view",
    "side",
    "bank",
    "dene",
    "croft",
    "leigh",
    "ley",
    "hurst",
    "brook",
    "ridge",
    "holme",
    "lea",
    "gate",
    "mount",
    "ford",
    "stead",
    "well",
    "combe",
    "haven",
    "dale",
    "moor",
    "hill",
    "bury",
    "ton",
    "wick",
    "worth",
]
PLACES = tuple(
    head + tail
    for head in PLACE_HEADS
    for tail in PLACE_TAILS
    if tail not in head.lower() and head.lower() not in tail
)
SAINTS = [
    "Anne's",
    "Joseph's",
    "Mary's",
    "George's",
    "Helen's",
    "Catherine's",
    "Margaret's",
    "John's",
    "Luke's",
    "David's",
    "Andrew's",
    "Martin's",
    "Michael's",
    "Hilda's",
    "Teresa's",
    "Cecilia's",
    "Bridget's",
    "Aidan's",
]
STREET_TYPES = [
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Drive",
    "Close",
    "Way",
    "Grove",
    "Crescent",
    "Gardens",
    "Place",
    "Walk",
]
FIRST_NAMES = [
    "Susan",
    "Karen",
    "Julie",
    "Sarah",
    "Helen",
    "Claire",
    "Joanne",
    "Amanda",
    "Angela",
    "Lisa",
    "Michelle",
    "Nicola",
    "Emma",
    "Rachel",
    "Deborah",
    "Tracey",
    "Paula",
    "Janet",
    "Gillian",
    "Dawn",
    "Priya",
    "Fatima",
    "Grace",
    "Blessing",
    "Olena",
    "Agnieszka",
    "Maria",
    "David",
    "Paul",
    "Mark",
    "Andrew",
    "Stephen",
    "John",
    "Richard",
    "Michael",
    "James",
    "Peter",
    "Robert",
    "Daniel",
    "Mohammed",
    "Rajesh",
    "Samuel",
    "Tendai",
    "Chinedu",
    "Tomasz",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davis",
    "Rodriguez",
    "Cox",
    "Alexander",
    "Morgan",
    "Hughes",
    "Edwards",
    "Hill",
    "Moore",
    "Clark",
    "Harrison",
    "Scott",
    "Young",
    "Morris",
    "Hussain",
    "Ahmed",
    "Begum",
    "Ali",
    "Turner",
    "Baker",
    "Cooper",
    "Ward",
    "Nowak",
    "Okafor",
    "Mensah",
    "Moyo",
    "Kaur",
    "Singh",
    "Murphy",
    "Kelly",
    "Byrne",
    "Walsh",
    "O'Brien",
]
TITLES = ("Mr", "Mrs", "Ms", "Dr")

LOCATION_NAME_PATTERNS = {
    "nursing": (
        "{place} House",
        "{place} Court",
        "{place} Manor",
        "{place} Hall",
        "{place} Nursing Home",
        "{place} Court Nursing Home",
        "{place} Lodge Care Home",
        "{place} Care Centre",
        "St {saint} Nursing Home",
    ),
    "residential": (
        "{place} House",
        "{place} Lodge",
        "{place} Court",
        "{place} Manor",
        "{place} Grange",
        "{place} Lodge Care Home",
        "{place} House Care Home",
        "{place} Residential Home",
        "The {place} Care Home",
        "St {saint}",
    ),
    "small": ("{street}", "{place} House", "{place} Cottage", "{place} Bungalow"),
    "home_care": (
        "{place} Home Care Services",
        "{place} Home Care",
        "{place} Care at Home",
        "{place} Homecare",
        "{place} Care Services",
        "{place} Domiciliary Care",
    ),
    "supported_living": (
        "{place} Supported Living",
        "{place} Support Services",
        "{place} Community Support",
        "{street}",
    ),
}
CHAIN_NAME_PATTERNS = {
    "care_home": (
        "{place} Healthcare",
        "{place} Care Group",
        "{place} Care Homes",
        "{place} Living",
    ),
    "community": ("{place} Care", "{place} Homecare", "{place} Support", "{place} Care Solutions"),
}
LOCAL_PROVIDER_PATTERNS = {
    "care_home": ("{place} Care Ltd", "{place} Care Homes Limited", "{last} Care Homes Ltd"),
    "community": ("{place} Home Care Ltd", "{place} Care Services Limited", "{last} Care Ltd"),
}
CHARITY_PATTERNS = ("{place} Trust", "{place} Care Association", "{place} Housing Association")

KIND_DETAILS = {
    "nursing": {
        "care_home": True,
        "service": "Care home service with nursing",
        "category": "Residential social care",
        "activities": (
            "Accommodation for persons who require nursing or personal care",
            "Nursing care",
            "Treatment of disease, disorder or injury",
        ),
    },
    "residential": {
        "care_home": True,
        "service": "Care home service without nursing",
        "category": "Residential social care",
        "activities": ("Accommodation for persons who require nursing or personal care",),
    },
    "home_care": {
        "care_home": False,
        "service": "Domiciliary care service",
        "category": "Community based adult social care services",
        "activities": ("Personal care",),
    },
    "supported_living": {
        "care_home": False,
        "service": "Supported living service",
        "category": "Community based adult social care services",
        "activities": ("Personal care",),
    },
}


@dataclass(frozen=True)
class BandProfile:
    """How often a service supports each group; dementia and learning disability depend on
    whether it supports older people, as they do in the real directory."""

    older: float
    dementia: tuple[float, float]
    learning_disability: tuple[float, float]
    others: dict[str, float]


BAND_PROFILES = {
    "care_home": BandProfile(
        older=0.8,
        dementia=(0.78, 0.13),
        learning_disability=(0.15, 0.65),
        others={
            "Physical Disability": 0.35,
            "Mental Health": 0.25,
            "Younger Adults": 0.35,
            "Sensory Impairment": 0.15,
        },
    ),
    "home_care": BandProfile(
        older=0.9,
        dementia=(0.7, 0.1),
        learning_disability=(0.15, 0.5),
        others={
            "Physical Disability": 0.45,
            "Mental Health": 0.3,
            "Younger Adults": 0.45,
            "Sensory Impairment": 0.2,
        },
    ),
    "supported_living": BandProfile(
        older=0.2,
        dementia=(0.3, 0.05),
        learning_disability=(0.3, 0.85),
        others={
            "Physical Disability": 0.3,
            "Mental Health": 0.4,
            "Younger Adults": 0.8,
            "Sensory Impairment": 0.1,
        },
    ),
}
LEARNING_DISABILITY = "Learning disabilities or autistic spectrum disorder"


@dataclass(frozen=True)
class Council:
    """A local authority with its region and the outcodes where its providers sit."""

    name: str
    region: str
    weight: float
    outcodes: tuple[str, ...]
    outcode_weights: tuple[float, ...]


@dataclass
class Location:
    """One generated location row, before its provider is known."""

    location_id: str
    kind: str
    council: Council
    name: str
    street: str
    postcode: str
    lat: float
    lon: float
    beds: int | None
    bands: tuple[str, ...]
    rating: str
    published: date | None
    start: date
    dormant: bool
    inherited: bool
    manager: str
    telephone: str
    provider: "Provider | None" = None


@dataclass
class Provider:
    """A registered provider and the locations it runs; its head office is its first location."""

    ownership: str
    locations: list[Location]
    name: str = ""
    provider_id: str = ""
    brand_id: str = ""
    brand_name: str = ""
    companies_house: str = ""
    charity: str = ""
    person: str = ""
    telephone: str = ""


def real_data_dir() -> Path:
    """The folder of real public data: $HOMEWARD_REAL_DATA, else ../shared/data."""
    override = os.environ.get("HOMEWARD_REAL_DATA")
    return Path(override) if override else PROJECT_ROOT.parent / "shared" / "data"


def _required(data_dir: Path, relative: str) -> Path:
    path = data_dir / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative} is missing from {data_dir}: set HOMEWARD_REAL_DATA to the folder of "
            "real public data"
        )
    return path


def load_centroids(data_dir: Path) -> dict[str, tuple[float, float]]:
    """Outcode -> (mean latitude, mean longitude) from the ONS-derived centroid file."""
    with _required(data_dir, CENTROIDS_FILE).open(newline="", encoding="utf-8") as f:
        return {
            r["outcode"]: (float(r["mean_lat"]), float(r["mean_long"])) for r in csv.DictReader(f)
        }


def _outcode(postcode: str) -> str:
    return postcode.strip().upper().split(" ")[0]


def _ratings_provider_outcodes(data_dir: Path) -> tuple[dict[str, Counter], dict[str, str]]:
    """Providers per outcode for each council in the ratings file, and each council's region."""
    seen: set[str] = set()
    outcodes: dict[str, Counter] = defaultdict(Counter)
    regions: dict[str, str] = {}
    with _required(data_dir, RATINGS_FILE).open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            council, region = row["ProviderLocalAuthority"], row["ProviderRegion"]
            if row["ProviderID"] in seen or not council or region not in REGION_BED_SHARES:
                continue
            seen.add(row["ProviderID"])
            outcodes[council][_outcode(row["ProviderPostCode"])] += 1
            regions[council] = region
    return outcodes, regions


def _extract_outcodes(data_dir: Path) -> dict[str, Counter]:
    """Care homes per outcode for each council in the council extracts."""
    outcodes: dict[str, Counter] = defaultdict(Counter)
    for relative in EXTRACT_FILES:
        with _required(data_dir, relative).open(newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                outcodes[row["area_name"]][_outcode(row["postcode"])] += 1
    return outcodes


def _reference_region(name: str) -> str | None:
    code = council_reference.code_for_name(name)
    return next((region for c, _, region in council_reference.reference() if c == code), None)


def load_councils(data_dir: Path | None = None) -> list[Council]:
    """Every council the real data places providers in, sorted by name.

    A council's weight is its number of providers in the ratings file; a council known only
    from an extract counts as one, which puts it on a par with its neighbours."""
    data_dir = data_dir or real_data_dir()
    centroids = load_centroids(data_dir)
    outcodes, regions = _ratings_provider_outcodes(data_dir)
    weights = {name: float(sum(counts.values())) for name, counts in outcodes.items()}
    for name, counts in _extract_outcodes(data_dir).items():
        region = _reference_region(name)
        if name not in outcodes and region in REGION_BED_SHARES:
            outcodes[name], regions[name], weights[name] = counts, region, 1.0
    result = []
    for name in sorted(outcodes):
        known = sorted(o for o in outcodes[name] if o in centroids)
        if known:
            counts = tuple(float(outcodes[name][o]) for o in known)
            result.append(Council(name, regions[name], weights[name], tuple(known), counts))
    return result


def council_shares(councils: list[Council]) -> np.ndarray:
    """Each council's share of England's care: its region's bed share split by provider weight."""
    shares = np.zeros(len(councils))
    regions = sorted({c.region for c in councils})
    covered = sum(REGION_BED_SHARES[r] for r in regions)
    for region in regions:
        members = [i for i, c in enumerate(councils) if c.region == region]
        weights = np.array([councils[i].weight for i in members])
        shares[members] = REGION_BED_SHARES[region] / covered * weights / weights.sum()
    return shares


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers summing to total, proportional to weights (largest remainder)."""
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype=int)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def _select(councils: list[Council], names: list[str] | None) -> list[int]:
    if names is None:
        return list(range(len(councils)))
    by_name = {c.name.lower(): i for i, c in enumerate(councils)}
    unknown = [n for n in names if n.lower() not in by_name]
    if unknown:
        raise ValueError(
            f"unknown council(s): {', '.join(unknown)}; known: "
            + ", ".join(c.name for c in councils)
        )
    return sorted({by_name[n.lower()] for n in names})


def _counts(
    councils: list[Council], area: list[int], totals: dict[str, int | None], scale: str
) -> dict[str, np.ndarray]:
    """Locations of each family per council in the area; an explicit total is the area's own."""
    shares = council_shares(councils)[area]
    counts = {}
    for family, default in SCALES[scale].items():
        total = totals.get(family)
        if total is None:
            total = round(default * shares.sum())
        counts[family] = _apportion(total, shares)
    return counts


def _pick(rng: np.random.Generator, options, n: int) -> list:
    return [options[i] for i in rng.integers(len(options), size=n)]


def _weighted(rng: np.random.Generator, mix: dict[str, float], n: int) -> list[str]:
    keys = list(mix)
    probabilities = np.array(list(mix.values()))
    return [keys[i] for i in rng.choice(len(keys), size=n, p=probabilities / probabilities.sum())]


def _person(rng: np.random.Generator, n: int, titled: bool = False) -> list[str]:
    firsts, lasts = _pick(rng, FIRST_NAMES, n), _pick(rng, LAST_NAMES, n)
    titles = _pick(rng, TITLES, n) if titled else [""] * n
    return [" ".join(p for p in parts if p) for parts in zip(titles, firsts, lasts, strict=True)]


def _streets(rng: np.random.Generator, n: int) -> list[str]:
    numbers = rng.integers(1, 200, size=n)
    stems = _pick(rng, PLACES + tuple(LAST_NAMES), n)
    kinds = _pick(rng, STREET_TYPES, n)
    return [f"{a} {b} {c}" for a, b, c in zip(numbers, stems, kinds, strict=True)]


def _phones(rng: np.random.Generator, regions: list[str]) -> list[str]:
    endings = rng.integers(1000, size=len(regions))
    return [f"{DRAMA_PHONE_PREFIXES[r]}{e:03d}" for r, e in zip(regions, endings, strict=True)]


def _unique_ids(rng: np.random.Generator, n: int) -> list[str]:
    """CQC-style IDs: "1-" and nine or ten digits, all different."""
    seen: set[int] = set()
    ids = []
    while len(ids) < n:
        for value in rng.integers(100_000_000, 5_000_000_000, size=n - len(ids)).tolist():
            if value not in seen:
                seen.add(value)
                ids.append(f"1-{value}")
    return ids


def _bands(rng: np.random.Generator, profile: BandProfile, n: int) -> list[tuple[str, ...]]:
    older = rng.random(n) < profile.older
    flags = {
        "Older People": older,
        "Dementia": rng.random(n) < np.where(older, *profile.dementia),
        LEARNING_DISABILITY: rng.random(n) < np.where(older, *profile.learning_disability),
    }
    flags.update({band: rng.random(n) < p for band, p in profile.others.items()})
    bands = [tuple(b for b in SERVICE_USER_BANDS if b in flags and flags[b][i]) for i in range(n)]
    # Every registered service supports someone; younger adults are the commonest fallback.
    return [b or ("Younger Adults",) for b in bands]


def _beds(rng: np.random.Generator, sizes: list[str]) -> list[int]:
    means = np.array([MEAN_BEDS[s] for s in sizes])
    sigmas = np.array([BED_SIGMA[s] for s in sizes])
    draws = rng.lognormal(np.log(means) - sigmas**2 / 2, sigmas)
    return [int(b) for b in np.clip(np.rint(draws), 1, MAX_BEDS)]


def _positions(
    rng: np.random.Generator, councils: list[Council], centroids: dict[str, tuple[float, float]]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A postcode and a jittered outcode-centroid position for each location's council."""
    outcodes = []
    for council, run in groupby(councils):
        weights = np.array(council.outcode_weights)
        picks = rng.choice(len(council.outcodes), size=len(list(run)), p=weights / weights.sum())
        outcodes += [council.outcodes[i] for i in picks]
    n = len(outcodes)
    digits = rng.integers(10, size=n)
    letters = rng.integers(len(INWARD_LETTERS), size=(n, 2))
    postcodes = [
        f"{o} {d}{INWARD_LETTERS[a]}{INWARD_LETTERS[b]}"
        for o, d, (a, b) in zip(outcodes, digits, letters, strict=True)
    ]
    centres = np.array([centroids[o] for o in outcodes]).reshape(n, 2)
    jitter = rng.uniform(-JITTER_DEGREES, JITTER_DEGREES, size=(n, 2))
    positions = centres + jitter
    return postcodes, positions[:, 0], positions[:, 1]


def _dates(rng: np.random.Generator, ratings: list[str]) -> tuple[list[date], list[date | None]]:
    """Registration and publication dates; unrated services are the recently registered ones."""
    n = len(ratings)
    old_span = (NEW_REGISTRATIONS_FROM - HSCA_START).days
    new_span = (DIRECTORY_DATE - NEW_REGISTRATIONS_FROM).days
    original = rng.random(n) < ORIGINAL_REGISTRATION_SHARE
    old_days = np.where(original, 0, rng.integers(old_span, size=n))
    new_days = rng.integers(new_span, size=n)
    fractions = rng.random(n)
    starts, published = [], []
    for rating, old, new, fraction in zip(ratings, old_days, new_days, fractions, strict=True):
        if not rating:
            starts.append(NEW_REGISTRATIONS_FROM + timedelta(days=int(new)))
            published.append(None)
            continue
        start = HSCA_START + timedelta(days=int(old))
        earliest = max(start + timedelta(days=180), FIRST_PUBLICATION)
        span = (DIRECTORY_DATE - earliest).days
        starts.append(start)
        published.append(earliest + timedelta(days=int(fraction * span)))
    return starts, published


def _size(kind: str, bands: tuple[str, ...]) -> str:
    # Homes just for younger people with learning disabilities are typically small houses.
    if kind == "residential" and LEARNING_DISABILITY in bands and "Older People" not in bands:
        return "small"
    return kind


def _kinds(rng: np.random.Generator, family: str, n: int) -> list[str]:
    if family != "care_home":
        return [family] * n
    return ["nursing" if x else "residential" for x in rng.random(n) < NURSING_SHARE]


def _names(rng: np.random.Generator, sizes: list[str], streets: list[str]) -> list[str]:
    places, saints = _pick(rng, PLACES, len(sizes)), _pick(rng, SAINTS, len(sizes))
    choices = rng.random(len(sizes))
    names = []
    for size, street, place, saint, choice in zip(
        sizes, streets, places, saints, choices, strict=True
    ):
        patterns = LOCATION_NAME_PATTERNS[size]
        pattern = patterns[int(choice * len(patterns))]
        names.append(pattern.format(place=place, saint=saint, street=street))
    return names


def _family_locations(
    rng: np.random.Generator,
    family: str,
    councils: list[Council],
    centroids: dict[str, tuple[float, float]],
) -> list[Location]:
    """Locations of one family (care homes, home care or supported living) in these councils."""
    n = len(councils)
    kinds = _kinds(rng, family, n)
    bands = _bands(rng, BAND_PROFILES[family], n)
    sizes = [_size(k, b) for k, b in zip(kinds, bands, strict=True)]
    beds = _beds(rng, sizes) if family == "care_home" else [None] * n
    postcodes, lats, lons = _positions(rng, councils, centroids)
    ratings = _weighted(rng, RATING_MIX, n)
    starts, published = _dates(rng, ratings)
    streets = _streets(rng, n)
    names = _names(rng, sizes, streets)
    managers = _person(rng, n)
    no_manager = rng.random(n) < NO_MANAGER_SHARE
    dormant = rng.random(n) < DORMANT_SHARE
    inherited = rng.random(n) < INHERITED_SHARE
    phones = _phones(rng, [c.region for c in councils])
    return [
        Location(
            location_id="",
            kind=kinds[i],
            council=councils[i],
            name=names[i],
            street=streets[i],
            postcode=postcodes[i],
            lat=float(lats[i]),
            lon=float(lons[i]),
            beds=beds[i],
            bands=bands[i],
            rating=ratings[i],
            published=published[i],
            start=starts[i],
            dormant=bool(dormant[i]),
            inherited=bool(inherited[i]) and bool(ratings[i]),
            manager="" if no_manager[i] else managers[i],
            telephone=phones[i],
        )
        for i in range(n)
    ]


def _chain_groups(rng: np.random.Generator, n: int, share: float) -> tuple[list, np.ndarray]:
    """Random members for each national chain (largest first), and the locations left over."""
    chained = round(share * n)
    n_chains = max(1, round(n / LOCATIONS_PER_CHAIN)) if chained else 0
    sizes = _apportion(chained, np.arange(1, n_chains + 1) ** -CHAIN_RANK_EXPONENT)
    order = rng.permutation(n)
    bounds = np.cumsum(sizes)[:-1]
    chains = [g.tolist() for g in np.split(order[:chained], bounds) if len(g)]
    return chains, np.sort(order[chained:])


def _local_groups(rng: np.random.Generator, members: np.ndarray, councils: list[str]) -> list:
    """Small providers: runs of neighbouring locations, never crossing a council boundary."""
    names = [councils[i] for i in members]
    changes = [k for k in range(1, len(names)) if names[k] != names[k - 1]]
    groups = []
    for segment in np.split(members, changes):
        bounds = np.cumsum(rng.geometric(LOCAL_GROUP_P, size=len(segment)))
        groups += [g.tolist() for g in np.split(segment, bounds[bounds < len(segment)]) if len(g)]
    return groups


def _choose(options: tuple[str, ...], fraction: float) -> str:
    return options[int(fraction * len(options))]


def _name_chain(provider: Provider, family: str, place: str, fraction: float) -> None:
    base = _choose(CHAIN_NAME_PATTERNS[family], fraction).format(place=place)
    provider.name = f"{base} Limited"
    if len(provider.locations) >= BRANDED_CHAIN_SIZE:
        provider.brand_name = base


def _name_local(
    provider: Provider, family: str, place: str, last: str, fraction: float, charity: bool
) -> None:
    if charity:
        provider.name = _choose(CHARITY_PATTERNS, fraction).format(place=place)
    else:
        provider.name = _choose(LOCAL_PROVIDER_PATTERNS[family], fraction).format(
            place=place, last=last
        )


def _family_providers(
    rng: np.random.Generator, family: str, locations: list[Location]
) -> list[Provider]:
    """Group one family's locations (in council order) under chains and local providers."""
    chains, rest = _chain_groups(rng, len(locations), CHAIN_SHARE[family])
    groups = chains + _local_groups(rng, rest, [loc.council.name for loc in locations])
    n = len(groups)
    ownerships = ["Organisation"] * len(chains) + _weighted(rng, OWNERSHIP, n - len(chains))
    chain_places = [PLACES[i] for i in rng.choice(len(PLACES), size=len(chains), replace=False)]
    places, lasts, fractions = _pick(rng, PLACES, n), _pick(rng, LAST_NAMES, n), rng.random(n)
    charities = (rng.random(n) < CHARITY_SHARE) & (np.arange(n) >= len(chains))
    numbers = rng.integers(1_000_000, 10_000_000, size=n)
    people, partners, nominated = _person(rng, n, True), _person(rng, n, True), _person(rng, n)
    providers = []
    for i, group in enumerate(groups):
        provider = Provider(ownerships[i], [locations[j] for j in group])
        if i < len(chains):
            _name_chain(provider, family, chain_places[i], fractions[i])
        elif provider.ownership == "Individual":
            provider.name = people[i]
        elif provider.ownership == "Partnership":
            provider.name, provider.person = f"{people[i]} & {partners[i]}", people[i]
        else:
            _name_local(provider, family, places[i], lasts[i], fractions[i], charities[i])
        if provider.ownership == "Organisation":
            provider.person = nominated[i]
            if charities[i]:
                provider.charity = str(numbers[i])
            else:
                provider.companies_house = f"{numbers[i]:08d}"
        providers.append(provider)
    return providers


def _rename_branded_branches(providers: list[Provider]) -> None:
    """Branded home-care chains trade under their brand, so branches are named after the town."""
    for provider in providers:
        if provider.brand_name:
            for loc in provider.locations:
                loc.name = f"{provider.brand_name} ({_city(loc.council.name)})"


@cache
def _city(council_name: str) -> str:
    return re.sub(r", (City|County) of$", "", council_name)


def build_directory(
    rng: np.random.Generator,
    councils: list[Council],
    counts: dict[str, np.ndarray],
    centroids: dict[str, tuple[float, float]],
) -> list[Provider]:
    """Draw every location and provider for the councils, with counts per family and council."""
    providers = []
    community: list[Location] = []
    for family, per_council in counts.items():
        placed = [c for c, k in zip(councils, per_council, strict=True) for _ in range(k)]
        locations = _family_locations(rng, family, placed, centroids)
        if family == "care_home":
            providers += _family_providers(rng, "care_home", locations)
        else:
            community += locations
    community.sort(key=lambda loc: loc.council.name)
    community_providers = _family_providers(rng, "community", community)
    _rename_branded_branches(community_providers)
    providers += community_providers
    _assign_ids(rng, providers)
    return providers


def _assign_ids(rng: np.random.Generator, providers: list[Provider]) -> None:
    """Location and provider IDs from one pool so they never clash; brands numbered in turn."""
    locations = [loc for p in providers for loc in p.locations]
    ids = _unique_ids(rng, len(locations) + len(providers))
    for loc, location_id in zip(locations, ids, strict=False):
        loc.location_id = location_id
    phones = _phones(rng, [p.locations[0].council.region for p in providers])
    branded = (p for p in providers if p.brand_name)
    for number, provider in enumerate(branded, start=FIRST_BRAND_NUMBER):
        provider.brand_id = f"BD{number}"
    for provider, provider_id, phone in zip(providers, ids[len(locations) :], phones, strict=True):
        provider.provider_id, provider.telephone = provider_id, phone
        for loc in provider.locations:
            loc.provider = provider


@cache
def _when(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _provider_columns(provider: Provider) -> dict[str, str]:
    office = provider.locations[0]
    region = office.council.region
    return {
        "Brand ID": provider.brand_id or "-",
        "Brand Name": f"BRAND {provider.brand_name}" if provider.brand_name else "-",
        "Provider Companies House Number": provider.companies_house,
        "Provider Charity Number": provider.charity,
        "Provider ID": provider.provider_id,
        "Provider Name": provider.name,
        "Provider HSCA start date": _when(min(loc.start for loc in provider.locations)),
        "Provider Type/Sector": "Social Care Org",
        "Provider Inspection Directorate": "Adult social care",
        "Provider Primary Inspection Category": KIND_DETAILS[office.kind]["category"],
        "Provider Ownership Type": provider.ownership,
        "Provider Telephone Number": provider.telephone,
        "Provider Street Address": office.street,
        "Provider City": _city(office.council.name),
        "Provider Postal Code": office.postcode,
        "Provider Local Authority": office.council.name,
        "Provider Region": region,
        "Provider NHS Region": NHS_REGIONS[region],
        "Provider Latitude": f"{office.lat:.6f}",
        "Provider Longitude": f"{office.lon:.6f}",
        "Provider Nominated Individual Name": provider.person
        if provider.ownership == "Organisation"
        else "",
        "Provider Main Partner Name": provider.person
        if provider.ownership == "Partnership"
        else "",
    }


def _location_columns(loc: Location) -> dict[str, str]:
    details = KIND_DETAILS[loc.kind]
    row = {
        "Location ID": loc.location_id,
        "Location HSCA start date": _when(loc.start),
        "Dormant (Y/N)": "Y" if loc.dormant else "N",
        "Care home?": "Y" if details["care_home"] else "N",
        "Location Name": loc.name,
        "Location Telephone Number": loc.telephone,
        "Registered manager": loc.manager,
        "Care homes beds": "" if loc.beds is None else str(loc.beds),
        "Location Type/Sector": "Social Care Org",
        "Location Inspection Directorate": "Adult social care",
        "Location Primary Inspection Category": details["category"],
        "Location Latest Overall Rating": loc.rating,
        "Publication Date": _when(loc.published),
        "Inherited Rating (Y/N)": ("Y" if loc.inherited else "N") if loc.rating else "",
        "Location Region": loc.council.region,
        "Location NHS Region": NHS_REGIONS[loc.council.region],
        "Location Local Authority": loc.council.name,
        "Location Street Address": loc.street,
        "Location City": _city(loc.council.name),
        "Location Postal Code": loc.postcode,
        "Location Latitude": f"{loc.lat:.6f}",
        "Location Longitude": f"{loc.lon:.6f}",
        f"Service type - {details['service']}": "Y",
    }
    row.update({f"Regulated activity - {a}": "Y" for a in details["activities"]})
    row.update({f"Service user band - {b}": "Y" for b in loc.bands})
    return row


def _cells(columns: dict[str, str]) -> list[str]:
    cells = [""] * len(HEADER)
    for name, value in columns.items():
        cells[COLUMN_INDEX[name]] = value
    return cells


def write_directory(path: Path, providers: list[Provider]) -> None:
    """Stream the locations to an HSCA Active Locations CSV, ordered by location ID."""
    locations = sorted(
        (loc for p in providers for loc in p.locations), key=lambda loc: loc.location_id
    )
    by_provider = {p.provider_id: _provider_columns(p) for p in providers}
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for loc in locations:
            writer.writerow(_cells(_location_columns(loc) | by_provider[loc.provider.provider_id]))


def generate(
    out_dir: Path,
    *,
    scale: str = "england",
    councils: list[str] | None = None,
    seed: int = 20261127,
    home_care_services: int | None = None,
    care_homes: int | None = None,
) -> Path:
    """Write out_dir/HSCA_Active_Locations.csv for England or the named councils; return it.

    Without explicit totals, the named councils get their share of the scale's counts; given
    care_homes or home_care_services, those are the totals for the area generated."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    rng = np.random.default_rng(seed)
    data_dir = real_data_dir()
    centroids = load_centroids(data_dir)
    known = load_councils(data_dir)
    area = _select(known, councils)
    totals = {"care_home": care_homes, "home_care": home_care_services}
    counts = _counts(known, area, totals, scale)
    providers = build_directory(rng, [known[i] for i in area], counts, centroids)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / OUTPUT_NAME
    write_directory(path, providers)
    return path

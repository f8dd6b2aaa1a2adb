"""UK postcode normalisation and lookup: full postcode first, outcode centroid as fallback."""

import re
from dataclasses import dataclass

from homeward.core.models import Outcode, Postcode

# Outward code: area letters, district digit(s) and optional letter; inward: digit + two letters.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class InvalidPostcode(ValueError):
    pass


def normalise(raw: str) -> str:
    """'m33 7xx' -> 'M33 7XX'. Raises InvalidPostcode with a reason a person can act on."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    if not compact:
        raise InvalidPostcode("postcode is empty")
    match = _POSTCODE.match(compact)
    if not match:
        raise InvalidPostcode(f"{raw.strip()!r} is not a valid UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def outcode_of(postcode: str) -> str:
    return normalise(postcode).split(" ")[0]


def is_outcode(raw: str) -> bool:
    return bool(_OUTCODE.match(re.sub(r"\s+", "", raw or "").upper()))


@dataclass(frozen=True)
class Position:
    postcode: str
    lat: float
    lon: float
    source: str  # "postcode" or "outcode"


def locate(raw: str) -> Position:
    """Latitude and longitude for a postcode or outcode, from the loaded ONS files."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    if is_outcode(compact):
        found = Outcode.objects.filter(outcode=compact).first()
        if found is None:
            raise InvalidPostcode(f"outcode {compact} is not in the loaded postcode files")
        return Position(compact, found.lat, found.lon, "outcode")
    postcode = normalise(raw)
    exact = Postcode.objects.filter(postcode=postcode.replace(" ", "")).first()
    if exact is not None:
        return Position(postcode, exact.lat, exact.lon, "postcode")
    outcode = postcode.split(" ")[0]
    found = Outcode.objects.filter(outcode=outcode).first()
    if found is None:
        raise InvalidPostcode(f"{postcode} is not in the loaded postcode files, nor is {outcode}")
    return Position(postcode, found.lat, found.lon, "outcode")

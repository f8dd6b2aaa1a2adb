"""England's social-services authorities (ONS codes E06, E08, E09, E10) and how to recognise
them by the varied names and malformed codes found in published files."""

import csv
import re
from functools import cache
from pathlib import Path

COUNCILS_CSV = Path(__file__).parent / "data" / "councils.csv"
SOCIAL_SERVICES_PREFIXES = ("E06", "E08", "E09", "E10")
_CODE = re.compile(r"^E(06|08|09|10)\d{6}$")
_LOOSE_CODE = re.compile(r"^E(06|08|09|10)(\d{4,7})$")


@cache
def reference() -> tuple[tuple[str, str, str], ...]:
    """(code, name, region) for every council Homeward knows, from the committed ONS list."""
    with COUNCILS_CSV.open(newline="", encoding="utf-8") as f:
        return tuple((r["code"], r["name"], r["region"]) for r in csv.DictReader(f))


def name_key(name: str) -> str:
    """Fold the spellings CQC, ONS and NHS England use for one council into one key."""
    key = name.lower().replace("&", " and ")
    key = re.sub(r"\b(city|county) of\b", " ", key)
    key = re.sub(r"\b(council|borough|metropolitan|royal)\b", " ", key)
    return re.sub(r"[^a-z]+", "", key)


@cache
def _by_name() -> dict[str, str]:
    return {name_key(name): code for code, name, _ in reference()}


def code_for_name(name: str) -> str | None:
    return _by_name().get(name_key(name)) if name else None


def is_valid_code(code: str) -> bool:
    return bool(_CODE.match(code))


def suggest_code(code: str) -> str | None:
    """The well-formed code a malformed one most likely meant (`E0800009` -> `E08000009`)."""
    match = _LOOSE_CODE.match(code.strip().upper())
    if not match:
        return None
    digits = match.group(2).lstrip("0") or "0"
    candidate = f"E{match.group(1)}{digits.zfill(6)}"
    return candidate if len(digits) <= 6 and is_valid_code(candidate) else None

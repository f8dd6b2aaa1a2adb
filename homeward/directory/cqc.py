"""Reading the CQC's published directory files into plain location records.

Pure Python: no database. Five layouts are recognised by their headers, never by position:
the monthly "HSCA Active Locations" workbook (ods, xlsx, xls or csv), the weekly directory CSV,
the public API's location JSON, the long-format ratings file and the council extract layout
(as in the Trafford file). Each row becomes a LocationRecord or a Rejection with its line."""

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from homeward.core import councils

HSCA_SHEETS = ("HSCA_Active_Locations", "HSCA Active Locations")
LOCATION_ID = re.compile(r"^1-\d{5,12}$")
PROVIDER_ID = re.compile(r"^(1-\d{5,12}|[A-Z0-9]{3,5})$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
RATINGS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
MAX_BEDS = 2000
HEADER_SEARCH_ROWS = 30

# The weekly directory and the API name specialisms differently from the HSCA bands.
SPECIALISM_BANDS = {
    "caring for adults over 65 yrs": "Older People",
    "caring for adults under 65 yrs": "Younger Adults",
    "caring for children": "Children 0-18 years",
    "caring for children (0 - 18yrs)": "Children 0-18 years",
    "dementia": "Dementia",
    "eating disorders": "People with an eating disorder",
    "learning disabilities": "Learning disabilities or autistic spectrum disorder",
    "autism": "Learning disabilities or autistic spectrum disorder",
    "mental health conditions": "Mental Health",
    "physical disabilities": "Physical Disability",
    "sensory impairment": "Sensory Impairment",
    "substance misuse problems": "People who misuse drugs and alcohol",
    "caring for people whose rights are restricted under the mental health act": (
        "People detained under the Mental Health Act"
    ),
    "whole population": "Whole Population",
}
# Short service names (weekly directory, extract `type`, API `name`) to the HSCA service types.
SERVICE_TYPE_NAMES = {
    "nursing homes": "Care home service with nursing",
    "residential homes": "Care home service without nursing",
    "homecare agencies": "Domiciliary care service",
    "supported living": "Supported living service",
    "extra care housing": "Extra Care housing services",
    "hospice services": "Hospice services",
    "rehabilitation services": "Rehabilitation services",
    "shared lives": "Shared Lives",
}


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; nothing from it may be stored."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class LocationRecord:
    line: int
    cqc_id: str
    name: str = ""
    provider_id: str = ""
    provider_name: str = ""
    address: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None
    council_code: str = ""
    council_name: str = ""
    region: str = ""
    telephone: str = ""
    website: str = ""
    care_home: bool = False
    beds: int | None = None
    rating: str = "Not rated"
    rating_date: date | None = None
    dormant: bool = False
    registered: bool = True
    service_types: tuple[str, ...] = ()
    specialisms: tuple[str, ...] = ()
    regulated_activities: tuple[str, ...] = ()


@dataclass
class ParsedFile:
    """What one file says. `layout` names the format; `full` means the file lists every
    location in the councils it covers, so those it omits have left the directory;
    `ratings_only` means the records update ratings and nothing else."""

    layout: str
    records: list[LocationRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    full: bool = True
    ratings_only: bool = False
    read: int = 0
    # Locations whose row was rejected: still listed, so never treated as having left.
    rejected_ids: set[str] = field(default_factory=set)


# ---------------------------------------------------------------- reading tables


def _read_csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    if not raw.strip():
        raise UnreadableFile(f"{path.name} is empty")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(f"{path.name} is neither UTF-8 nor Windows-1252 text")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name} is not a readable CSV file: {exc}") from exc


def _read_workbook_sheets(path: Path) -> Iterator[tuple[str, list[list[object]]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise UnreadableFile(f"{path.name} is not a readable spreadsheet: {exc}") from exc
    names = list(workbook.sheet_names)
    preferred = [n for n in names if n.strip() in HSCA_SHEETS]
    for name in preferred + [n for n in names if n not in preferred]:
        yield name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _find_header(rows: list[list[object]]) -> tuple[str, int] | None:
    """The layout and header row index, recognised by column names in the first rows."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {_cell(c) for c in row}
        if "Location ID" in names and "Location Name" in names:
            return "hsca", index
        if (
            "Name" in names
            and "Postcode" in names
            and any(n.startswith("CQC Location") for n in names)
        ):
            return "weekly", index
        if {"ProviderID", "Domain", "LatestRating"} <= names:
            return "ratings", index
        if {"cqc_id", "name", "postcode", "area_code"} <= names:
            return "extract", index
    return None


def parse(path: Path) -> ParsedFile:
    """Read any supported CQC file. Raises UnreadableFile when no layout is recognised."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"{path} does not exist")
    if path.suffix.lower() == ".json":
        return _parse_api_json(path)
    if path.suffix.lower() in (".csv", ".txt"):
        sheets: Iterable[tuple[str, list[list[object]]]] = [("csv", _read_csv_rows(path))]
    elif path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        sheets = _read_workbook_sheets(path)
    else:
        raise UnreadableFile(f"{path.name}: expected .ods, .xlsx, .xls, .csv or .json")
    for _, rows in sheets:
        found = _find_header(rows)
        if found:
            layout, header_index = found
            header = [_cell(c) for c in rows[header_index]]
            body = rows[header_index + 1 :]
            return PARSERS[layout](header, body, header_index + 2)
    raise UnreadableFile(
        f"{path.name}: no CQC directory header found (looked for 'Location ID', the weekly "
        "directory's 'Name, Postcode, CQC Location', the ratings file's 'ProviderID, Domain' "
        "or an extract's 'cqc_id, area_code')"
    )


def parse_upload(filename: str, data: bytes) -> ParsedFile:
    """Parse an uploaded file by writing it to a temporary file with its own extension."""
    import tempfile

    suffix = Path(filename).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        return parse(Path(handle.name))


# ---------------------------------------------------------------- field checks


def _yes(value: str) -> bool:
    return value.strip().upper() in ("Y", "YES", "TRUE")


def _date(value: str) -> date | None:
    value = value.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _rating(value: str) -> str:
    return RATINGS.get(value.strip().lower(), "Not rated")


def _float(value: str) -> float | None:
    """A coordinate: blank, NA or - mean none given; anything else must be a number."""
    value = value.strip()
    if value in ("", "NA", "-"):
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise RowError(f"{value!r} is not a number") from exc


def _none_if_na(value: str) -> str:
    return "" if value.strip() in ("NA", "-") else value.strip()


class RowError(ValueError):
    pass


def _check(record: LocationRecord) -> list[str]:
    """Validate a record in place; raise RowError for what cannot be stored, return warnings."""
    warnings = []
    if not LOCATION_ID.match(record.cqc_id):
        raise RowError(f"location ID {record.cqc_id!r} is not a CQC ID like 1-113737059")
    if not record.name:
        raise RowError("location name is empty")
    if record.postcode:
        postcode = re.sub(r"\s+", "", record.postcode.upper())
        if not POSTCODE.match(postcode):
            raise RowError(f"postcode {record.postcode!r} is not a valid UK postcode")
        record.postcode = f"{postcode[:-3]} {postcode[-3:]}"
    if record.beds is not None and not 0 <= record.beds <= MAX_BEDS:
        raise RowError(f"care home beds {record.beds} is impossible (expected 0 to {MAX_BEDS})")
    if record.lat is not None and not (49.0 <= record.lat <= 61.5):
        raise RowError(f"latitude {record.lat} is outside the UK")
    if record.lon is not None and not (-9.0 <= record.lon <= 2.5):
        raise RowError(f"longitude {record.lon} is outside the UK")
    if record.council_code and not councils.is_valid_code(record.council_code):
        suggestion = councils.suggest_code(record.council_code)
        named = councils.code_for_name(record.council_name)
        if suggestion and (named is None or named == suggestion):
            warnings.append(
                f"council code {record.council_code} is malformed; used {suggestion}"
                + (f" ({record.council_name})" if record.council_name else "")
            )
            record.council_code = suggestion
        else:
            raise RowError(
                f"council code {record.council_code} is not an ONS social-services code "
                "(E06, E08, E09 or E10 and six digits)"
                + (f"; did you mean {suggestion}?" if suggestion else "")
            )
    if not record.council_code and record.council_name:
        record.council_code = councils.code_for_name(record.council_name) or ""
        if not record.council_code:
            warnings.append(f"local authority {record.council_name!r} is not a known council")
    return warnings


def _parse_int(value: str, label: str) -> int | None:
    value = value.strip()
    if value in ("", "-", "NA"):
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise RowError(f"{label} {value!r} is not a number") from exc
    if not number.is_integer():
        raise RowError(f"{label} {value!r} is not a whole number")
    return int(number)


def _collect(parsed: ParsedFile, line: int, build, cqc_id: str = "") -> None:
    parsed.read += 1
    try:
        record = build()
        for warning in _check(record):
            parsed.warnings.append(Rejection(line, warning))
    except (RowError, TypeError, AttributeError) as exc:
        reason = str(exc) if isinstance(exc, RowError) else f"a value has the wrong type ({exc})"
        parsed.rejections.append(Rejection(line, reason))
        if cqc_id:
            parsed.rejected_ids.add(cqc_id)
        return
    parsed.records.append(record)


def _rows(parsed: ParsedFile, header: list[str], body: list[list[object]], first_line: int):
    """(line number, row as dict) for every non-blank row. A row that stops before the last
    named column was cut off: it is rejected, never padded with blanks."""
    width = max((i + 1 for i, name in enumerate(header) if name), default=0)
    for offset, row in enumerate(body):
        cells = [_cell(c) for c in row]
        if not any(cells):
            continue
        line = first_line + offset
        if len(cells) < width:
            parsed.read += 1
            parsed.rejections.append(
                Rejection(line, f"row is cut short: {len(cells)} of {width} columns")
            )
            continue
        yield line, dict(zip(header, cells, strict=False))


def _flags(row: dict[str, str], prefix: str) -> tuple[str, ...]:
    return tuple(
        sorted(k[len(prefix) :] for k, v in row.items() if k.startswith(prefix) and _yes(v))
    )


def _require(header: list[str], required: Iterable[str], layout: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise UnreadableFile(f"{layout}: missing column(s) {', '.join(missing)}")


# ---------------------------------------------------------------- layouts


def _parse_hsca(header: list[str], body, first_line: int) -> ParsedFile:
    required = ("Location ID", "Location Name", "Provider ID", "Provider Name")
    _require(header, required, "HSCA Active Locations")
    parsed = ParsedFile(layout="hsca")
    for line, row in _rows(parsed, header, body, first_line):
        directorate = row.get("Location Inspection Directorate", "")
        if directorate and directorate != "Adult social care":
            continue

        def build(row=row, line=line) -> LocationRecord:
            care_home = _yes(row.get("Care home?", ""))
            address = ", ".join(
                p
                for p in (
                    row.get("Location Street Address", ""),
                    row.get("Location Address Line 2", ""),
                    row.get("Location City", ""),
                )
                if p
            )
            rating = _rating(row.get("Location Latest Overall Rating", ""))
            return LocationRecord(
                line=line,
                cqc_id=row["Location ID"],
                name=row["Location Name"],
                provider_id=row["Provider ID"],
                provider_name=row["Provider Name"],
                address=address,
                postcode=row.get("Location Postal Code", ""),
                lat=_float(row.get("Location Latitude", "")),
                lon=_float(row.get("Location Longitude", "")),
                council_name=row.get("Location Local Authority", ""),
                region=row.get("Location Region", ""),
                telephone=row.get("Location Telephone Number", ""),
                website=_none_if_na(row.get("Location Web Address", "")),
                care_home=care_home,
                beds=_parse_int(row.get("Care homes beds", ""), "care home beds")
                if care_home
                else None,
                rating=rating,
                rating_date=_date(row.get("Publication Date", ""))
                if rating != "Not rated"
                else None,
                dormant=_yes(row.get("Dormant (Y/N)", "")),
                service_types=_flags(row, "Service type - "),
                specialisms=_flags(row, "Service user band - "),
                regulated_activities=_flags(row, "Regulated activity - "),
            )

        _collect(parsed, line, build, row["Location ID"])
    return parsed


def _split_pipes(value: str) -> list[str]:
    return [p.strip() for p in value.split("|") if p.strip() and p.strip() != "NA"]


def _service_types(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({SERVICE_TYPE_NAMES.get(n.lower(), n) for n in names}))


def _bands(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        sorted({SPECIALISM_BANDS[n.lower()] for n in names if n.lower() in SPECIALISM_BANDS})
    )


def _is_care_home(types: tuple[str, ...]) -> bool:
    return any(t.startswith("Care home service") for t in types)


def _parse_weekly(header: list[str], body, first_line: int) -> ParsedFile:
    id_column = next(c for c in header if c.startswith("CQC Location"))
    parsed = ParsedFile(layout="weekly")
    for line, row in _rows(parsed, header, body, first_line):

        def build(row=row, line=line) -> LocationRecord:
            types = _service_types(_split_pipes(row.get("Service types", "")))
            provider_column = next((c for c in header if c.startswith("CQC Provider ID")), "")
            return LocationRecord(
                line=line,
                cqc_id=row[id_column],
                name=row.get("Name", ""),
                provider_id=row.get(provider_column, "") if provider_column else "",
                provider_name=row.get("Provider name", ""),
                address=row.get("Address", ""),
                postcode=row.get("Postcode", ""),
                council_name=row.get("Local Authority", ""),
                region=row.get("Region", ""),
                telephone=row.get("Phone number", ""),
                website=_none_if_na(row.get("Service's website (if available)", "")),
                care_home=_is_care_home(types),
                service_types=types,
                specialisms=_bands(_split_pipes(row.get("Specialisms/services", ""))),
            )

        _collect(parsed, line, build, row[id_column])
    return parsed


def _parse_extract(header: list[str], body, first_line: int) -> ParsedFile:
    parsed = ParsedFile(layout="extract")
    for line, row in _rows(parsed, header, body, first_line):

        def build(row=row, line=line) -> LocationRecord:
            types = _service_types(_split_pipes(row.get("type", "")))
            return LocationRecord(
                line=line,
                cqc_id=row["cqc_id"],
                name=row.get("name", ""),
                provider_name=_none_if_na(row.get("provider", "")),
                address=row.get("address", ""),
                postcode=row.get("postcode", ""),
                lat=_float(row.get("lat", "")),
                lon=_float(row.get("lon", "")),
                council_code=row.get("area_code", ""),
                council_name=row.get("area_name", ""),
                telephone=_none_if_na(row.get("telephone", "")),
                website=_none_if_na(row.get("website", "")),
                care_home=_is_care_home(types),
                service_types=types,
            )

        _collect(parsed, line, build, row["cqc_id"])
    return parsed


def _parse_ratings(header: list[str], body, first_line: int) -> ParsedFile:
    """Provider-wide ratings: one record per provider from its provider-wide Overall row
    (ReportType Provider, service Overall). Two Overall rows for one provider and service
    (the published file has a few) keep the newer and raise a warning."""
    parsed = ParsedFile(layout="ratings", full=False, ratings_only=True)
    best: dict[str, LocationRecord] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(parsed, header, body, first_line):
        if row.get("Domain") != "Overall":
            continue
        provider_id = row.get("ProviderID", "")
        service = row.get("Service/PopulationGroup", "")
        key = (provider_id, row.get("ReportType", ""), service)
        if key in seen:
            parsed.warnings.append(
                Rejection(
                    line,
                    f"second Overall rating for {provider_id} ({service}); line {seen[key]} "
                    "has the first; the newer is kept",
                )
            )
        seen.setdefault(key, line)
        if row.get("ReportType") != "Provider" or service != "Overall":
            continue
        if not PROVIDER_ID.match(provider_id):
            parsed.read += 1
            parsed.rejections.append(
                Rejection(line, f"provider ID {provider_id!r} is neither a CQC nor an ODS code")
            )
            continue
        when = _date(row.get("PublicationDate", ""))
        previous = best.get(provider_id)
        if previous is None:
            parsed.read += 1
        elif previous.rating_date and when and previous.rating_date >= when:
            continue
        best[provider_id] = LocationRecord(
            line=line,
            cqc_id="",
            provider_id=provider_id,
            provider_name=row.get("ProviderName", ""),
            rating=_rating(row.get("LatestRating", "")),
            rating_date=when,
        )
    parsed.records = list(best.values())
    return parsed


def _parse_api_json(path: Path) -> ParsedFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFile(f"{path.name} is not valid JSON: {exc}") from exc
    items = data.get("locations", [data]) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UnreadableFile(f"{path.name}: expected a CQC location object or a list of them")
    parsed = ParsedFile(layout="api", full=False)
    for index, item in enumerate(items, start=1):

        def build(item=item, index=index) -> LocationRecord:
            types = _service_types(
                t.get("description") or t.get("name", "") for t in item.get("gacServiceTypes", [])
            )
            overall = (item.get("currentRatings") or {}).get("overall") or {}
            address = ", ".join(
                str(item.get(k, ""))
                for k in ("postalAddressLine1", "postalAddressLine2", "postalAddressTownCity")
                if item.get(k)
            )
            beds = item.get("numberOfBeds")
            return LocationRecord(
                line=index,
                cqc_id=str(item.get("locationId", "")),
                name=str(item.get("name") or "").strip(),
                provider_id=str(item.get("providerId", "")),
                address=address,
                postcode=str(item.get("postalCode", "")),
                lat=_float(str(item.get("onspdLatitude") or "")),
                lon=_float(str(item.get("onspdLongitude") or "")),
                council_name=str(item.get("localAuthority", "")),
                region=str(item.get("region", "")),
                telephone=str(item.get("mainPhoneNumber", "")),
                website=str(item.get("website", "")),
                care_home=item.get("careHome") == "Y",
                beds=_parse_int(str(beds), "numberOfBeds") if beds is not None else None,
                rating=_rating(str(overall.get("rating", ""))),
                rating_date=_date(str(overall.get("reportDate", ""))),
                dormant=item.get("dormancy") == "Y",
                registered=item.get("registrationStatus", "Registered") != "Deregistered",
                service_types=types,
                specialisms=_bands(s.get("name", "") for s in item.get("specialisms", [])),
                regulated_activities=tuple(
                    sorted(a.get("name", "") for a in item.get("regulatedActivities", []))
                ),
            )

        _collect(parsed, index, build, str(item.get("locationId", "")))
    return parsed


LAYOUT_NAMES = {
    "hsca": "CQC HSCA Active Locations directory",
    "weekly": "CQC weekly care directory",
    "extract": "council extract of the CQC directory",
    "ratings": "CQC ratings file",
    "api": "CQC API location data",
}

PARSERS = {
    "hsca": _parse_hsca,
    "weekly": _parse_weekly,
    "extract": _parse_extract,
    "ratings": _parse_ratings,
}

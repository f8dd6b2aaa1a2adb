"""Bulk vacancy upload in the Capacity Tracker export layouts (care homes and home care).

The whole file is read and checked before anything is written: a file that cannot be read
changes nothing; in a readable file each bad row is reported by line and the good rows are
stored together in one transaction."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import transaction

from homeward.core import clock
from homeward.core.access import Actor
from homeward.directory import queries
from homeward.directory.models import CapacitySource, ServiceOffer
from homeward.directory.services import CapacityError, report_capacity

CARE_HOME_COLUMNS = ("cqcid", "declaredvacancies")
HOME_CARE_COLUMNS = ("cqcid", "extrahourscount")
LONDON = ZoneInfo("Europe/London")
BED_PRIORITY = ["nursing-dementia", "nursing", "residential-dementia", "residential", "d2a-bed"]


class UnreadableUpload(ValueError):
    pass


@dataclass
class UploadResult:
    read: int = 0
    stored: int = 0
    rejections: list[dict] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejections.append({"line": line, "reason": reason})


@dataclass
class _Row:
    line: int
    offer: ServiceOffer
    beds_free: int | None
    hours_free: Decimal | None
    closed: bool
    reported_at: datetime


def _decode(data: bytes) -> list[dict[str, str]]:
    if not data.strip():
        raise UnreadableUpload("the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not (set(CARE_HOME_COLUMNS) <= set(header) or set(HOME_CARE_COLUMNS) <= set(header)):
        raise UnreadableUpload(
            "wrong columns: expected the Capacity Tracker care-home export (cqcid, …, "
            "declaredvacancies, isacceptingadmissions, lastupdatedbst) or the home-care export "
            "(cqcid, …, canprovidermorehours, extrahourscount)"
        )
    reader.fieldnames = header
    return list(reader)


def _when(value: str, line: int) -> datetime:
    value = (value or "").strip()
    if not value:
        return clock.now()
    for fmt in (
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y",
    ):
        try:
            when = datetime.strptime(value, fmt).replace(tzinfo=LONDON)
            break
        except ValueError:
            continue
    else:
        raise CapacityError(
            f"lastupdatedbst {value!r} is not a date and time like 27/11/2026 09:12"
        )
    if when > clock.now():
        raise CapacityError(f"lastupdatedbst {value} is in the future")
    return when


def _yes(value: str) -> bool:
    return (value or "").strip().lower() in ("y", "yes", "true", "1")


def _offer_for(offers: list[ServiceOffer], bed_based: bool) -> ServiceOffer | None:
    """The offer a location-level figure belongs to: its main bed type, or its home care."""
    if bed_based:
        by_type = {o.care_type_id: o for o in offers if o.care_type.bed_based}
        return next((by_type[c] for c in BED_PRIORITY if c in by_type), None)
    home = [o for o in offers if o.care_type_id == "home-care"]
    return next(
        (o for o in home if o.area == (o.location.council.name if o.location.council else "")),
        home[0] if home else None,
    )


def _check_row(row: dict[str, str], line: int, offers_by_cqc: dict) -> _Row:
    cqc_id = (row.get("cqcid") or "").strip()
    if not cqc_id:
        raise CapacityError("cqcid is empty")
    offers = offers_by_cqc.get(cqc_id)
    if not offers:
        raise CapacityError(f"location {cqc_id} is not one of the services you can update")
    bed_based = "declaredvacancies" in row
    offer = _offer_for(offers, bed_based)
    if offer is None:
        kind = "bed-based" if bed_based else "home-care"
        raise CapacityError(f"location {cqc_id} has no {kind} service to update")
    if bed_based:
        raw = (row.get("declaredvacancies") or "").strip()
        try:
            beds = int(raw)
        except ValueError as exc:
            raise CapacityError(f"declaredvacancies {raw!r} is not a whole number") from exc
        used, maximum = row.get("usedbeds", "").strip(), row.get("maxcapacity", "").strip()
        if used.isdigit() and maximum.isdigit() and int(used) > int(maximum):
            raise CapacityError(f"usedbeds {used} is more than maxcapacity {maximum}")
        closed = not _yes(row.get("isacceptingadmissions", "yes") or "yes")
        return _Row(line, offer, beds, None, closed, _when(row.get("lastupdatedbst", ""), line))
    raw = (row.get("extrahourscount") or "").strip() or "0"
    try:
        hours = Decimal(raw)
    except InvalidOperation as exc:
        raise CapacityError(f"extrahourscount {raw!r} is not a number") from exc
    if "canprovidermorehours" in row and not _yes(row["canprovidermorehours"]):
        hours = Decimal(0)
    return _Row(line, offer, None, hours, False, clock.now())


def upload(*, actor: Actor, data: bytes) -> UploadResult:
    """Check every row, then store the valid ones together."""
    rows = _decode(data)
    offers_by_cqc: dict[str, list[ServiceOffer]] = {}
    for offer in queries.editable_offers(actor).select_related("location__council"):
        offers_by_cqc.setdefault(offer.location.cqc_id, []).append(offer)
    result = UploadResult()
    checked: list[_Row] = []
    for line, row in enumerate(rows, start=2):
        result.read += 1
        try:
            checked.append(_check_row(row, line, offers_by_cqc))
        except CapacityError as exc:
            where = (row.get("location") or row.get("cqcid") or "").strip()
            result.reject(line, f"{where}: {exc}" if where else str(exc))
    with transaction.atomic():
        for row in checked:
            try:
                with transaction.atomic():
                    report_capacity(
                        actor=actor,
                        offer=row.offer,
                        beds_free=row.beds_free,
                        hours_free=row.hours_free,
                        closed_to_admissions=row.closed,
                        source=CapacitySource.CSV,
                        reported_at=row.reported_at,
                    )
                result.stored += 1
            except CapacityError as exc:
                result.reject(row.line, str(exc))
    result.rejections.sort(key=lambda r: r["line"])
    return result

"""Storing a parsed CQC file: create, update in place, leave unchanged, deactivate, reject.

The whole import runs in one transaction, so a failure part-way leaves the database as it
was. Unchanged rows are recognised by a hash of their stored fields, so re-importing the same
file writes nothing. Work is done in bulk: a handful of queries per thousand rows."""

import hashlib
from dataclasses import asdict, dataclass, field

from django.db import transaction

from homeward.core import audit, clock
from homeward.core.access import Actor
from homeward.core.models import Organisation, OrganisationKind
from homeward.directory.cqc import LocationRecord, ParsedFile, Rejection
from homeward.directory.models import CareType, Location, Rating, ServiceOffer

BATCH = 2000
DEMENTIA = "Dementia"


@dataclass
class ImportReport:
    """The reconciliation: read = created + updated + unchanged + rejected."""

    layout: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def as_dict(self) -> dict:
        return {
            "layout": self.layout,
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "rejected": self.rejected,
            "rejections": [{"line": r.line, "reason": r.reason} for r in self.rejections],
            "warnings": [{"line": w.line, "reason": w.reason} for w in self.warnings],
        }


def care_types_for(record: LocationRecord) -> list[str]:
    """The care types a location's CQC registration implies; providers add the rest."""
    types = set(record.service_types)
    dementia = DEMENTIA in record.specialisms
    found = []
    if "Care home service with nursing" in types:
        found.append("nursing-dementia" if dementia else "nursing")
    if "Care home service without nursing" in types:
        found.append("residential-dementia" if dementia else "residential")
    if "Domiciliary care service" in types:
        found.append("home-care")
    if "Supported living service" in types:
        found.append("supported-living")
    if "Hospice services" in types:
        found.append("hospice")
    return found


def _digest(record: LocationRecord, provider_id: int, council_id: int | None) -> str:
    values = asdict(record)
    values.pop("line")
    values["provider"] = provider_id
    values["council"] = council_id
    return hashlib.sha1(repr(sorted(values.items())).encode(), usedforsecurity=False).hexdigest()


def _providers(records: list[LocationRecord]) -> dict[str, Organisation]:
    """Provider organisations by code, creating those not yet known. Locations from files
    without a provider ID (council extracts) belong to a provider keyed by its name."""
    wanted: dict[str, str] = {}
    for r in records:
        wanted.setdefault(provider_code(r), r.provider_name or r.provider_id or r.name)
    existing = {
        o.code: o
        for o in Organisation.objects.filter(kind=OrganisationKind.PROVIDER, code__in=wanted)
    }
    missing = [
        Organisation(kind=OrganisationKind.PROVIDER, code=code, name=name[:255])
        for code, name in wanted.items()
        if code not in existing
    ]
    Organisation.objects.bulk_create(missing, batch_size=BATCH)
    if missing:
        existing = {
            o.code: o
            for o in Organisation.objects.filter(kind=OrganisationKind.PROVIDER, code__in=wanted)
        }
    return existing


def provider_code(record: LocationRecord) -> str:
    """The provider's CQC ID or, for files that give only a name, a key from the whole name."""
    if record.provider_id:
        return record.provider_id
    name = " ".join((record.provider_name or record.name).lower().split())
    return "name:" + hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:27]


def _councils() -> dict[str, int]:
    return dict(
        Organisation.objects.filter(kind=OrganisationKind.COUNCIL).values_list("code", "id")
    )


def _apply_ratings(parsed: ParsedFile, report: ImportReport) -> None:
    """Set the rating of providers already in the directory; others are reported, not made."""
    codes = [r.provider_id for r in parsed.records]
    known = {
        o.code: o
        for o in Organisation.objects.filter(kind=OrganisationKind.PROVIDER, code__in=codes)
    }
    changed = []
    for r in parsed.records:
        org = known.get(r.provider_id)
        if org is None:
            report.rejections.append(
                Rejection(
                    r.line,
                    f"provider {r.provider_id} is not a care provider in the directory; "
                    "import the directory first",
                )
            )
        elif org.cqc_rating == r.rating and org.cqc_rating_date == r.rating_date:
            report.unchanged += 1
        else:
            if org.cqc_rating:
                report.updated += 1
            else:
                report.created += 1
            org.cqc_rating, org.cqc_rating_date = r.rating, r.rating_date
            changed.append(org)
    Organisation.objects.bulk_update(changed, ["cqc_rating", "cqc_rating_date"], batch_size=BATCH)


LOCATION_FIELDS = [
    "provider",
    "council",
    "name",
    "address",
    "postcode",
    "lat",
    "lon",
    "region",
    "telephone",
    "website",
    "care_home",
    "beds",
    "rating",
    "rating_date",
    "dormant",
    "active",
    "deactivated_at",
    "service_types",
    "specialisms",
    "regulated_activities",
    "source",
    "source_hash",
    "updated_at",
]


def _fill(location: Location, r: LocationRecord, provider, council_id, digest, layout, now):
    location.provider = provider
    location.council_id = council_id
    location.name = r.name[:255]
    location.address = r.address[:512]
    location.postcode = r.postcode
    location.lat, location.lon = r.lat, r.lon
    location.region = r.region[:64]
    location.telephone = r.telephone[:32]
    location.website = r.website[:255]
    location.care_home = r.care_home
    location.beds = r.beds
    location.rating = r.rating if r.rating in Rating.values else Rating.NOT_RATED
    location.rating_date = r.rating_date
    location.dormant = r.dormant
    location.active = r.registered
    location.deactivated_at = None if r.registered else (location.deactivated_at or now)
    location.service_types = list(r.service_types)
    location.specialisms = list(r.specialisms)
    location.regulated_activities = list(r.regulated_activities)
    location.source = layout
    location.source_hash = digest
    location.updated_at = now


def _ensure_offers(pairs: list[tuple[Location, LocationRecord]], council_names: dict) -> None:
    """Create the offers a registration implies; never remove offers providers added."""
    known = set(CareType.objects.values_list("code", flat=True))
    ids = [loc.pk for loc, _ in pairs]
    have: set[tuple[int, str]] = set()
    for i in range(0, len(ids), BATCH):
        have.update(
            ServiceOffer.objects.filter(location_id__in=ids[i : i + BATCH]).values_list(
                "location_id", "care_type_id"
            )
        )
    new = []
    for loc, r in pairs:
        for code in care_types_for(r):
            if code in known and (loc.pk, code) not in have:
                area = council_names.get(loc.council_id, "") if code == "home-care" else ""
                new.append(ServiceOffer(location=loc, care_type_id=code, area=area))
    ServiceOffer.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)


def _apply_locations(parsed: ParsedFile, report: ImportReport) -> None:
    now = clock.now()
    by_id: dict[str, LocationRecord] = {}
    for r in parsed.records:
        if r.cqc_id in by_id:
            report.rejections.append(
                Rejection(r.line, f"location {r.cqc_id} appears twice; the first row was kept")
            )
            continue
        by_id[r.cqc_id] = r
    records = list(by_id.values())
    providers = _providers(records)
    councils = _councils()
    council_names = dict(
        Organisation.objects.filter(kind=OrganisationKind.COUNCIL).values_list("id", "name")
    )
    ids = list(by_id)
    existing = {
        loc.cqc_id: loc
        for i in range(0, len(ids), BATCH)
        for loc in Location.objects.filter(cqc_id__in=ids[i : i + BATCH])
    }
    to_create, to_update, touched = [], [], []
    for r in records:
        provider = providers[provider_code(r)]
        council_id = councils.get(r.council_code)
        digest = _digest(r, provider.pk, council_id)
        location = existing.get(r.cqc_id)
        if (
            location is not None
            and location.source_hash == digest
            and location.active == r.registered
        ):
            report.unchanged += 1
            continue
        if location is None:
            location = Location(cqc_id=r.cqc_id)
            to_create.append(location)
        else:
            to_update.append(location)
        _fill(location, r, provider, council_id, digest, parsed.layout, now)
        touched.append((location, r))
    Location.objects.bulk_create(to_create, batch_size=BATCH)
    if to_create and to_create[0].pk is None:
        # Backends that cannot return ids from a bulk insert: read them back by CQC ID.
        new_ids = [x.cqc_id for x in to_create]
        pks = {
            cqc_id: pk
            for i in range(0, len(new_ids), BATCH)
            for cqc_id, pk in Location.objects.filter(
                cqc_id__in=new_ids[i : i + BATCH]
            ).values_list("cqc_id", "id")
        }
        for loc in to_create:
            loc.pk = pks[loc.cqc_id]
    Location.objects.bulk_update(to_update, LOCATION_FIELDS, batch_size=BATCH)
    report.created += len(to_create)
    report.updated += len(to_update)
    _ensure_offers(touched, council_names)
    if parsed.full:
        # A file speaks only for the councils and kinds of location it lists: a council's
        # care-home extract says nothing about that council's home-care agencies.
        covered = {councils.get(r.council_code) for r in records} - {None}
        kinds = {r.care_home for r in records}
        gone = [
            pk
            for pk, cqc_id in Location.objects.filter(
                active=True, council_id__in=covered, care_home__in=kinds
            ).values_list("pk", "cqc_id")
            if cqc_id not in by_id and cqc_id not in parsed.rejected_ids
        ]
        for i in range(0, len(gone), BATCH):
            Location.objects.filter(pk__in=gone[i : i + BATCH]).update(
                active=False, deactivated_at=now, updated_at=now
            )
        report.deactivated = len(gone)


def import_parsed(*, actor: Actor, parsed: ParsedFile, filename: str) -> ImportReport:
    """Store one parsed file atomically and audit the import with its reconciliation."""
    report = ImportReport(
        layout=parsed.layout,
        read=parsed.read,
        rejections=list(parsed.rejections),
        warnings=list(parsed.warnings),
    )
    with transaction.atomic():
        if parsed.ratings_only:
            _apply_ratings(parsed, report)
        else:
            _apply_locations(parsed, report)
        summary = report.as_dict()
        summary.pop("rejections")
        summary.pop("warnings")
        audit.record(
            actor, "directory.import", object_type="file", object_id=filename[:64], **summary
        )
    return report

"""Loading NHS trusts from the ODS list (`core.ods`): names people can read in place of the
codes a spell import or the daily return created, the NHS England region, and the link to
the trust's ICB where Homeward knows that ICB. One transaction; importing the same file again
changes nothing."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from homeward.core import audit, clock
from homeward.core.access import Actor
from homeward.core.models import Organisation, OrganisationKind
from homeward.core.ods import Trust, parse_trusts


@dataclass
class TrustImport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    linked_to_icb: int = 0
    rejections: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "linked_to_icb": self.linked_to_icb,
            "rejected": len(self.rejections),
            "rejections": self.rejections,
        }


def import_trusts(*, actor: Actor, path: Path, today: dt.date | None = None) -> TrustImport:
    """Create the trusts open `today` that Homeward lacks and bring known trusts' names,
    regions and ICBs up to date; trusts already closed are counted, never created. Rows read
    = created + updated + unchanged + closed + rejected."""
    today = today or clock.now().date()
    parsed = parse_trusts(path)
    result = TrustImport(read=parsed.read, rejections=parsed.rejections)
    with transaction.atomic():
        known = {
            o.code: o
            for o in Organisation.objects.select_for_update().filter(kind=OrganisationKind.TRUST)
        }
        icbs = dict(
            Organisation.objects.filter(kind=OrganisationKind.ICB).values_list("code", "pk")
        )
        for trust in parsed.trusts:
            _apply(trust, known.get(trust.code), icbs.get(trust.icb), today, result)
        audit.record(
            actor,
            "organisation.trusts_imported",
            object_type="core.organisation",
            source=Path(path).name,
            **{k: v for k, v in result.as_dict().items() if k != "rejections"},
        )
    return result


def _apply(trust: Trust, found, icb_id: int | None, today: dt.date, result: TrustImport) -> None:
    if found is None and not trust.open_on(today):
        result.closed += 1
        return
    wanted = {"name": trust.name, "region": trust.region}
    if icb_id is not None:
        wanted["parent_id"] = icb_id
        result.linked_to_icb += 1
    if found is None:
        Organisation.objects.create(kind=OrganisationKind.TRUST, code=trust.code, **wanted)
        result.created += 1
    elif any(getattr(found, k) != v for k, v in wanted.items()):
        Organisation.objects.filter(pk=found.pk).update(**wanted)
        result.updated += 1
    else:
        result.unchanged += 1

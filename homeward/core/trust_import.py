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
    outside_england: int = 0
    # Trusts linked to their ICB by this import, and those Homeward already links to another
    # ICB than ODS names: the link decides which ICB's people see the trust's patients, so an
    # existing one is never changed by a file, only reported for a person to decide.
    linked_to_icb: list[dict] = field(default_factory=list)
    icb_differs: list[dict] = field(default_factory=list)
    rejections: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "outside_england": self.outside_england,
            "linked_to_icb": self.linked_to_icb,
            "icb_differs": self.icb_differs,
            "rejected": len(self.rejections),
            "rejections": self.rejections,
        }


def import_trusts(*, actor: Actor, path: Path, today: dt.date | None = None) -> TrustImport:
    """Create the English trusts open `today` that Homeward lacks and bring known trusts'
    names and regions up to date, linking each trust without an ICB to its ICB where Homeward
    knows that ICB. Rows read = created + updated + unchanged + closed + outside England +
    rejected."""
    today = today or clock.now().date()
    parsed = parse_trusts(path)
    result = TrustImport(read=parsed.read, rejections=parsed.rejections)
    with transaction.atomic():
        known = {
            o.code: o
            for o in Organisation.objects.select_for_update(of=("self",))
            .filter(kind=OrganisationKind.TRUST)
            .select_related("parent")
        }
        icbs = {o.code: o for o in Organisation.objects.filter(kind=OrganisationKind.ICB)}
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


def _apply(trust: Trust, found, icb, today: dt.date, result: TrustImport) -> None:
    if trust.region is None:
        result.outside_england += 1
        return
    if found is None and not trust.open_on(today):
        result.closed += 1
        return
    wanted = {"name": trust.name, "region": trust.region}
    current_icb = found.parent if found is not None else None
    if icb is not None and current_icb is None:
        wanted["parent_id"] = icb.pk
        result.linked_to_icb.append({"trust": trust.code, "icb": icb.code})
    elif icb is not None and current_icb.pk != icb.pk:
        result.icb_differs.append(
            {"trust": trust.code, "homeward": current_icb.code, "ods": icb.code}
        )
    if found is None:
        Organisation.objects.create(kind=OrganisationKind.TRUST, code=trust.code, **wanted)
        result.created += 1
    elif any(getattr(found, k) != v for k, v in wanted.items()):
        Organisation.objects.filter(pk=found.pk).update(**wanted)
        result.updated += 1
    else:
        result.unchanged += 1

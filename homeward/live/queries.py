"""Organisation-scoped reads for the live view. An area is the acting organisation and the
organisations under it (Organisation.parent: site -> trust -> ICB, council -> ICB)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from homeward.core.access import Actor, require_role
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.live.models import Indicator

# Who may open the live view, post readings and set trigger levels.
VIEW_ROLES = (Role.SYSTEM_LEADER, Role.HUB_MEMBER, Role.COMMISSIONER, Role.ANALYST)
FEED_ROLES = (
    Role.SYSTEM_LEADER,
    Role.HUB_MEMBER,
    Role.COMMISSIONER,
    Role.ANALYST,
    Role.DISCHARGE_COORDINATOR,
    Role.ADMINISTRATOR,
)
TRIGGER_ROLES = (Role.SYSTEM_LEADER, Role.COMMISSIONER)
AREA_KINDS = (OrganisationKind.ICB, OrganisationKind.COUNCIL, OrganisationKind.TRUST)
NOT_IN_AREAS = (OrganisationKind.PROVIDER, OrganisationKind.NATIONAL)


def area_organisations(org: Organisation | None) -> QuerySet[Organisation]:
    """The organisation and those under it, two levels down (an ICB's trusts and their sites,
    an ICB's councils; a trust's sites)."""
    if org is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk=org.pk) | Q(parent_id=org.pk) | Q(parent__parent_id=org.pk)
    ).exclude(kind__in=NOT_IN_AREAS)


def viewer(actor: Actor) -> Organisation:
    """The area whose live view the actor may open; 404 for anyone else."""
    require_role(actor, *VIEW_ROLES)
    if actor.organisation is None or actor.organisation.kind in NOT_IN_AREAS:
        raise Http404("No area")
    return actor.organisation


def feed_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Organisations the actor may post readings for: their area, or any for administrators."""
    require_role(actor, *FEED_ROLES)
    if actor.is_admin:
        return Organisation.objects.exclude(kind__in=NOT_IN_AREAS)
    return area_organisations(actor.organisation)


def trigger_area(actor: Actor) -> Organisation:
    """The area whose trigger levels the actor may set: their own ICB, council or trust."""
    require_role(actor, *TRIGGER_ROLES)
    if actor.organisation is None or actor.organisation.kind not in AREA_KINDS:
        raise Http404("No area")
    return actor.organisation


def fed_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.filter(fed=True)

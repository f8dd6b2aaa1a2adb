"""Who is acting: the user, the organisation they act for and their role.

Views obtain an Actor once per request and hand it to queries (for scoping) and services
(for audit). A signed-in user with no membership may not use Homeward at all."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from homeward.core.models import Membership, Organisation, OrganisationKind, Role


@dataclass(frozen=True)
class Actor:
    user: AbstractBaseUser | None
    organisation: Organisation | None
    role: str

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user is not None else "system"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMINISTRATOR


SYSTEM = Actor(user=None, organisation=None, role="system")


def actor_for(user) -> Actor:
    """The user's acting membership; the first one when they hold several."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to use Homeward")
    membership = (
        Membership.objects.select_related("organisation").filter(user=user).order_by("id").first()
    )
    if membership is None:
        raise PermissionDenied("Your account is not linked to an organisation")
    return Actor(user=user, organisation=membership.organisation, role=membership.role)


def require_role(actor: Actor, *roles: str) -> None:
    """Refuse with 404, so people cannot learn what exists outside their remit."""
    if actor.role not in roles:
        raise Http404("Not found")


def require_council(actor: Actor, *roles: str) -> Organisation:
    """The council the actor works for, when they hold one of the roles there; 404 otherwise."""
    require_role(actor, *roles)
    council = actor.organisation
    if council is None or council.kind != OrganisationKind.COUNCIL:
        raise Http404("Only for a council")
    return council

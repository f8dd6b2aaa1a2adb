"""Telling providers by email that something waits for their answer: a new referral to them,
or a capacity request for care they offer in the requester's area. Each message goes to the
provider's managers once (`core.mail`); the email carries no one's name or address, only what
the provider would see in Homeward before accepting, and a link to answer there."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from homeward.brokerage import queries
from homeward.brokerage.models import (
    CapacityRequest,
    CapacityRequestState,
    ProviderNotice,
    Referral,
    ReferralState,
)
from homeward.core import clock
from homeward.core.mail import PENDING, DeliveryReport, send_once
from homeward.core.models import Membership, Organisation, OrganisationKind, Role
from homeward.directory.models import ServiceOffer, put_forward_q


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M on %-d %b %Y}"


def _managers(provider_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each provider's active managers' email addresses ('' for a manager without one)."""
    found: dict[int, list[str]] = defaultdict(list)
    members = Membership.objects.filter(
        role=Role.PROVIDER_MANAGER, organisation_id__in=set(provider_ids), user__is_active=True
    ).select_related("user")
    for member in members:
        found[member.organisation_id].append(member.user.email)
    return found


def _finished(field: str, ids: Iterable[int]) -> set[tuple[int, str]]:
    """(id, recipient) pairs already sent, or given up on, so they are not tried again."""
    rows = ProviderNotice.objects.exclude(PENDING).filter(**{f"{field}__in": list(ids)})
    return set(rows.values_list(f"{field}_id", "recipient"))


def _send(report, field, thing, recipients, finished, subject, body) -> None:
    for recipient in recipients:
        if not recipient:
            report.skipped_no_email += 1
        elif (thing.pk, recipient) not in finished:
            send_once(ProviderNotice, {field: thing, "recipient": recipient}, subject, body, report)


def _referrals(report: DeliveryReport, base_url: str) -> None:
    waiting = list(
        Referral.objects.filter(state=ReferralState.SENT, deadline__gt=clock.now())
        .select_related("case__care_type", "case__council", "offer__location")
        .order_by("deadline")
    )
    managers = _managers(r.provider_id for r in waiting)
    finished = _finished("referral", (r.pk for r in waiting))
    for referral in waiting:
        summary = queries.summary(referral)
        needs = ", ".join([*summary.specialisms, *summary.capabilities]) or "none recorded"
        body = (
            f"{summary.location} has a new referral in Homeward: {summary.care_type} for a "
            f"person in {summary.area}.\n"
            f"Specialist needs: {needs}. Funding: {summary.funding_route}.\n\n"
            f"Please accept or decline by {_when(referral.deadline)}; unanswered, it expires "
            "then.\n"
            f"Answer it in Homeward: {base_url}/brokerage/referrals/{referral.pk}/\n"
        )
        subject = f"Homeward: new referral for {summary.care_type}, answer by " + _when(
            referral.deadline
        )
        recipients = managers.get(referral.provider_id, [])
        _send(report, "referral", referral, recipients, finished, subject, body)


def _areas(organisation: Organisation) -> tuple[set[int], set[str]]:
    """The ids and names of the councils whose providers a request from `organisation` is
    for: the council itself, or the councils of an ICB."""
    if organisation.kind == OrganisationKind.COUNCIL:
        return {organisation.pk}, {organisation.name}
    councils = Organisation.objects.filter(parent=organisation, kind=OrganisationKind.COUNCIL)
    found = dict(councils.values_list("pk", "name"))
    return set(found), set(found.values())


def _serves(council: int, area: str, council_ids: set[int], council_names: set[str]) -> bool:
    """An offer with a named area serves that council; one without serves where it is."""
    return area in council_names if area else council in council_ids


def _providers(open_requests: list[CapacityRequest]) -> dict[int, set[int]]:
    """For each request, the providers offering its care type at a location put forward in
    its area: based in one of its councils, or (home care) offering hours in one by name.
    One query of offers for all of them."""
    if not open_requests:
        return {}
    areas = {}
    for request in open_requests:
        if request.organisation_id not in areas:
            areas[request.organisation_id] = _areas(request.organisation)
    council_ids = {c for ids, _ in areas.values() for c in ids}
    names = {n for _, found in areas.values() for n in found}
    offers = ServiceOffer.objects.filter(
        put_forward_q("location__"),
        Q(area="", location__council_id__in=council_ids) | Q(area__in=names),
        active=True,
        care_type_id__in={r.care_type_id for r in open_requests},
    ).values_list("care_type_id", "location__council_id", "area", "location__provider_id")
    by_care_type: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for care_type, council, area, provider in offers:
        by_care_type[care_type].append((council, area, provider))
    found = {}
    for request in open_requests:
        ids, area_names = areas[request.organisation_id]
        found[request.pk] = {
            provider
            for council, area, provider in by_care_type[request.care_type_id]
            if _serves(council, area, ids, area_names)
        }
    return found


def _requests(report: DeliveryReport, base_url: str) -> None:
    open_requests = list(
        CapacityRequest.objects.filter(
            state=CapacityRequestState.OPEN, respond_by__gt=clock.now()
        ).select_related("organisation", "care_type")
    )
    providers = _providers(open_requests)
    managers = _managers(p for found in providers.values() for p in found)
    finished = _finished("capacity_request", (r.pk for r in open_requests))
    for request in open_requests:
        amount = f"{request.volume:,} {request.get_unit_display().lower()}"
        subject = (
            f"Homeward: {request.organisation.name} asks for {amount} of "
            f"{request.care_type.name}, reply by {_when(request.respond_by)}"
        )
        body = (
            f"{request.organisation.name} is asking providers of {request.care_type.name} in "
            f"its area for capacity: {request.description}.\n"
            f"Area: {request.area}. How much: {amount}. "
            f"From {request.start_date:%-d %b %Y} to {request.end_date:%-d %b %Y}.\n"
            f"Contact: {request.contact_name}, {request.contact_email}.\n\n"
            f"Reply by {_when(request.respond_by)} in Homeward: "
            f"{base_url}/brokerage/requests/{request.pk}/\n"
        )
        recipients = [m for p in sorted(providers[request.pk]) for m in managers.get(p, [])]
        _send(report, "capacity_request", request, recipients, finished, subject, body)


def deliver(*, base_url: str = "") -> DeliveryReport:
    """Email providers' managers about every referral awaiting their answer and every open
    capacity request they could meet that they have not been told about yet."""
    report = DeliveryReport()
    _referrals(report, base_url)
    _requests(report, base_url)
    return report

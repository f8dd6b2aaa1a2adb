"""Writes to the directory: capacity reports and compliance decisions. Each runs in a
transaction, names the acting user and writes its audit row in the same transaction."""

from decimal import Decimal

from django.db import transaction

from homeward.core import audit, clock
from homeward.core.access import Actor
from homeward.directory.models import (
    CapacityReport,
    CareType,
    ComplianceFlag,
    ComplianceState,
    Location,
    ServiceOffer,
)

MAX_BEDS = 2000
MAX_HOURS = Decimal("10000")


class CapacityError(ValueError):
    """A capacity figure that cannot be true; the message names the field and the fix."""


def validate_capacity(
    offer: ServiceOffer, beds_free: int | None, hours_free: Decimal | None
) -> None:
    """Bed-based offers report beds, home care reports hours; neither may be impossible."""
    if offer.care_type.bed_based:
        if beds_free is None:
            raise CapacityError("beds free is required for a bed-based service")
        if beds_free < 0 or beds_free > MAX_BEDS:
            raise CapacityError(f"beds free must be between 0 and {MAX_BEDS}, not {beds_free}")
        if offer.location.beds is not None and beds_free > offer.location.beds:
            raise CapacityError(
                f"beds free ({beds_free}) cannot exceed the home's {offer.location.beds} "
                "registered beds"
            )
    else:
        if hours_free is None:
            raise CapacityError("hours per week is required for home care")
        if hours_free < 0 or hours_free > MAX_HOURS:
            raise CapacityError(f"hours per week must be between 0 and {MAX_HOURS}")


def report_capacity(
    *,
    actor: Actor,
    offer: ServiceOffer,
    beds_free: int | None = None,
    hours_free: Decimal | None = None,
    closed_to_admissions: bool = False,
    source: str,
    reported_at=None,
) -> CapacityReport:
    """Record a new capacity figure for an offer and make it the offer's latest."""
    validate_capacity(offer, beds_free, hours_free)
    with transaction.atomic():
        report = CapacityReport.objects.create(
            offer=offer,
            beds_free=beds_free if offer.care_type.bed_based else None,
            hours_free=None if offer.care_type.bed_based else hours_free,
            closed_to_admissions=closed_to_admissions,
            reported_at=reported_at or clock.now(),
            reported_by=actor.user,
            source=source,
        )
        ServiceOffer.objects.filter(pk=offer.pk).update(latest_report=report)
        offer.latest_report = report
        audit.record(
            actor,
            "capacity.report",
            offer,
            beds_free=report.beds_free,
            hours_free=str(report.hours_free) if report.hours_free is not None else None,
            closed=closed_to_admissions,
            source=source,
        )
    return report


def set_compliance(*, actor: Actor, location: Location, state: str, reason: str) -> ComplianceFlag:
    """Record a commissioner's decision; the location's current state follows it."""
    if state not in ComplianceState.values or state == ComplianceState.NONE:
        raise ValueError(f"unknown compliance state {state!r}")
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required")
    with transaction.atomic():
        flag = ComplianceFlag.objects.create(
            location=location,
            state=state,
            reason=reason,
            set_by=actor.user,
            organisation=actor.organisation,
            at=clock.now(),
        )
        Location.objects.filter(pk=location.pk).update(compliance=state, updated_at=clock.now())
        location.compliance = state
        audit.record(actor, "location.compliance", location, state=state, reason=reason)
    return flag


HOME_CARE = "home-care"
MAX_STALE_HOURS = 24 * 14


def set_stale_after(*, actor: Actor, care_type: CareType, hours: int) -> CareType:
    """Change how long a care type's vacancy figures stay trustworthy."""
    if not 1 <= hours <= MAX_STALE_HOURS:
        raise ValueError(f"hours must be between 1 and {MAX_STALE_HOURS}")
    with transaction.atomic():
        before = care_type.stale_after_hours
        CareType.objects.filter(pk=care_type.pk).update(stale_after_hours=hours)
        care_type.stale_after_hours = hours
        audit.record(actor, "caretype.stale_after", care_type, before=before, after=hours)
    return care_type


def add_home_care_area(*, actor: Actor, location: Location, area: str) -> ServiceOffer:
    """Let a home-care agency offer hours in another area (a council it covers)."""
    area = area.strip()
    if not area:
        raise ValueError("choose an area")
    with transaction.atomic():
        offer, created = ServiceOffer.objects.get_or_create(
            location=location, care_type_id=HOME_CARE, area=area
        )
        if not created and not offer.active:
            ServiceOffer.objects.filter(pk=offer.pk).update(active=True)
        audit.record(actor, "offer.add_area", offer, area=area, created=created)
    return offer

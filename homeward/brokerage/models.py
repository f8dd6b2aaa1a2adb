"""Brokerage: referrals of a case to providers, their answers, the placement that follows,
ranking weights per area and capacity requests a commissioner sends to the market.

The allowed moves of a referral and of a placement are the transition tables in `rules.py`;
`services.py` is the only writer and audits every move."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from homeward.cases.models import DischargeCase
from homeward.core.models import Delivery, Organisation
from homeward.directory.models import CareType, Location, ServiceOffer


class ReferralState(models.TextChoices):
    SENT = "sent", "Awaiting answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"
    PLACED = "placed", "Placed"


LIVE_REFERRAL_STATES = (ReferralState.SENT, ReferralState.ACCEPTED)


class DeclineReason(models.TextChoices):
    NO_VACANCY = "no_vacancy", "No vacancy"
    CANNOT_MEET_NEEDS = "cannot_meet_needs", "Cannot meet needs"
    STAFFING = "staffing", "Staffing"
    FUNDING = "funding", "Funding"
    GEOGRAPHY = "geography", "Geography"
    OTHER = "other", "Other"


class Referral(models.Model):
    """One case referred to one service offer. The provider sees a minimal summary until it
    accepts; `deadline` is when an unanswered referral expires."""

    case = models.ForeignKey(DischargeCase, on_delete=models.PROTECT, related_name="referrals")
    offer = models.ForeignKey(ServiceOffer, on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=12, choices=ReferralState.choices, default=ReferralState.SENT
    )
    deadline = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    response_note = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "state"]),
            models.Index(fields=["case", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "offer"],
                condition=Q(state__in=["sent", "accepted"]),
                name="referral_one_live_per_offer",
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="referral_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} of case {self.case_id} ({self.get_state_display()})"


class ContractType(models.TextChoices):
    BLOCK = "block", "Block contract"
    SPOT = "spot", "Spot purchase"
    FRAMEWORK = "framework", "Framework call-off"


class FundingSource(models.TextChoices):
    COUNCIL = "council", "Council"
    NHS_CHC = "nhs_chc", "NHS continuing healthcare"
    NHS_DISCHARGE = "nhs_discharge", "NHS discharge funding"
    JOINT = "joint", "Joint (council and NHS)"
    SELF = "self", "Self-funded"


class PlacementState(models.TextChoices):
    AGREED = "agreed", "Agreed"
    STARTED = "started", "Started"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


class Placement(models.Model):
    """A confirmed placement or package: the accepted referral turned into a commitment.
    Confirming one takes one vacancy from the offer in the same transaction."""

    case = models.ForeignKey(DischargeCase, on_delete=models.PROTECT, related_name="placements")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="placement")
    offer = models.ForeignKey(ServiceOffer, on_delete=models.PROTECT, related_name="placements")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=12, choices=PlacementState.choices, default=PlacementState.AGREED
    )
    start_date = models.DateField()
    weekly_cost = models.DecimalField(max_digits=9, decimal_places=2)
    hours_per_week = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    contract_type = models.CharField(max_length=12, choices=ContractType.choices)
    funding_source = models.CharField(max_length=16, choices=FundingSource.choices)
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state__in=["agreed", "started"]),
                name="placement_one_live_per_case",
            ),
            models.CheckConstraint(condition=Q(weekly_cost__gte=0), name="placement_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"Placement {self.pk} of case {self.case_id} ({self.get_state_display()})"


class AreaWeights(models.Model):
    """How a council ranks providers for the people it places: the weight of each component
    of the shortlist score (they need not sum to one; the score is their weighted mean)."""

    council = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="+")
    distance = models.FloatField()
    quality = models.FloatField()
    cost = models.FloatField()
    preference = models.FloatField()
    response = models.FloatField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(distance__gte=0)
                & Q(quality__gte=0)
                & Q(cost__gte=0)
                & Q(preference__gte=0)
                & Q(response__gte=0),
                name="areaweights_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"Ranking weights of {self.council.name}"


class CapacityUnit(models.TextChoices):
    BEDS = "beds", "Beds"
    HOURS = "hours", "Hours a week"
    PACKAGES = "packages", "Packages"


class CapacityRequestState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CapacityRequest(models.Model):
    """A commissioner asking the market for capacity: exactly what care, where, how much,
    when, and one named person to talk to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    care_type = models.ForeignKey(CareType, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    area = models.CharField(max_length=100)
    volume = models.PositiveIntegerField()
    unit = models.CharField(max_length=8, choices=CapacityUnit.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    respond_by = models.DateTimeField()
    contact_name = models.CharField(max_length=100)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=32, blank=True)
    state = models.CharField(
        max_length=8, choices=CapacityRequestState.choices, default=CapacityRequestState.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="capacityrequest_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(volume__gte=1), name="capacityrequest_volume"),
        ]

    def __str__(self) -> str:
        return f"{self.description} in {self.area}"


class CapacityOffer(models.Model):
    """A provider's answer to a capacity request: what it can offer, from when, at what price."""

    request = models.ForeignKey(CapacityRequest, on_delete=models.PROTECT, related_name="offers")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    volume = models.PositiveIntegerField()
    weekly_price = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    available_from = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    offered_at = models.DateTimeField()

    class Meta:
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "provider"], name="capacityoffer_one_each"),
            models.CheckConstraint(condition=Q(volume__gte=1), name="capacityoffer_volume"),
        ]

    def __str__(self) -> str:
        return f"{self.provider.name} offers {self.volume} for request {self.request_id}"


class ProviderNotice(Delivery):
    """That a provider's manager was emailed about a new referral to the provider, or about a
    capacity request for care it offers in the requester's area, so each goes out once."""

    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    capacity_request = models.ForeignKey(
        CapacityRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False, capacity_request__isnull=True)
                | Q(referral__isnull=True, capacity_request__isnull=False),
                name="providernotice_about_one_thing",
            ),
            models.UniqueConstraint(
                fields=["referral", "recipient"], name="providernotice_referral_once"
            ),
            models.UniqueConstraint(
                fields=["capacity_request", "recipient"], name="providernotice_request_once"
            ),
        ]

    def __str__(self) -> str:
        about = f"referral {self.referral_id}" if self.referral_id else "capacity request"
        return f"{about} to {self.recipient}"

"""The care market: CQC locations, what each can take (service offers), capacity reports
and compliance flags. Care types are data with a staleness threshold each."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from homeward.core.models import Organisation


class CareType(models.Model):
    """A kind of care a location can offer. `stale_after_hours` says how old a vacancy figure
    may be before it is no longer trusted as "available now"."""

    code = models.SlugField(max_length=32, primary_key=True)
    name = models.CharField(max_length=80)
    bed_based = models.BooleanField()
    stale_after_hours = models.PositiveIntegerField()
    sort_order = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stale_after_hours__gte=1), name="caretype_stale_after_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Rating(models.TextChoices):
    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"
    NOT_RATED = "Not rated"


class ComplianceState(models.TextChoices):
    NONE = "none", "No concerns recorded"
    UNDER_INVESTIGATION = "under_investigation", "Under investigation"
    ACTION_PLAN = "action_plan", "On an action plan"
    CLEARED = "cleared", "Cleared by commissioner"


HELD_BACK_STATES = (ComplianceState.UNDER_INVESTIGATION, ComplianceState.ACTION_PLAN)


class Location(models.Model):
    """A CQC-registered location. Locations that leave the directory become inactive; they
    are never deleted, so their capacity history survives."""

    cqc_id = models.CharField(max_length=20, unique=True)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="locations")
    council = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="council_locations",
    )
    name = models.CharField(max_length=255)
    address = models.CharField(max_length=512, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    region = models.CharField(max_length=64, blank=True)
    telephone = models.CharField(max_length=32, blank=True)
    website = models.CharField(max_length=255, blank=True)
    care_home = models.BooleanField(default=False)
    beds = models.PositiveIntegerField(null=True, blank=True)
    rating = models.CharField(max_length=24, choices=Rating.choices, default=Rating.NOT_RATED)
    rating_date = models.DateField(null=True, blank=True)
    dormant = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    service_types = models.JSONField(default=list, blank=True)
    specialisms = models.JSONField(default=list, blank=True)
    regulated_activities = models.JSONField(default=list, blank=True)
    compliance = models.CharField(
        max_length=24, choices=ComplianceState.choices, default=ComplianceState.NONE
    )
    source = models.CharField(max_length=24, blank=True)
    source_hash = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["council", "active"]),
            models.Index(fields=["lat", "lon"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(beds__isnull=True) | Q(beds__lte=2000), name="location_beds_plausible"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cqc_id})"

    @property
    def put_forward(self) -> bool:
        """Whether the location may be offered to people at all (see domain rules)."""
        return put_forward_q_applies(self)


def put_forward_q(prefix: str = "") -> Q:
    """Active, and either cleared by a commissioner or free of every hold-back reason."""

    def field(name: str, value) -> Q:
        return Q(**{f"{prefix}{name}": value})

    clean = (
        field("dormant", False)
        & ~field("rating", Rating.INADEQUATE)
        & ~field("compliance__in", [s.value for s in HELD_BACK_STATES])
    )
    return field("active", True) & (field("compliance", ComplianceState.CLEARED) | clean)


def put_forward_q_applies(location: Location) -> bool:
    if not location.active:
        return False
    if location.compliance == ComplianceState.CLEARED:
        return True
    return (
        not location.dormant
        and location.rating != Rating.INADEQUATE
        and location.compliance not in HELD_BACK_STATES
    )


def hold_back_reasons(location: Location) -> list[str]:
    """Plain-words reasons a location is not put forward; empty when it is."""
    if not location.active:
        return ["no longer registered with CQC"]
    if location.compliance == ComplianceState.CLEARED:
        return []
    reasons = []
    if location.dormant:
        reasons.append("dormant")
    if location.rating == Rating.INADEQUATE:
        reasons.append("rated Inadequate")
    if location.compliance in HELD_BACK_STATES:
        reasons.append(location.get_compliance_display().lower())
    return reasons


class ComplianceFlag(models.Model):
    """One commissioner decision about a location; the latest sets Location.compliance."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="flags")
    state = models.CharField(max_length=24, choices=ComplianceState.choices)
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.location.cqc_id}: {self.get_state_display()}"


class ServiceOffer(models.Model):
    """What a location can take: a care type, capabilities and weekly price. Home care is
    offered per area served (`area`: a council name or outcode), so an agency states its spare
    hours area by area; bed-based offers leave `area` blank. `latest_report` points at the
    newest capacity report, so searches need no subquery."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="offers")
    care_type = models.ForeignKey(CareType, on_delete=models.PROTECT)
    capabilities = models.JSONField(default=list, blank=True)
    area = models.CharField(max_length=64, blank=True)
    weekly_price = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(default=True)
    latest_report = models.ForeignKey(
        "CapacityReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["location__name", "care_type__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "care_type", "area"], name="serviceoffer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location.name}: {self.care_type.name}"


class CapacitySource(models.TextChoices):
    WEB = "web", "Web form"
    CSV = "csv", "Capacity Tracker upload"
    API = "api", "API"
    DEMO = "demo", "Demo data"
    PLACEMENT = "placed", "Placement confirmed"


class CapacityReport(models.Model):
    """A timestamped statement of free capacity for one offer. Never edited: a new figure is
    a new row, so occupancy trends can be drawn from the history."""

    offer = models.ForeignKey(ServiceOffer, on_delete=models.PROTECT, related_name="reports")
    beds_free = models.PositiveIntegerField(null=True, blank=True)
    hours_free = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    closed_to_admissions = models.BooleanField(default=False)
    reported_at = models.DateTimeField(db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    source = models.CharField(max_length=8, choices=CapacitySource.choices)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(beds_free__isnull=False) | Q(hours_free__isnull=False),
                name="capacityreport_has_figure",
            ),
            models.CheckConstraint(
                condition=Q(beds_free__isnull=True) | Q(beds_free__lte=2000),
                name="capacityreport_beds_plausible",
            ),
            models.CheckConstraint(
                condition=Q(hours_free__isnull=True) | Q(hours_free__gte=0),
                name="capacityreport_hours_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} at {self.reported_at:%Y-%m-%d %H:%M}: {self.amount}"

    @property
    def amount(self):
        return self.beds_free if self.beds_free is not None else self.hours_free

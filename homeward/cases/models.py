"""Discharge cases: the patient, the hospital spell, criteria-to-reside history, the case
workflow (one transition table in `workflow.py`), delay episodes and tasks. Codes NHS England
changes (delay reasons, pathways, task types) are `ReferenceCode` rows with validity dates."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from homeward.core.models import Delivery, Organisation


class CodeList(models.TextChoices):
    DELAY_REASON = "delay_reason", "Reason for not discharging (acute collection)"
    LEGACY_DTOC = "legacy_dtoc", "Delayed transfer of care reason (2010–2020)"
    PATHWAY = "pathway", "Discharge pathway"
    TASK_TYPE = "task_type", "Task type"


class ReferenceCode(models.Model):
    """One code of a published list, valid between two dates."""

    list = models.CharField(max_length=16, choices=CodeList.choices)
    code = models.CharField(max_length=16)
    label = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["list", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["list", "code"], name="referencecode_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other or not stated"


class Patient(models.Model):
    """A person identified by NHS number. Spells imported from other systems may arrive with
    the number only, so name and date of birth can be blank until someone records them."""

    nhs_number = models.CharField(max_length=10, unique=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.OTHER)
    postcode = models.CharField(max_length=8, blank=True)
    council = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"NHS {self.nhs_number}"


class CaseState(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    ASSESSING = "assessing", "Assessing"
    AWAITING_PROVISION = "awaiting_provision", "Awaiting provision"
    REFERRED = "referred", "Referred"
    PLACEMENT_AGREED = "placement_agreed", "Placement agreed"
    DISCHARGED = "discharged", "Discharged"
    CANCELLED = "cancelled", "Cancelled"
    READMITTED = "readmitted", "Readmitted"


OPEN_STATES = [
    CaseState.IDENTIFIED,
    CaseState.ASSESSING,
    CaseState.AWAITING_PROVISION,
    CaseState.REFERRED,
    CaseState.PLACEMENT_AGREED,
]


class FundingRoute(models.TextChoices):
    COUNCIL = "council", "Council"
    CHC = "chc", "NHS continuing healthcare"
    SELF = "self", "Self-funder"
    JOINT = "joint", "Joint"
    UNKNOWN = "unknown", "Not yet known"


class DischargeCase(models.Model):
    """One hospital spell of one patient, from admission to discharge. The discharge ready
    date follows the criteria-to-reside history and is kept here only for fast lists; it is
    recomputed by `services` whenever that history changes."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    spell_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    trust = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    council = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ward = models.CharField(max_length=64, blank=True)
    admission_date = models.DateField()
    discharge_ready_date = models.DateField(null=True, blank=True, db_index=True)
    expected_discharge_date = models.DateField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    pathway = models.ForeignKey(
        ReferenceCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=24, choices=CaseState.choices, default=CaseState.IDENTIFIED, db_index=True
    )
    owner_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_action = models.CharField(max_length=255, blank=True)
    next_action_due = models.DateTimeField(null=True, blank=True)
    care_type = models.ForeignKey(
        "directory.CareType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    specialisms = models.JSONField(default=list, blank=True)
    capabilities = models.JSONField(default=list, blank=True)
    funding_route = models.CharField(
        max_length=8, choices=FundingRoute.choices, default=FundingRoute.UNKNOWN
    )
    preferred_areas = models.JSONField(default=list, blank=True)
    weekly_budget = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    home_postcode = models.CharField(max_length=8, blank=True)
    # Legacy assessment and discharge notices (Care Act 2014 Schedule 3, repealed July 2022),
    # used only where the council of residence has switched them on.
    assessment_notice_at = models.DateTimeField(null=True, blank=True)
    discharge_notice_at = models.DateTimeField(null=True, blank=True)
    proposed_discharge_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["trust", "state"]),
            models.Index(fields=["council", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharge_ready_date__isnull=True)
                | Q(discharge_ready_date__gte=models.F("admission_date")),
                name="case_drd_after_admission",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.get_state_display()})"


class CriteriaEvent(models.Model):
    """A change in whether the patient meets the criteria to reside. Never edited."""

    case = models.ForeignKey(DischargeCase, on_delete=models.PROTECT, related_name="criteria")
    meets_criteria = models.BooleanField()
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'meets' if self.meets_criteria else 'ready'}"


class CaseTransition(models.Model):
    """An immutable record of one state change: from, to, by whom, when and why."""

    case = models.ForeignKey(DischargeCase, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state}"


class Attribution(models.TextChoices):
    NHS = "nhs", "NHS"
    SOCIAL_CARE = "social_care", "Social care"
    BOTH = "both", "Both"


class DelayEpisode(models.Model):
    """A span during which one coded reason holds the person in hospital. Several can be
    open at once; one open episode is the primary reason."""

    case = models.ForeignKey(DischargeCase, on_delete=models.PROTECT, related_name="delays")
    reason = models.ForeignKey(ReferenceCode, on_delete=models.PROTECT, related_name="+")
    attribution = models.CharField(max_length=12, choices=Attribution.choices)
    primary = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-primary", "started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="delay_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(primary=True, ended_at__isnull=True),
                name="delay_one_open_primary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason.code} ({self.get_attribution_display()})"


class Task(models.Model):
    """A piece of work that must happen before discharge, with an owner and a due time.
    Overdue is derived from `due_at` and `done_at`, never stored."""

    case = models.ForeignKey(DischargeCase, on_delete=models.PROTECT, related_name="tasks")
    task_type = models.ForeignKey(ReferenceCode, on_delete=models.PROTECT, related_name="+")
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_type.label} due {self.due_at:%Y-%m-%d %H:%M}"


class AlertNotice(Delivery):
    """That an alert was emailed to someone, so each alert is sent once. The alert itself is
    derived from timestamps by `alerts.py`; this row only records delivery."""

    case = models.ForeignKey(DischargeCase, on_delete=models.PROTECT, related_name="notices")
    key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "key", "recipient"], name="alertnotice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.recipient}"


class LegacyNoticeArea(models.Model):
    """A council that still works with the repealed assessment and discharge notices."""

    council = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="+")
    enabled = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.council.name}: legacy notices {'on' if self.enabled else 'off'}"

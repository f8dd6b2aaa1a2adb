"""Organisations, memberships and roles, the append-only audit log, and postcode positions."""

from django.conf import settings
from django.db import models


class OrganisationKind(models.TextChoices):
    TRUST = "trust", "NHS trust"
    SITE = "site", "Hospital site"
    COUNCIL = "council", "Council"
    ICB = "icb", "Integrated care board"
    PROVIDER = "provider", "Care provider"
    NATIONAL = "national", "National body"


class Organisation(models.Model):
    """Any body a user works for. `code` is the ODS code (trusts, ICBs), ONS code (councils)
    or CQC provider ID (care providers)."""

    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    region = models.CharField(max_length=64, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    # Care providers only: the provider-wide overall rating from the CQC ratings file.
    cqc_rating = models.CharField(max_length=24, blank=True)
    cqc_rating_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="organisation_kind_code_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Role(models.TextChoices):
    DISCHARGE_COORDINATOR = "discharge_coordinator", "Discharge coordinator"
    HUB_MEMBER = "hub_member", "Care transfer hub member"
    BROKER = "broker", "Broker"
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER_MANAGER = "provider_manager", "Provider manager"
    SYSTEM_LEADER = "system_leader", "System leader"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """A user acting in a role for an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()} at {self.organisation.name}"


class AuditEvent(models.Model):
    """Append-only record of who did what. The database refuses UPDATE and DELETE on it."""

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    username = models.CharField(max_length=150)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"


class Postcode(models.Model):
    """A full postcode's position, stored without spaces (`M11AA`)."""

    postcode = models.CharField(max_length=8, primary_key=True)
    lat = models.FloatField()
    lon = models.FloatField()

    def __str__(self) -> str:
        return self.postcode


class Outcode(models.Model):
    """The mean position of an outcode (`M33`): the fallback when a postcode is not loaded."""

    outcode = models.CharField(max_length=4, primary_key=True)
    lat = models.FloatField()
    lon = models.FloatField()

    def __str__(self) -> str:
        return self.outcode


class ApiToken(models.Model):
    """A bearer token for API clients (provider systems, scripts). Only its SHA-256 digest
    is stored; the token itself is shown once, when created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class IdempotentRequest(models.Model):
    """An API write sent with an `Idempotency-Key`: the first answer is kept, so a client that
    retries after a timeout gets the same answer instead of a second booking. `status` is null
    while the first request is still running."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotentrequest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'running'})"


class Delivery(models.Model):
    """That a message was emailed to someone, so it is sent once; a failed send is retried
    and stays visible (attempts and the last error) instead of being dropped."""

    recipient = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True

"""NHS England's published discharge webfiles, stored as published: one release per file and
month (a later revision supersedes, the earlier one is kept), rows per organisation with
the measures. A missing or suppressed figure is NULL, never 0."""

from django.db import models
from django.db.models import Q

from homeward.measures.workbook import Release


class Kind(models.TextChoices):
    DRD = "drd", "Discharge Ready Date monthly webfile"
    SITREP = "sitrep", "Acute discharge situation report webfile"


class Level(models.TextChoices):
    NATIONAL = "national", "England"
    REGION = "region", "Region"
    ICB = "icb", "Integrated care board"
    PROVIDER = "provider", "Provider (trust)"


class WebfileRelease(Release, models.Model):
    """One monthly webfile as published; a later revision of the same month supersedes it."""

    kind = models.CharField(max_length=8, choices=Kind.choices)
    period = models.DateField(help_text="first day of the month the figures are for")
    published = models.DateField(null=True, blank=True)
    revised = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=255, help_text="file name as imported")
    fingerprint = models.CharField(max_length=64, unique=True)
    layout = models.CharField(max_length=20, blank=True)
    details = models.JSONField(
        default=dict, help_text="how the file was read: percentage scale, band base, reasons"
    )
    current = models.BooleanField(default=False)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "period", "imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period"],
                condition=Q(current=True),
                name="one_current_webfile_release",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period:%B %Y} ({self.source})"


class DrdFigure(models.Model):
    """One organisation's Discharge Ready Date measures in one release. Percentages 0-100;
    `bands` maps each delay band to {people, bed_days, pct} as published (None = missing)."""

    release = models.ForeignKey(WebfileRelease, on_delete=models.CASCADE, related_name="drd")
    period = models.DateField()
    level = models.CharField(max_length=8, choices=Level.choices)
    code = models.CharField(max_length=80)
    name = models.CharField(max_length=255)
    region = models.CharField(max_length=255, blank=True)
    icb = models.CharField(max_length=255, blank=True)
    data_source = models.CharField(max_length=255, blank=True)
    providers_acceptable = models.PositiveIntegerField(null=True)
    pct_providers_acceptable = models.FloatField(null=True)
    discharges = models.PositiveIntegerField(null=True)
    not_delayed = models.PositiveIntegerField(null=True)
    delayed = models.PositiveIntegerField(null=True)
    pct_not_delayed = models.FloatField(null=True)
    pct_delayed = models.FloatField(null=True)
    avg_delay_days_excl_zero = models.FloatField(null=True)
    delayed_bed_days = models.PositiveIntegerField(null=True)
    bands = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="one_drd_figure_per_org")
        ]
        indexes = [models.Index(fields=["code", "period"])]

    def __str__(self) -> str:
        return f"{self.name} {self.period:%Y-%m}: {self.pct_delayed}% delayed"


class SitrepFigure(models.Model):
    """One organisation's row of Table 2 or Table 3 for a day (`day` NULL: the whole month)."""

    release = models.ForeignKey(WebfileRelease, on_delete=models.CASCADE, related_name="sitrep")
    table = models.PositiveSmallIntegerField(choices=[(2, "Table 2"), (3, "Table 3")])
    day = models.DateField(null=True)
    level = models.CharField(max_length=8, choices=Level.choices)
    code = models.CharField(max_length=80)
    name = models.CharField(max_length=255, blank=True)
    region = models.CharField(max_length=255, blank=True)
    icb_code = models.CharField(max_length=255, blank=True)
    icb_name = models.CharField(max_length=255, blank=True)
    not_meeting_criteria = models.PositiveIntegerField(null=True)
    discharged_by_1700 = models.PositiveIntegerField(null=True)
    discharged_1701_2359 = models.PositiveIntegerField(null=True)
    remaining = models.PositiveIntegerField(null=True)
    reasons = models.JSONField(default=dict, help_text="reason code -> people (None = missing)")
    no_reason_recorded = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["table", "day", "code"]
        indexes = [models.Index(fields=["code", "day"])]

    def __str__(self) -> str:
        return f"Table {self.table} {self.code} {self.day or 'month'}"

"""National delayed-transfer figures (NHS England DTOC, LA type B) and ONS population, stored
as published: one release per monthly file, the current one per month answering every report.
A missing figure is NULL, never 0."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from homeward.measures.definitions import FIELDS
from homeward.measures.workbook import Release

# Model column for each measure field: reasons get a prefix ("A" -> "reason_a").
COLUMN = {f: (f"reason_{f.lower()}" if f[0].isupper() else f) for f in FIELDS}


class DtocRelease(Release, models.Model):
    """One monthly workbook as published; a later revision of the same month supersedes it."""

    period = models.DateField(help_text="first day of the month the figures are for")
    published = models.DateField(null=True, blank=True)
    revised = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=255, help_text="file name as imported")
    fingerprint = models.CharField(max_length=64, unique=True)
    fields = models.JSONField(default=list, help_text="the fields this release collected")
    current = models.BooleanField(default=False)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    imported_at = models.DateTimeField()
    # The release's figures packed for tables of every area over many months: `packed_areas`
    # lists [area code, is council] in row order; `packed` is little-endian int64, one row per
    # area (total, then FIELDS), -1 where missing. Written once with the figures, never changed.
    packed_areas = models.JSONField(default=list)
    packed = models.BinaryField(default=b"")

    class Meta:
        ordering = ["period", "imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=Q(current=True), name="one_current_dtoc_release"
            )
        ]

    def __str__(self) -> str:
        return f"DTOC {self.period:%B %Y} ({self.source})"


class DtocFigure(models.Model):
    """One area's delayed days in one release: the total and each breakdown the file gives."""

    release = models.ForeignKey(DtocRelease, on_delete=models.CASCADE, related_name="figures")
    period = models.DateField()
    area_code = models.CharField(max_length=12, help_text="ONS code, or the DH code if none")
    dh_code = models.CharField(max_length=8, blank=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=60, blank=True)
    is_council = models.BooleanField(default=True)
    total = models.PositiveIntegerField(null=True)
    acute = models.PositiveIntegerField(null=True)
    non_acute = models.PositiveIntegerField(null=True)
    nhs = models.PositiveIntegerField(null=True)
    social_care = models.PositiveIntegerField(null=True)
    both = models.PositiveIntegerField(null=True)
    reason_a = models.PositiveIntegerField(null=True)
    reason_b = models.PositiveIntegerField(null=True)
    reason_c = models.PositiveIntegerField(null=True)
    reason_di = models.PositiveIntegerField(null=True)
    reason_dii = models.PositiveIntegerField(null=True)
    reason_e = models.PositiveIntegerField(null=True)
    reason_f = models.PositiveIntegerField(null=True)
    reason_g = models.PositiveIntegerField(null=True)
    reason_h = models.PositiveIntegerField(null=True)
    reason_i = models.PositiveIntegerField(null=True)
    reason_o = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "area_code"], name="one_figure_per_area")
        ]
        indexes = [models.Index(fields=["area_code", "period"])]

    def __str__(self) -> str:
        return f"{self.name} {self.period:%Y-%m}: {self.total}"


class DtocEnglandDetail(models.Model):
    """A cell of the England sheet: type of care x reason x attribution (reason "" = all).
    `applicable` is False for `NA` cells: that attribution was not allowed for that reason."""

    release = models.ForeignKey(DtocRelease, on_delete=models.CASCADE, related_name="detail")
    type_of_care = models.CharField(max_length=10)
    reason = models.CharField(max_length=3, blank=True)
    attribution = models.CharField(max_length=12)
    delayed_days = models.PositiveIntegerField(null=True)
    applicable = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "type_of_care", "reason", "attribution"],
                name="one_england_detail_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_of_care} {self.reason or 'all'} {self.attribution}"


class PopulationEstimate(models.Model):
    """ONS mid-year estimate for one area and year: everyone and adults aged 18+."""

    year = models.PositiveSmallIntegerField()
    area_code = models.CharField(max_length=9)
    name = models.CharField(max_length=120)
    geography = models.CharField(max_length=60, blank=True)
    all_ages = models.PositiveIntegerField()
    adults_18_plus = models.PositiveIntegerField()
    source = models.CharField(max_length=255)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "area_code"], name="one_estimate_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.name} mid-{self.year}: {self.adults_18_plus:,} adults"


class TrajectoryUpload(models.Model):
    """One trajectory file as uploaded: who, when, and how many targets it set."""

    source = models.CharField(max_length=255, help_text="file name as uploaded")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    targets = models.PositiveIntegerField(help_text="area-months the file set")

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"Trajectory {self.source} ({self.targets} targets)"


class TrajectoryTarget(models.Model):
    """An area's target for one month in delayed beds per day per 100,000 adults aged 18+.
    A later upload for the same area and month replaces the target (the upload is kept)."""

    area_code = models.CharField(max_length=9)
    month = models.DateField(help_text="first day of the month")
    target_per_100k = models.FloatField()
    upload = models.ForeignKey(TrajectoryUpload, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["area_code", "month"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "month"], name="one_target_per_month"),
            models.CheckConstraint(condition=Q(target_per_100k__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.month:%Y-%m}: {self.target_per_100k}"

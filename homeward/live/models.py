"""The live whole-system view's data: indicator definitions, readings from other systems
(never edited) and the trigger levels each area sets (never edited either: the newest one
counts, the older ones are its history)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from homeward.core.models import Organisation
from homeward.measures.live import HIGHER_IS_WORSE, LOWER_IS_WORSE


class Direction(models.TextChoices):
    HIGHER_IS_WORSE = HIGHER_IS_WORSE, "Higher is worse"
    LOWER_IS_WORSE = LOWER_IS_WORSE, "Lower is worse"


class Indicator(models.Model):
    """Something measured over and over, such as the mean ambulance handover time.
    `fed` indicators arrive as readings from other systems; the others Homeward works out
    from its own cases and capacity reports."""

    code = models.SlugField(max_length=48, primary_key=True)
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=24)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    stale_after_minutes = models.PositiveIntegerField()
    fed = models.BooleanField(default=True)
    description = models.CharField(max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stale_after_minutes__gte=1), name="indicator_stale_after_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One value of an indicator for an organisation at a moment. Never edited: a correction
    is a newer reading."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="readings")
    value = models.FloatField()
    measured_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    source = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator", "measured_at"],
                name="reading_one_value_per_moment",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_value_not_negative"),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "indicator", "-measured_at"], name="reading_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.value} at {self.organisation_id}"


class TriggerLevel(models.Model):
    """The amber and red levels an area (ICB, council or trust) set for one indicator."""

    area = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    amber = models.FloatField()
    red = models.FloatField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    set_at = models.DateTimeField()
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["area", "indicator", "-set_at"], name="trigger_current")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amber__gte=0) & Q(red__gte=0), name="trigger_levels_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} amber {self.amber} red {self.red} for {self.area_id}"

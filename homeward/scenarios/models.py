"""Saved planning scenarios, owned by an organisation, and their runs.

A scenario's `document` is `homeward.planning.scenario.Scenario.to_dict()`. A run keeps the
document it ran (the scenario may be edited afterwards), its seed and replications, and, once
finished, the summary (`homeward.planning.results.summarise`) and each replication's totals
(for paired comparisons). While it runs, each finished slice of replications is kept as a
`RunSlice` and removed when the run is joined."""

from django.conf import settings
from django.db import models

from homeward.core.models import Organisation


class Scenario(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    document = models.JSONField()
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-updated_at"])]

    def __str__(self) -> str:
        return self.name


class RunState(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class Run(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    document = models.JSONField()
    seed = models.PositiveBigIntegerField()
    replications = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.RUNNING)
    summary = models.JSONField(null=True, blank=True)
    totals = models.JSONField(null=True, blank=True)
    seconds = models.FloatField(default=0.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scenario} seed {self.seed} × {self.replications}"

    @property
    def finished(self) -> bool:
        return self.state == RunState.FINISHED


class RunSlice(models.Model):
    """Replications `first` to `first + count - 1` of a running run, as compressed arrays."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="slices")
    first = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["first"]
        constraints = [models.UniqueConstraint(fields=["run", "first"], name="run_slice_unique")]

    def __str__(self) -> str:
        return f"{self.run} replications {self.first}+{self.count}"

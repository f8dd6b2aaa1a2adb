"""Importing NHS England's monthly DTOC workbooks and ONS mid-year population estimates.

Each import is one transaction and returns a reconciliation report: rows read = rows stored +
rows unchanged + rows rejected, every rejection with its sheet, line and reason, and the sums
of the stored areas against the file's own England row.

Releases (ADR 0009, `core.releases`): a workbook's figures are identified by a fingerprint of
the figures and their dates, so importing the same release again changes nothing; a later
revision of a month supersedes the current release, which is kept, and reports read only the
current one; two different workbooks with the same month and date are refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from homeward.core import audit, clock, releases
from homeward.core.access import Actor
from homeward.measures import dtoc, performance, population
from homeward.measures.definitions import FIELDS, add_up, pack, reconcile
from homeward.performance.models import (
    COLUMN,
    DtocEnglandDetail,
    DtocFigure,
    DtocRelease,
    PopulationEstimate,
    TrajectoryTarget,
    TrajectoryUpload,
)

BATCH = 1000


@dataclass
class DtocImportReport:
    """What one DTOC workbook import did."""

    source: str
    period: dt.date
    outcome: str = ""  # stored | unchanged | kept_as_superseded | refused
    rows_read: int = 0
    rows_stored: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    areas: int = 0
    superseded: dict[str, Any] | None = None
    rejections: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    england_check: dict[str, dict[str, int | None]] = field(default_factory=dict)
    england_sheet_check: dict[str, dict[str, int | None]] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        """Rows balance, and no stored sum differs from the file's England row."""
        balanced = self.rows_read == self.rows_stored + self.rows_unchanged + self.rows_rejected
        checks = [*self.england_check.values(), *self.england_sheet_check.values()]
        return balanced and not any(c["difference"] for c in checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "period": f"{self.period:%Y-%m}",
            "outcome": self.outcome,
            "read": self.rows_read,
            "stored": self.rows_stored,
            "unchanged": self.rows_unchanged,
            "rejected": self.rows_rejected,
            "areas": self.areas,
            "superseded": self.superseded,
            "rejections": self.rejections,
            "warnings": self.warnings,
            "england_check": self.england_check,
            "england_sheet_check": self.england_sheet_check,
            "reconciles": self.reconciles,
        }


def _checks(workbook: dtoc.DtocWorkbook, report: DtocImportReport) -> None:
    if workbook.england is None:
        report.warnings.append(
            {"sheet": "", "line": 0, "reason": "no England row: totals not reconciled"}
        )
        return
    names = ("total", *workbook.fields)
    stated = {"total": workbook.england.total, **workbook.england.values}
    rows = [{"total": a.total, **a.values} for a in workbook.areas]
    report.england_check = reconcile(stated, add_up(rows, names))
    if workbook.england_detail:
        sums = dtoc.detail_totals(workbook.england_detail)
        report.england_sheet_check = reconcile(stated, {n: sums.get(n) for n in names})


def _figure(release: DtocRelease, area: dtoc.AreaFigures) -> DtocFigure:
    values = {COLUMN[f]: area.values.get(f) for f in FIELDS}
    return DtocFigure(
        release=release,
        period=release.period,
        area_code=area.code,
        dh_code=area.dh_code,
        name=area.name,
        region=area.region,
        is_council=area.is_council,
        total=area.total,
        **values,
    )


def import_dtoc_workbook(*, actor: Actor, workbook: dtoc.DtocWorkbook) -> DtocImportReport:
    """Store one parsed DTOC workbook as a release (see the module docstring)."""
    report = DtocImportReport(
        source=workbook.source,
        period=workbook.period,
        rows_read=workbook.rows_read,
        rows_rejected=workbook.rows_rejected,
        rejections=[p.as_dict() for p in workbook.rejections],
        warnings=[p.as_dict() for p in workbook.warnings],
        areas=len(workbook.areas),
    )
    _checks(workbook, report)
    accepted = workbook.rows_read - workbook.rows_rejected
    fingerprint = workbook.fingerprint()
    with transaction.atomic():
        decision = releases.decide(DtocRelease, fingerprint, workbook.as_of, period=workbook.period)
        report.outcome = decision.outcome
        if decision.outcome == releases.UNCHANGED:
            report.rows_unchanged = accepted
            return report
        if decision.outcome == releases.REFUSED:
            report.rows_rejected = workbook.rows_read
            remedy = "delete one release or import the later revision"
            report.rejections.append(
                {"sheet": "", "line": 0, "reason": decision.refusal(workbook.period, remedy)}
            )
            return report
        areas = [*workbook.areas, *([workbook.england] if workbook.england else [])]
        release = DtocRelease.objects.create(
            packed_areas=[[a.code, a.is_council] for a in areas],
            packed=pack([[a.total, *(a.values.get(f) for f in FIELDS)] for a in areas]),
            period=workbook.period,
            published=workbook.published,
            revised=workbook.revised,
            status=workbook.status,
            source=workbook.source,
            fingerprint=fingerprint,
            fields=list(workbook.fields),
            imported_at=clock.now(),
            superseded_by=decision.superseded_by,
        )
        report.superseded = releases.install(decision, release)
        if report.superseded is not None:
            report.superseded["areas"] = decision.current.figures.count()
        DtocFigure.objects.bulk_create([_figure(release, a) for a in areas], batch_size=BATCH)
        DtocEnglandDetail.objects.bulk_create(
            [
                DtocEnglandDetail(
                    release=release,
                    type_of_care=c.type_of_care,
                    reason=c.reason,
                    attribution=c.attribution,
                    delayed_days=c.delayed_days,
                    applicable=c.applicable,
                )
                for c in workbook.england_detail
            ],
            batch_size=BATCH,
        )
        report.rows_stored = accepted
        audit.record(
            actor,
            "performance.dtoc_imported",
            release,
            source=workbook.source,
            period=f"{workbook.period:%Y-%m}",
            outcome=report.outcome,
            areas=len(areas),
            rejected=report.rows_rejected,
        )
    return report


def import_dtoc(*, actor: Actor, path: Path) -> DtocImportReport:
    """Parse and store one DTOC workbook; UnreadableFile (nothing stored) if it is not one."""
    return import_dtoc_workbook(actor=actor, workbook=dtoc.parse_workbook(path))


@dataclass
class PopulationImportReport:
    """What one mid-year estimates import did."""

    source: str
    year: int
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "year": self.year,
            "read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejections),
            "rejections": self.rejections,
        }


def import_population(
    *, actor: Actor, path: Path, year: int | None = None
) -> PopulationImportReport:
    """Store adults 18+ and all ages per area for the file's year; idempotent per (year, area).

    Raises UnreadableFile (nothing stored) when the file is not a mid-year estimates file."""
    parsed = population.parse_workbook(path, year)
    report = PopulationImportReport(
        source=parsed.source,
        year=parsed.year,
        rows_read=parsed.rows_read,
        rejections=[p.as_dict() for p in parsed.rejections],
    )
    now = clock.now()
    with transaction.atomic():
        existing = {e.area_code: e for e in PopulationEstimate.objects.filter(year=parsed.year)}
        new, changed = [], []
        for area in parsed.areas:
            stored = existing.get(area.code)
            fields = {
                "name": area.name,
                "geography": area.geography,
                "all_ages": area.all_ages,
                "adults_18_plus": area.adults_18_plus,
            }
            if stored is None:
                new.append(
                    PopulationEstimate(
                        year=parsed.year,
                        area_code=area.code,
                        source=parsed.source,
                        imported_at=now,
                        **fields,
                    )
                )
            elif any(getattr(stored, k) != v for k, v in fields.items()):
                for k, v in {**fields, "source": parsed.source, "imported_at": now}.items():
                    setattr(stored, k, v)
                changed.append(stored)
            else:
                report.unchanged += 1
        PopulationEstimate.objects.bulk_create(new, batch_size=BATCH)
        PopulationEstimate.objects.bulk_update(
            changed,
            ["name", "geography", "all_ages", "adults_18_plus", "source", "imported_at"],
            batch_size=BATCH,
        )
        report.created, report.updated = len(new), len(changed)
        if new or changed:
            audit.record(
                actor,
                "performance.population_imported",
                object_type="performance.populationestimate",
                object_id=str(parsed.year),
                source=parsed.source,
                created=report.created,
                updated=report.updated,
            )
    return report


@dataclass
class TrajectoryReport:
    """What a trajectory upload did: the targets set, or every bad line and nothing stored."""

    source: str
    lines_read: int
    stored: int = 0
    replaced: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    upload: TrajectoryUpload | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.lines_read,
            "stored": self.stored,
            "replaced": self.replaced,
            "rejected": len({line for line, _ in self.errors}),
            "errors": [{"line": line, "reason": reason} for line, reason in self.errors],
            "upload": self.upload.pk if self.upload else None,
        }


def upload_trajectory(*, actor: Actor, source: str, data: bytes) -> TrajectoryReport:
    """Store a trajectory CSV's targets, all or nothing: a file with any bad line changes
    nothing and reports every error with its line. A target for an area and month that
    already has one replaces it; the upload is audited with its counts."""
    read = performance.read_trajectory(data)
    report = TrajectoryReport(source=source, lines_read=read.lines_read, errors=read.errors)
    if read.errors:
        return report
    with transaction.atomic():
        keys = {(r.area_code, r.month) for r in read.rows}
        existing = {
            (t.area_code, t.month): t
            for t in TrajectoryTarget.objects.select_for_update().filter(
                area_code__in={code for code, _ in keys}, month__in={m for _, m in keys}
            )
        }
        upload = TrajectoryUpload.objects.create(
            source=source,
            uploaded_by=actor.user,
            organisation=actor.organisation,
            uploaded_at=clock.now(),
            targets=len(read.rows),
        )
        new, changed = [], []
        for row in read.rows:
            target = existing.get((row.area_code, row.month))
            if target is None:
                new.append(
                    TrajectoryTarget(
                        area_code=row.area_code,
                        month=row.month,
                        target_per_100k=row.target_per_100k,
                        upload=upload,
                    )
                )
            else:
                target.target_per_100k = row.target_per_100k
                target.upload = upload
                changed.append(target)
        TrajectoryTarget.objects.bulk_create(new, batch_size=BATCH)
        TrajectoryTarget.objects.bulk_update(
            changed, ["target_per_100k", "upload"], batch_size=BATCH
        )
        report.stored, report.replaced, report.upload = len(new), len(changed), upload
        audit.record(
            actor,
            "performance.trajectory_uploaded",
            upload,
            source=source,
            stored=report.stored,
            replaced=report.replaced,
        )
    return report

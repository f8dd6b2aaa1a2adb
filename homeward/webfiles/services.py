"""Importing NHS England's Discharge Ready Date and acute discharge sitrep webfiles.

Each import is one transaction and returns a reconciliation report: rows read = rows stored +
rows unchanged + rows rejected, every rejection and warning with its sheet, line and reason,
and the file's England row against the sum of its providers where the file has one.

Releases, as for the DTOC workbooks (ADR 0009, `core.releases`): the same release imported
again changes nothing; a later revision of a month's file supersedes the current one of its
kind, which is kept; two different files with the same month and date are refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from homeward.core import audit, clock, releases
from homeward.core.access import Actor
from homeward.measures import drd_webfile, sitrep_webfile
from homeward.measures.drd import BAND_NAMES
from homeward.measures.sitrep_webfile import NO_REASON, TABLE2
from homeward.webfiles.models import DrdFigure, Kind, SitrepFigure, WebfileRelease

BATCH = 1000


@dataclass
class WebfileImportReport:
    """What one webfile import did."""

    kind: str
    source: str
    period: dt.date
    layout: str = ""
    outcome: str = ""  # stored | unchanged | kept_as_superseded | refused
    rows_read: int = 0
    rows_stored: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    organisations: int = 0
    superseded: dict[str, Any] | None = None
    rejections: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    national_check: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_stored + self.rows_unchanged + self.rows_rejected

    @property
    def reconciles(self) -> bool:
        """Rows balance and no England figure differs from its providers' sum."""
        differs = any(
            c["difference"] is not None and not c.get("agrees", c["difference"] == 0)
            for c in self.national_check.values()
        )
        return self.balanced and not differs and not self.checks.get("differ")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "period": f"{self.period:%Y-%m}",
            "layout": self.layout,
            "outcome": self.outcome,
            "read": self.rows_read,
            "stored": self.rows_stored,
            "unchanged": self.rows_unchanged,
            "rejected": self.rows_rejected,
            "organisations": self.organisations,
            "superseded": self.superseded,
            "rejections": self.rejections,
            "warnings": self.warnings,
            "national_check": self.national_check,
            "checks": self.checks,
            "reconciles": self.reconciles,
        }


def _store(
    *, actor: Actor, kind: str, parsed, report: WebfileImportReport, layout: str, details, rows
) -> WebfileImportReport:
    """Store a parsed file as a release, superseding as `core.releases` says. `rows` builds
    the figure objects for the new release."""
    accepted = parsed.rows_read - parsed.rows_rejected
    fingerprint = parsed.fingerprint()
    with transaction.atomic():
        decision = releases.decide(
            WebfileRelease, fingerprint, parsed.as_of, kind=kind, period=parsed.period
        )
        report.outcome = decision.outcome
        if decision.outcome == releases.UNCHANGED:
            report.rows_unchanged = accepted
            return report
        if decision.outcome == releases.REFUSED:
            report.rows_rejected = parsed.rows_read
            remedy = (
                "import the later revision, or give this file's date with --published YYYY-MM-DD"
            )
            report.rejections.append(
                {"sheet": "", "line": 0, "reason": decision.refusal(parsed.period, remedy)}
            )
            return report
        release = WebfileRelease.objects.create(
            kind=kind,
            period=parsed.period,
            published=parsed.published,
            revised=parsed.revised,
            source=parsed.source,
            fingerprint=fingerprint,
            layout=layout,
            details=details,
            imported_at=clock.now(),
            superseded_by=decision.superseded_by,
        )
        report.superseded = releases.install(decision, release)
        figures = rows(release)
        if figures:
            type(figures[0]).objects.bulk_create(figures, batch_size=BATCH)
        report.rows_stored = accepted
        audit.record(
            actor,
            f"webfiles.{kind}_imported",
            release,
            source=parsed.source,
            period=f"{parsed.period:%Y-%m}",
            outcome=report.outcome,
            rows=accepted,
            rejected=report.rows_rejected,
        )
    return report


def _report(kind: str, parsed, layout: str) -> WebfileImportReport:
    return WebfileImportReport(
        kind=kind,
        source=parsed.source,
        period=parsed.period,
        layout=layout,
        rows_read=parsed.rows_read,
        rows_rejected=parsed.rows_rejected,
        rejections=[p.as_dict() for p in parsed.rejections],
        warnings=[p.as_dict() for p in parsed.warnings],
    )


def _dated(parsed, published: dt.date | None):
    if published is not None and parsed.as_of is None:
        parsed.published = published
    return parsed


def import_drd_webfile(
    *, actor: Actor, path: Path, month: dt.date | None = None, published: dt.date | None = None
) -> WebfileImportReport:
    """Parse and store one DRD webfile; UnreadableFile (nothing stored) if it is not one.
    `month` and `published` are used only when the file does not say them."""
    parsed = _dated(drd_webfile.parse_workbook(path, month), published)
    report = _report(Kind.DRD, parsed, parsed.layout)
    report.organisations = len(parsed.rows)
    report.national_check = parsed.national_check()
    if parsed.national is None:
        report.warnings.append(
            {"sheet": parsed.sheet, "line": 0, "reason": "no England row: totals not reconciled"}
        )

    def rows(release: WebfileRelease) -> list[DrdFigure]:
        return [
            DrdFigure(
                release=release,
                period=release.period,
                level=r.level,
                code=r.code,
                name=r.name,
                region=r.region,
                icb=r.icb,
                data_source=r.data_source,
                providers_acceptable=r.get("providers_acceptable"),
                pct_providers_acceptable=r.get("pct_providers_acceptable"),
                discharges=r.get("discharges"),
                not_delayed=r.get("not_delayed"),
                delayed=r.get("delayed"),
                pct_not_delayed=r.get("pct_not_delayed"),
                pct_delayed=r.get("pct_delayed"),
                avg_delay_days_excl_zero=r.get("avg_delay_days_excl_zero"),
                delayed_bed_days=r.get("delayed_bed_days"),
                bands={
                    b: {
                        "people": r.get(f"band_people:{b}"),
                        "bed_days": r.get(f"band_bed_days:{b}"),
                        "pct": r.get(f"band_pct:{b}"),
                    }
                    for b in BAND_NAMES
                },
            )
            for r in parsed.rows
        ]

    details = {"sheet": parsed.sheet, "scale": parsed.scale, "band_base": parsed.band_base}
    return _store(
        actor=actor,
        kind=Kind.DRD,
        parsed=parsed,
        report=report,
        layout=parsed.layout,
        details=details,
        rows=rows,
    )


def import_sitrep_webfile(
    *, actor: Actor, path: Path, month: dt.date | None = None, published: dt.date | None = None
) -> WebfileImportReport:
    """Parse and store one acute discharge sitrep webfile (or Homeward's own return);
    UnreadableFile (nothing stored) if it is not one."""
    parsed = _dated(sitrep_webfile.parse_file(path, month), published)
    report = _report(Kind.SITREP, parsed, "tables 2 and 3" if parsed.table3 else "table 2")
    rows_all = [*parsed.table2, *parsed.table3]
    report.organisations = len({r.code.upper() for r in rows_all})
    report.national_check = parsed.checks["national"]
    report.checks = parsed.checks["table3_against_table2"]

    def rows(release: WebfileRelease) -> list[SitrepFigure]:
        out = []
        for r in rows_all:
            values = dict(r.values)
            table2 = {k: values.pop(k, None) for k in TABLE2}
            no_reason = values.pop(NO_REASON, None)
            out.append(
                SitrepFigure(
                    release=release,
                    table=r.table,
                    day=r.day,
                    level=r.level,
                    code=r.code,
                    name=r.name,
                    region=r.region,
                    icb_code=r.icb_code,
                    icb_name=r.icb_name,
                    reasons=values if r.table == 3 else {},
                    no_reason_recorded=no_reason,
                    **table2,
                )
            )
        return out

    return _store(
        actor=actor,
        kind=Kind.SITREP,
        parsed=parsed,
        report=report,
        layout=report.layout,
        details={"reasons": parsed.reason_labels},
        rows=rows,
    )

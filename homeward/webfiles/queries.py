"""The published Discharge Ready Date measures for a month next to the same measures computed
from Homeward's own cases with `homeward.measures.drd` (one definition for both)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db.models.functions import TruncDate
from django.utils import timezone

from homeward.cases.models import DischargeCase
from homeward.core.models import OrganisationKind
from homeward.measures.definitions import days_in_month
from homeward.measures.drd import BAND_NAMES, DrdMeasures, drd_measures, round_1dp
from homeward.webfiles.models import DrdFigure, WebfileRelease

SCALARS = (
    "discharges",
    "pct_discharged_on_drd",
    "pct_delayed",
    "avg_delay_days_excl_zero",
    "delayed_bed_days",
)


def current_release(kind: str, month: dt.date) -> WebfileRelease | None:
    return WebfileRelease.objects.filter(kind=kind, period=month, current=True).first()


def homeward_drd(codes: list[str], month: dt.date) -> dict[str, DrdMeasures | str]:
    """Each trust's DRD measures for its cases discharged in the month (local time), by trust
    code; a trust with no discharges that month is left out; one whose cases cannot be
    measured (a discharge before its DRD) gets the reason instead. One query."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(month, dt.time(0)), tz)
    end = start.replace(tzinfo=None) + dt.timedelta(days=days_in_month(month))
    rows = list(
        DischargeCase.objects.filter(
            trust__kind=OrganisationKind.TRUST,
            trust__code__in=codes,
            discharged_at__gte=start,
            discharged_at__lt=timezone.make_aware(end, tz),
        )
        .annotate(left=TruncDate("discharged_at", tzinfo=tz))
        .values_list("trust__code", "discharge_ready_date", "left")
    )
    by_trust: dict[str, list[tuple]] = {}
    for code, ready, left in rows:
        by_trust.setdefault(code, []).append((ready, left))
    out: dict[str, DrdMeasures | str] = {}
    for code, spells in by_trust.items():
        ready = np.array([r for r, _ in spells], dtype="datetime64[D]")
        left = np.array([x for _, x in spells], dtype="datetime64[D]")
        try:
            out[code] = drd_measures(ready, left)
        except ValueError as exc:
            out[code] = f"cannot measure: {exc}"
    return out


def _published(figure: DrdFigure) -> dict[str, Any]:
    return {
        "discharges": figure.discharges,
        "pct_discharged_on_drd": figure.pct_not_delayed,
        "pct_delayed": figure.pct_delayed,
        "avg_delay_days_excl_zero": figure.avg_delay_days_excl_zero,
        "delay_bands": {b: figure.bands.get(b, {}) for b in BAND_NAMES},
        "delayed_bed_days": figure.delayed_bed_days,
    }


def _homeward(measures: DrdMeasures, base: str) -> dict[str, Any]:
    out = measures.as_dict()
    whole = measures.delayed if base == "delayed" else measures.discharges
    for band in out["delay_bands"].values():
        band["pct"] = round_1dp(100 * band["people"] / whole) if whole else None
    return out


def drd_comparison(month: dt.date, release: WebfileRelease, org: str | None) -> dict[str, Any]:
    """The month's published DRD measures per organisation (or one) beside Homeward's own."""
    figures = list(release.drd.order_by("level", "code"))
    if org is not None:
        figures = [f for f in figures if f.code.upper() == org.upper()]
    base = release.details.get("band_base", "unknown")
    homeward_base = "delayed" if base == "delayed" else "discharges"
    own = homeward_drd([f.code for f in figures if f.level == "provider"], month)
    organisations = []
    for figure in figures:
        published = _published(figure)
        mine = own.get(figure.code) if figure.level == "provider" else None
        entry = {
            "code": figure.code,
            "name": figure.name,
            "level": figure.level,
            "region": figure.region,
            "icb": figure.icb,
            "published": published,
            "homeward": _homeward(mine, homeward_base) if isinstance(mine, DrdMeasures) else None,
        }
        if isinstance(mine, str):
            entry["homeward_error"] = mine
        if entry["homeward"] is not None:
            entry["difference"] = {
                k: (None if published[k] is None else round(entry["homeward"][k] - published[k], 6))
                for k in SCALARS
            }
        organisations.append(entry)
    return {
        "month": f"{month:%Y-%m}",
        "source": release.source,
        "as_of": release.as_of and release.as_of.isoformat(),
        "layout": release.layout,
        "band_pct_of": {"published": base, "homeward": homeward_base},
        "organisations": organisations,
    }

"""Which release of a published monthly file answers for its month (ADR 0009).

A file's figures are identified by a fingerprint, so importing the same release again (even a
re-saved copy) changes nothing. A file for a month that already has a current release replaces
it when it was revised (or published) later: the older release stays, marked superseded. An
older release imported after a newer one is kept as superseded history. Two different files
claiming the same month and the same date (or both undated) are refused: someone must decide.

Release models have `fingerprint`, `current`, `superseded_by`, `source` and an `as_of` date;
callers run `decide` and `install` inside one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models

UNCHANGED = "unchanged"
STORED = "stored"
KEPT_AS_SUPERSEDED = "kept_as_superseded"
REFUSED = "refused"


def _later(new: dt.date | None, old: dt.date | None) -> bool:
    return new is not None and (old is None or new > old)


@dataclass(frozen=True)
class Decision:
    """What to do with a new file: `outcome` is one of the four above; `current` is the
    month's release in force (locked until the transaction ends), if any."""

    outcome: str
    current: Any = None

    @property
    def superseded_by(self) -> Any:
        """What the new release is superseded by when it is stored: nothing when it replaces
        the current one, the current one when it is older history."""
        return self.current if self.outcome == KEPT_AS_SUPERSEDED else None

    def refusal(self, period: dt.date, remedy: str) -> str:
        return (
            f"{self.current.source} already holds different figures for {period:%B %Y} with "
            f"the same date ({self.current.as_of or 'undated'}): nothing stored; {remedy}"
        )


def decide(
    model: type[models.Model], fingerprint: str, as_of: dt.date | None, **month: Any
) -> Decision:
    """Decide against the releases of `model` for the month (`month` filters, e.g. period and
    kind) whether a file with this fingerprint and date is stored, kept or refused."""
    if model.objects.filter(fingerprint=fingerprint).exists():
        return Decision(UNCHANGED)
    current = model.objects.select_for_update().filter(current=True, **month).first()
    if current is None or _later(as_of, current.as_of):
        return Decision(STORED, current)
    if _later(current.as_of, as_of):
        return Decision(KEPT_AS_SUPERSEDED, current)
    return Decision(REFUSED, current)


def install(decision: Decision, release: models.Model) -> dict[str, Any] | None:
    """Make the newly created `release` current when it was decided so, superseding the one
    in force; returns what was superseded (its source and date), or None."""
    if decision.outcome != STORED:
        return None
    model = type(release)
    superseded = None
    if decision.current is not None:
        current = decision.current
        superseded = {
            "source": current.source,
            "as_of": current.as_of and current.as_of.isoformat(),
        }
        model.objects.filter(pk=current.pk).update(current=False, superseded_by=release)
    model.objects.filter(pk=release.pk).update(current=True)
    return superseded

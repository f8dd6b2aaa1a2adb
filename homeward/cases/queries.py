"""Organisation-scoped reads of discharge cases. A case is visible to its trust, to the
council of residence and to the trust's integrated care board; to nobody else."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.cases import alerts, rules
from homeward.cases.models import (
    OPEN_STATES,
    DelayEpisode,
    DischargeCase,
    LegacyNoticeArea,
    Task,
)
from homeward.core import clock
from homeward.core.access import Actor

SORTS = {
    "wait": ("discharge_ready_date", "pk"),
    "admitted": ("admission_date", "pk"),
    "name": ("patient__family_name", "patient__given_name", "pk"),
    "due": (F("next_action_due").asc(nulls_last=True), "pk"),
}


def visible_cases(actor: Actor) -> QuerySet[DischargeCase]:
    org = actor.organisation
    if org is None:
        return DischargeCase.objects.none()
    return DischargeCase.objects.filter(
        Q(trust=org) | Q(site=org) | Q(council=org) | Q(trust__parent=org)
    )


def case(actor: Actor, case_id: int) -> DischargeCase:
    found = (
        visible_cases(actor)
        .select_related(
            "patient", "trust", "site", "council", "pathway", "owner", "owner_organisation"
        )
        .filter(pk=case_id)
        .first()
    )
    if found is None:
        raise Http404("No such case")
    return found


@dataclass(frozen=True)
class HubFilter:
    trust: str = ""
    council: str = ""
    pathway: str = ""
    rag: str = ""
    mine: bool = False
    sort: str = "wait"


@dataclass
class HubRow:
    case: DischargeCase
    days: int | None
    rag: str
    delays: list
    open_tasks: list
    alerts: list


def hub_list(actor: Actor, hub_filter: HubFilter) -> list[HubRow]:
    """Every open case the actor may see, with its wait, delays, tasks and alerts, in a
    fixed number of queries however many cases there are."""
    qs = visible_cases(actor).filter(state__in=OPEN_STATES)
    if hub_filter.trust:
        qs = qs.filter(trust__code=hub_filter.trust)
    if hub_filter.council:
        qs = qs.filter(council__code=hub_filter.council)
    if hub_filter.pathway:
        qs = qs.filter(pathway__code=hub_filter.pathway)
    if hub_filter.mine and actor.user is not None:
        qs = qs.filter(owner=actor.user)
    qs = (
        qs.select_related("patient", "trust", "council", "pathway", "owner", "owner_organisation")
        .prefetch_related(
            Prefetch(
                "delays",
                queryset=DelayEpisode.objects.filter(ended_at=None).select_related("reason"),
                to_attr="open_delays",
            ),
            Prefetch(
                "tasks",
                queryset=Task.objects.filter(done_at=None).select_related(
                    "task_type", "owner_organisation"
                ),
                to_attr="open_task_list",
            ),
        )
        .order_by(*SORTS.get(hub_filter.sort, SORTS["wait"]))
    )
    now = clock.now()
    today = timezone.localtime(now).date()
    legacy = legacy_council_ids()
    rows = []
    for c in qs:
        days = rules.waiting_days(c.discharge_ready_date, today)
        rag = rules.rag_for_wait(days)
        if hub_filter.rag and rag != hub_filter.rag:
            continue
        rows.append(
            HubRow(
                case=c,
                days=days,
                rag=rag,
                delays=c.open_delays,
                open_tasks=c.open_task_list,
                alerts=alerts.for_case(
                    c, c.open_task_list, today, now, legacy_notices=c.council_id in legacy
                ),
            )
        )
    if hub_filter.sort == "wait":
        rows.sort(key=lambda r: (r.days is None, -(r.days or 0)))
    return rows


def today() -> date:
    return timezone.localtime(clock.now()).date()


def legacy_council_ids() -> set[int]:
    """Councils that have switched the repealed assessment and discharge notices on."""
    return set(LegacyNoticeArea.objects.filter(enabled=True).values_list("council_id", flat=True))

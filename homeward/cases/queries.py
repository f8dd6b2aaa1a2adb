"""Organisation-scoped reads of discharge cases. A case is visible to its trust, to the
council of residence and to the trust's integrated care board; to nobody else."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.brokerage.models import LIVE_REFERRAL_STATES, Referral
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
from homeward.core.models import Organisation, OrganisationKind

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


def _rag_q(rag: str, today: date) -> Q:
    """The discharge-ready-date range of one red/amber/green band (see rules.RAG_THRESHOLDS)."""
    red, amber = (today - timedelta(days=limit) for limit, _ in rules.RAG_THRESHOLDS)
    return {
        "red": Q(discharge_ready_date__lte=red),
        "amber": Q(discharge_ready_date__gt=red, discharge_ready_date__lte=amber),
        "green": Q(discharge_ready_date__gt=amber),
        "grey": Q(discharge_ready_date__isnull=True),
    }[rag]


def _hub_queryset(actor: Actor, hub_filter: HubFilter, today: date) -> QuerySet[DischargeCase]:
    qs = visible_cases(actor).filter(state__in=OPEN_STATES)
    if hub_filter.trust:
        qs = qs.filter(trust__code=hub_filter.trust)
    if hub_filter.council:
        qs = qs.filter(council__code=hub_filter.council)
    if hub_filter.pathway:
        qs = qs.filter(pathway__code=hub_filter.pathway)
    if hub_filter.mine and actor.user is not None:
        qs = qs.filter(owner=actor.user)
    return qs


def _rows(qs: QuerySet[DischargeCase], today: date, now) -> list[HubRow]:
    """Rows with their wait, open delays, open tasks and alerts, in a fixed number of queries."""
    qs = qs.select_related(
        "patient", "trust", "council", "pathway", "owner", "owner_organisation"
    ).prefetch_related(
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
        Prefetch(
            "referrals",
            queryset=Referral.objects.filter(state__in=LIVE_REFERRAL_STATES).select_related(
                "offer__location"
            ),
            to_attr="live_referrals",
        ),
    )
    legacy = legacy_council_ids()
    rows = []
    for c in qs:
        days = rules.waiting_days(c.discharge_ready_date, today)
        rows.append(
            HubRow(
                case=c,
                days=days,
                rag=rules.rag_for_wait(days),
                delays=c.open_delays,
                open_tasks=c.open_task_list,
                alerts=alerts.for_case(
                    c,
                    c.open_task_list,
                    today,
                    now,
                    legacy_notices=c.council_id in legacy,
                    referrals=c.live_referrals,
                ),
            )
        )
    return rows


def _ordered(qs: QuerySet[DischargeCase], hub_filter: HubFilter, today: date):
    if hub_filter.rag:
        qs = qs.filter(_rag_q(hub_filter.rag, today))
    if hub_filter.sort in ("wait", ""):
        return qs.order_by(F("discharge_ready_date").asc(nulls_last=True), "pk")
    return qs.order_by(*SORTS.get(hub_filter.sort, SORTS["wait"]))


def hub_list(actor: Actor, hub_filter: HubFilter) -> list[HubRow]:
    """Every open case the actor may see, longest wait first unless sorted otherwise."""
    now = clock.now()
    today = timezone.localtime(now).date()
    return _rows(_ordered(_hub_queryset(actor, hub_filter, today), hub_filter, today), today, now)


@dataclass
class HubPage:
    rows: list[HubRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # people per wait band, across all pages and ignoring the band filter


def hub_page(actor: Actor, hub_filter: HubFilter, page: int = 1, size: int = 100) -> HubPage:
    """One page of the waiting list, with the wait-band counts for the whole list."""
    now = clock.now()
    today = timezone.localtime(now).date()
    base = _hub_queryset(actor, hub_filter, today)
    counts = base.aggregate(
        **{
            band: Count("pk", filter=_rag_q(band, today))
            for band in ("red", "amber", "green", "grey")
        }
    )
    ordered = _ordered(base, hub_filter, today)
    total = counts[hub_filter.rag] if hub_filter.rag else sum(counts.values())
    pages = max((total - 1) // size + 1, 1)
    page = min(max(page, 1), pages)
    rows = _rows(ordered[(page - 1) * size : page * size], today, now)
    return HubPage(rows=rows, total=total, page=page, pages=pages, counts=counts)


def today() -> date:
    return timezone.localtime(clock.now()).date()


def legacy_council_ids() -> set[int]:
    """Councils that have switched the repealed assessment and discharge notices on."""
    return set(LegacyNoticeArea.objects.filter(enabled=True).values_list("council_id", flat=True))


def return_trusts(actor: Actor) -> QuerySet[Organisation]:
    """Trusts whose daily return the actor may produce: their own, or their ICB's trusts."""
    org = actor.organisation
    if org is None:
        return Organisation.objects.none()
    trust_id = org.parent_id if org.kind == OrganisationKind.SITE else org.pk
    return Organisation.objects.filter(kind=OrganisationKind.TRUST).filter(
        Q(pk=trust_id) | Q(parent=org)
    )

"""Brokerage pages: referring a case from its shortlist, the provider's referral inbox and
answer, confirming a placement, the council's ranking weights and "allocate area"."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from homeward.brokerage import allocation, queries, services
from homeward.brokerage.forms import (
    AllocateForm,
    AnswerForm,
    PlacementForm,
    ReferForm,
    WeightsForm,
    WithdrawForm,
)
from homeward.brokerage.models import FundingSource, ReferralState
from homeward.brokerage.services import BrokerageError, PlacementTerms
from homeward.cases import queries as case_queries
from homeward.core import audit, clock
from homeward.core.access import actor_for, require_council, require_role
from homeward.core.models import Role

HUB_ROLES = (Role.DISCHARGE_COORDINATOR, Role.HUB_MEMBER, Role.BROKER)
FUNDING_OF_ROUTE = {
    "council": FundingSource.COUNCIL,
    "chc": FundingSource.NHS_CHC,
    "joint": FundingSource.JOINT,
    "self": FundingSource.SELF,
}


def _errors(form) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def refer(request, case_id: int):
    """Send the case to the providers ticked on its shortlist."""
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    case = case_queries.case(actor, case_id)
    offer_ids = [int(v) for v in request.POST.getlist("offers") if v.isdigit()]
    form = ReferForm(request.POST, offer_ids=offer_ids)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("cases:find_provider", case_id=case.pk)
    try:
        sent = services.refer(
            actor=actor,
            case=case,
            offer_ids=form.cleaned_data["offers"],
            deadline_hours=form.cleaned_data["deadline_hours"],
            note=form.cleaned_data["note"],
        )
    except BrokerageError as exc:
        messages.error(request, str(exc))
        return redirect("cases:find_provider", case_id=case.pk)
    messages.success(
        request,
        f"Referred to {len(sent)} provider{'s' if len(sent) != 1 else ''}; answers are due by "
        f"{timezone.localtime(sent[0].deadline):%H:%M on %-d %b}",
    )
    return redirect("cases:detail", case_id=case.pk)


@login_required
def inbox(request):
    """The provider's referrals: waiting for an answer first, then the rest."""
    actor = actor_for(request.user)
    require_role(actor, Role.PROVIDER_MANAGER)
    referrals = list(queries.for_provider(actor)[:200])
    summaries = [queries.summary(r) for r in referrals]
    waiting = [s for s in summaries if s.state == ReferralState.SENT]
    others = [s for s in summaries if s.state != ReferralState.SENT]
    audit.record(actor, "referral.list", object_type="brokerage.referral", shown=len(summaries))
    return render(request, "brokerage/inbox.jinja", {"waiting": waiting, "others": others})


@login_required
@require_http_methods(["GET", "POST"])
def referral(request, referral_id: int):
    """One referral as the provider sees it, with the accept or decline form."""
    actor = actor_for(request.user)
    require_role(actor, Role.PROVIDER_MANAGER)
    found = queries.provider_referral(actor, referral_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["answer"] == "accept":
                services.accept(actor=actor, referral=found, note=data["note"])
                messages.success(
                    request, "Accepted: the hub has been told, and the person's details are below"
                )
            else:
                services.decline(
                    actor=actor, referral=found, reason=data["reason"], note=data["note"]
                )
                messages.success(request, "Declined: the hub has been told")
        except BrokerageError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("brokerage:referral", referral_id=found.pk)
    summary = queries.summary(found)
    audit.record(
        actor, "referral.view", found, case=found.case_id, identified=summary.person is not None
    )
    return render(
        request,
        "brokerage/referral.jinja",
        {"r": summary, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request, referral_id: int):
    """The hub turns an accepted referral into a placement."""
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    found = queries.hub_referral(actor, referral_id)
    case = found.case
    today = timezone.localtime(clock.now()).date()
    initial = {
        "start_date": today + timedelta(days=1),
        "weekly_cost": found.offer.weekly_price,
        "contract_type": "spot",
        "funding_source": FUNDING_OF_ROUTE.get(case.funding_route, FundingSource.COUNCIL),
    }
    form = PlacementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.confirm_placement(
                actor=actor,
                referral=found,
                terms=PlacementTerms(
                    start_date=data["start_date"],
                    weekly_cost=data["weekly_cost"],
                    contract_type=data["contract_type"],
                    funding_source=data["funding_source"],
                    hours_per_week=data["hours_per_week"],
                ),
            )
        except BrokerageError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Placement agreed with {found.offer.location.name}")
            return redirect("cases:detail", case_id=case.pk)
    audit.record(actor, "case.view", case, page="confirm placement")
    return render(
        request,
        "brokerage/confirm.jinja",
        {"referral": found, "case": case, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def withdraw(request, referral_id: int):
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    found = queries.hub_referral(actor, referral_id)
    form = WithdrawForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        services.withdraw(actor=actor, referral=found, message=message)
    except BrokerageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Referral to {found.offer.location.name} withdrawn")
    return redirect("cases:detail", case_id=found.case_id)


@login_required
@require_POST
def move_placement(request, placement_id: int, to_state: str):
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    found = queries.hub_placement(actor, placement_id)
    try:
        services.move_placement(
            actor=actor, placement=found, to_state=to_state, reason=request.POST.get("reason", "")
        )
    except BrokerageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Placement {found.get_state_display().lower()}")
    return redirect("cases:detail", case_id=found.case_id)


@login_required
@require_http_methods(["GET", "POST"])
def weights(request):
    """A council's commissioner sets how the shortlist ranks providers for its residents."""
    actor = actor_for(request.user)
    council = require_council(actor, Role.COMMISSIONER)
    current = services.weights_for(council)
    total = sum(current.as_tuple())
    initial = {
        name: round(100 * value / total)
        for name, value in zip(services.WEIGHT_FIELDS, current.as_tuple(), strict=True)
    }
    form = WeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_weights(actor=actor, council=council, weights=form.weights())
        messages.success(request, "Ranking weights saved: every new shortlist uses them")
        return redirect("brokerage:weights")
    return render(
        request,
        "brokerage/weights.jinja",
        {"form": form, "council": council},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request):
    """The proposed optimal allocation of everyone waiting in the council's area to the current
    vacancies, against first come, first served. People choose which pairings to refer."""
    actor = actor_for(request.user)
    require_council(actor, Role.BROKER, Role.COMMISSIONER)
    form = AllocateForm(request.GET or None, care_types=allocation.care_type_choices())
    proposal = None
    if form.is_valid():
        proposal = allocation.propose(
            actor, form.cleaned_data["care_type"], float(form.cleaned_data["radius"])
        )
        if request.method == "POST":
            chosen = set(request.POST.getlist("pair"))
            sent, problems = allocation.refer_pairs(actor, proposal, chosen)
            for problem in problems:
                messages.error(request, problem)
            if sent:
                messages.success(request, f"Referred {sent} of the proposed pairings")
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    return render(request, "brokerage/allocate.jinja", {"form": form, "proposal": proposal})

"""Discharge case pages: the hub list, recording a ready patient, and the case record with
its timeline. Every page that shows a patient writes an audit row."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from homeward.brokerage import queries as brokerage_queries
from homeward.brokerage import rules as brokerage_rules
from homeward.brokerage import services as brokerage_services
from homeward.brokerage.models import LIVE_REFERRAL_STATES, ReferralState
from homeward.cases import alerts, daily_return, matching, queries, rules, services, timeline
from homeward.cases.forms import (
    CriteriaForm,
    DelayForm,
    HubFilterForm,
    LegacyAreaForm,
    NewCaseForm,
    NoticesForm,
    PlanForm,
    ReturnForm,
    TaskForm,
    TransitionForm,
)
from homeward.cases.models import CaseState, DelayEpisode, Task
from homeward.cases.rules import TRANSITIONS
from homeward.core import audit, clock
from homeward.core.access import actor_for, require_council
from homeward.core.models import OrganisationKind, Role
from homeward.core.nhs_number import formatted
from homeward.directory.models import Location
from homeward.matching.shortlist import shortlist, why_not_location

HOSPITAL_KINDS = (OrganisationKind.TRUST, OrganisationKind.SITE)
RADII = ("5", "10", "20", "40")
REFERRING_ROLES = (Role.DISCHARGE_COORDINATOR, Role.HUB_MEMBER, Role.BROKER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def hub(request):
    actor = actor_for(request.user)
    form = HubFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    hub_filter = queries.HubFilter(
        council=data.get("council", ""),
        pathway=data.get("pathway", ""),
        rag=data.get("rag", ""),
        mine=bool(data.get("mine")),
        sort=data.get("sort") or "wait",
    )
    page = queries.hub_page(actor, hub_filter, page=data.get("page") or 1)
    audit.record(
        actor,
        "case.list",
        object_type="cases.dischargecase",
        shown=len(page.rows),
        filter=request.GET.urlencode()[:200],
    )
    return render(
        request,
        "cases/hub.jinja",
        {
            "page": page,
            "form": form,
            "query": request.GET.copy(),
            "can_open": actor.organisation is not None
            and actor.organisation.kind in HOSPITAL_KINDS,
            "formatted": formatted,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_case(request):
    actor = actor_for(request.user)
    if actor.organisation is None or actor.organisation.kind not in HOSPITAL_KINDS:
        raise Http404("Only hospital staff record patients")
    form = NewCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient = services.register_patient(
                actor=actor,
                nhs_number_raw=data["nhs_number"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                postcode=data["home_postcode"],
                council=data["council"],
            )
            case = services.open_case(
                actor=actor,
                patient=patient,
                trust=actor.organisation,
                admission_date=data["admission_date"],
                ready_at=data["ready_at"],
                ward=data["ward"],
                pathway=data["pathway"],
                care_type=data["care_type"],
                specialisms=data["specialisms"],
                capabilities=data["capabilities"],
                funding_route=data["funding_route"],
                weekly_budget=data["weekly_budget"],
                preferred_areas=data["preferred_areas"],
                council=data["council"],
                home_postcode=data["home_postcode"],
            )
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{patient} recorded")
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/new.jinja", {"form": form}, status=400 if form.errors else 200)


@login_required
def detail(request, case_id: int):
    actor = actor_for(request.user)
    case = queries.case(actor, case_id)
    audit.record(actor, "case.view", case)
    today = queries.today()
    tasks = list(
        case.tasks.select_related("task_type", "owner_organisation", "owner", "created_by")
    )
    days = rules.waiting_days(case.discharge_ready_date, today)
    legacy = case.council_id in queries.legacy_council_ids()
    referrals = brokerage_queries.of_case(case)
    now = clock.now()
    return render(
        request,
        "cases/detail.jinja",
        {
            "case": case,
            "days": days,
            "rag": rules.rag_for_wait(days),
            "legacy": legacy,
            "relevant_day": rules.legacy_relevant_day(
                case.assessment_notice_at and timezone.localtime(case.assessment_notice_at).date(),
                case.discharge_notice_at and timezone.localtime(case.discharge_notice_at).date(),
                case.proposed_discharge_date,
            ),
            "alerts": alerts.for_case(
                case,
                tasks,
                today,
                now,
                legacy_notices=legacy,
                referrals=[r for r in referrals if r.state in LIVE_REFERRAL_STATES],
            )
            if case.state not in (CaseState.DISCHARGED, CaseState.CANCELLED)
            else [],
            "tasks": tasks,
            "delays": case.delays.select_related("reason"),
            "criteria": case.criteria.select_related("recorded_by"),
            "timeline": timeline.build(
                case.transitions.select_related("by"),
                case.criteria.select_related("recorded_by"),
                case.delays.select_related("reason", "recorded_by"),
                tasks,
            ),
            "next_states": sorted(TRANSITIONS[case.state]),
            "state_labels": dict(CaseState.choices),
            "delay_form": DelayForm(),
            "task_form": TaskForm(initial={"owner_organisation": actor.organisation.code}),
            "formatted": formatted,
            "now": now,
            "referrals": [
                (r, brokerage_rules.effective_state(r.state, r.deadline, now)) for r in referrals
            ],
            "placements": brokerage_queries.placements_of_case(case),
            "can_broker": actor.role in REFERRING_ROLES,
            "referral_labels": dict(ReferralState.choices),
            "placement_moves": brokerage_rules.PLACEMENT_TRANSITIONS,
        },
    )


def _act(request, case_id: int, form_class, apply):
    """Run one case action from a posted form and go back to the case."""
    actor = actor_for(request.user)
    case = queries.case(actor, case_id)
    form = form_class(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{k.replace('_', ' ')}: {v[0]}" for k, v in form.errors.items())
        messages.error(request, f"Not saved: {problems}")
    else:
        try:
            text = apply(actor, case, form.cleaned_data)
        except services.CaseError as exc:
            messages.error(request, f"Not saved: {exc}")
        else:
            messages.success(request, text)
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_http_methods(["POST"])
def record_criteria(request, case_id: int):
    def apply(actor, case, data):
        services.record_criteria(
            actor=actor,
            case=case,
            meets_criteria=data["meets_criteria"],
            at=data["at"],
            note=data["note"],
        )
        return "Criteria to reside updated"

    return _act(request, case_id, CriteriaForm, apply)


@login_required
@require_http_methods(["POST"])
def add_delay(request, case_id: int):
    def apply(actor, case, data):
        services.add_delay(
            actor=actor,
            case=case,
            reason=data["reason"],
            attribution=data["attribution"],
            primary=data["primary"],
            started_at=data["started_at"] or None,
        )
        return f"Delay recorded: {data['reason'].label}"

    return _act(request, case_id, DelayForm, apply)


@login_required
@require_http_methods(["POST"])
def end_delay(request, case_id: int, delay_id: int):
    actor = actor_for(request.user)
    case = queries.case(actor, case_id)
    episode = DelayEpisode.objects.filter(case=case, pk=delay_id, ended_at=None).first()
    if episode is None:
        raise Http404("No such delay")
    services.end_delay(actor=actor, episode=episode)
    messages.success(request, f"Delay ended: {episode.reason.label}")
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_http_methods(["POST"])
def add_task(request, case_id: int):
    def apply(actor, case, data):
        services.add_task(actor=actor, case=case, **data)
        return f"Task added: {data['task_type'].label}"

    return _act(request, case_id, TaskForm, apply)


@login_required
@require_http_methods(["POST"])
def complete_task(request, case_id: int, task_id: int):
    actor = actor_for(request.user)
    case = queries.case(actor, case_id)
    task = Task.objects.filter(case=case, pk=task_id).select_related("task_type").first()
    if task is None:
        raise Http404("No such task")
    services.complete_task(actor=actor, task=task)
    messages.success(request, f"Done: {task.task_type.label}")
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_http_methods(["POST"])
def set_plan(request, case_id: int):
    def apply(actor, case, data):
        owner = None
        if data["owner"]:
            owner = get_user_model().objects.filter(username=data["owner"]).first()
            if owner is None:
                raise services.CaseError(f"there is no user called {data['owner']}")
        services.set_plan(
            actor=actor,
            case=case,
            owner=owner,
            next_action=data["next_action"],
            next_action_due=data["next_action_due"],
            expected_discharge_date=data["expected_discharge_date"],
        )
        return "Plan saved"

    return _act(request, case_id, PlanForm, apply)


@login_required
@require_http_methods(["POST"])
def transition(request, case_id: int):
    def apply(actor, case, data):
        services.transition(
            actor=actor,
            case=case,
            to_state=data["to_state"],
            reason=data["reason"],
            at=data["at"] or None,
        )
        return f"Case is now {CaseState(data['to_state']).label.lower()}"

    return _act(request, case_id, TransitionForm, apply)


@login_required
def daily_return_page(request):
    actor = actor_for(request.user)
    trusts = list(queries.return_trusts(actor).order_by("name"))
    if not trusts:
        raise Http404("Only hospital and ICB staff produce the daily return")
    today = queries.today()
    form = ReturnForm(request.GET or None, trusts=trusts, initial={"trust": trusts[0].code})
    returns, problem = [], ""
    if form.is_bound and not form.is_valid():
        problem = "; ".join(e for errs in form.errors.values() for e in errs)
    else:
        data = form.cleaned_data if form.is_bound else {}
        trust = next((t for t in trusts if t.code == data.get("trust")), trusts[0])
        # At 8 a.m. the figure to submit is yesterday's; today's is provisional.
        end = data.get("end") or today - timedelta(days=1)
        start = data.get("start") or end - timedelta(days=6)
        try:
            returns = daily_return.compute_range(trust, start, end)
        except ValueError as exc:
            problem = str(exc)
        else:
            audit.record(
                actor,
                "return.acute_discharge",
                trust,
                start=str(start),
                end=str(end),
                format=data.get("format") or "page",
            )
            name = f"acute-discharge-{trust.code}-{start}-{end}"
            if data.get("format") == "csv":
                response = HttpResponse(
                    daily_return.to_csv(returns).encode("utf-8-sig"),
                    content_type="text/csv; charset=utf-8",
                )
                response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
                return response
            if data.get("format") == "xlsx":
                response = HttpResponse(daily_return.to_xlsx(returns), content_type=XLSX)
                response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
                return response
    return render(
        request,
        "cases/daily_return.jinja",
        {
            "form": form,
            "returns": returns,
            "problem": problem,
            "query": request.GET.copy(),
            "today": today,
        },
        status=400 if problem else 200,
    )


@login_required
@require_http_methods(["POST"])
def record_notices(request, case_id: int):
    def apply(actor, case, data):
        services.record_notices(actor=actor, case=case, **data)
        return "Notices recorded"

    return _act(request, case_id, NoticesForm, apply)


@login_required
@require_http_methods(["GET", "POST"])
def legacy_notices(request):
    """A commissioner switches the legacy notices on or off for their own council."""
    actor = actor_for(request.user)
    council = require_council(actor, Role.COMMISSIONER)
    if request.method == "POST":
        form = LegacyAreaForm(request.POST)
        form.is_valid()
        enabled = bool(form.cleaned_data.get("enabled"))
        services.set_legacy_notices(actor=actor, council=council, enabled=enabled)
        messages.success(
            request, f"Assessment and discharge notices are now {'on' if enabled else 'off'}"
        )
        return redirect("cases:legacy_notices")
    return render(
        request,
        "cases/legacy_notices.jinja",
        {"council": council, "enabled": council.pk in queries.legacy_council_ids()},
    )


@login_required
def find_provider(request, case_id: int):
    """A ranked, explained shortlist of providers that can take this person now."""
    actor = actor_for(request.user)
    case = queries.case(actor, case_id)
    radius = request.GET.get("radius", "20")
    radius_km = float(radius) if radius in RADII else 20.0
    context = {"case": case, "radius": radius, "radii": RADII, "matches": [], "problem": ""}
    try:
        need = matching.need_for(case, radius_km)
    except matching.CannotMatch as exc:
        context["problem"] = str(exc)
        return render(request, "cases/find_provider.jinja", context)
    table = matching.offer_table(need.care_type)
    weights = brokerage_services.weights_for(case.council)
    matches = shortlist(table, need, weights, k=20, now=clock.now())
    locations = Location.objects.in_bulk([m.location_id for m in matches])
    why = request.GET.get("why", "")
    asked = Location.objects.filter(cqc_id=why).first() if why else None
    audit.record(actor, "case.shortlist", case, shown=len(matches), radius_km=radius_km)
    context.update(
        matches=[(m, locations[m.location_id]) for m in matches],
        asked=asked,
        why_not=why_not_location(table, need, asked.pk, now=clock.now()) if asked else None,
        why=why,
        weights=dict(zip(brokerage_services.WEIGHT_FIELDS, weights.as_tuple(), strict=True)),
        weight_total=sum(weights.as_tuple()),
        can_refer=actor.role in REFERRING_ROLES,
        referred=set(
            case.referrals.filter(state__in=LIVE_REFERRAL_STATES).values_list("offer_id", flat=True)
        ),
    )
    return render(request, "cases/find_provider.jinja", context)

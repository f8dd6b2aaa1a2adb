"""Discharge cases API: the hub list, opening a case, one case with its timeline, and the
writes a hub makes (state, criteria to reside, delays, tasks, plan).

Scoping is `homeward.cases.queries`: a case is visible to its trust, site, council of
residence and the trust's integrated care board; any other case answers 404. Every write goes
through `homeward.cases.services` (which writes its own audit row); every read of patient data
writes one here."""

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from homeward.cases import alerts, daily_return, queries, rules, services, timeline
from homeward.cases.models import (
    OPEN_STATES,
    Attribution,
    CaseState,
    CodeList,
    DelayEpisode,
    DischargeCase,
    FundingRoute,
    Patient,
    ReferenceCode,
    Sex,
    Task,
)
from homeward.core import audit, clock, nhs_number, postcodes
from homeward.core.access import Actor, actor_for
from homeward.core.models import Organisation, OrganisationKind
from homeward.directory.cqc import SPECIALISM_BANDS
from homeward.directory.models import CareType

router = Router(tags=["cases"])

SPECIALISMS = frozenset(SPECIALISM_BANDS.values())
RAGS = ("red", "amber", "green", "grey")


# --- Schemas out -----------------------------------------------------------------------------


class Problem(Schema):
    detail: str


class CodeOut(Schema):
    code: str
    label: str


class OrgOut(Schema):
    code: str
    name: str
    kind: str


class PatientOut(Schema):
    name: str
    given_name: str
    family_name: str
    nhs_number: str  # formatted: "999 123 4567"
    date_of_birth: date | None


class DelayOut(Schema):
    id: int
    reason: CodeOut
    attribution: str
    primary: bool
    started_at: datetime
    ended_at: datetime | None


class TaskOut(Schema):
    id: int
    task_type: CodeOut
    owner_organisation: OrgOut
    due_at: datetime
    done_at: datetime | None
    overdue: bool
    note: str


class AlertOut(Schema):
    key: str
    severity: str
    text: str


class CaseRow(Schema):
    id: int
    patient: PatientOut
    trust: OrgOut
    council: OrgOut | None
    state: str
    pathway: CodeOut | None
    discharge_ready_date: date | None
    days_waiting: int | None
    rag: str
    owner: str | None
    owner_organisation: OrgOut | None
    next_action: str
    next_action_due: datetime | None
    open_delays: list[DelayOut]
    open_tasks: list[TaskOut]
    alerts: list[AlertOut]


class CaseListOut(Schema):
    total: int
    results: list[CaseRow]


class NeedsOut(Schema):
    care_type: str | None
    specialisms: list[str]
    capabilities: list[str]
    funding_route: str
    preferred_areas: list[str]
    weekly_budget: Decimal | None


class TransitionOut(Schema):
    from_state: str
    to_state: str
    at: datetime
    by: str | None
    organisation: OrgOut | None
    reason: str


class CriteriaOut(Schema):
    meets_criteria: bool
    at: datetime
    by: str | None
    note: str


class TimelineEntry(Schema):
    at: datetime
    kind: str  # transition, criteria, delay_started, delay_ended, task_added, task_done
    text: str
    by: str | None


class CaseDetail(CaseRow):
    site: OrgOut | None
    ward: str
    admission_date: date
    expected_discharge_date: date | None
    discharged_at: datetime | None
    home_postcode: str
    needs: NeedsOut
    transitions: list[TransitionOut]
    criteria: list[CriteriaOut]
    delays: list[DelayOut]
    tasks: list[TaskOut]
    timeline: list[TimelineEntry]


# --- Schemas in ------------------------------------------------------------------------------


class HubIn(Schema):
    trust: str = ""
    council: str = ""
    pathway: str = ""
    rag: str = ""
    mine: bool = False
    sort: str = "wait"


class PatientIn(Schema):
    nhs_number: str
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    date_of_birth: date
    sex: str = Sex.OTHER.value
    postcode: str = ""


class NeedsIn(Schema):
    care_type: str = ""
    specialisms: list[str] = []
    capabilities: list[str] = []
    funding_route: str = FundingRoute.UNKNOWN.value
    preferred_areas: list[str] = []
    weekly_budget: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)


class CaseIn(Schema):
    patient: PatientIn
    admission_date: date
    ready_at: datetime | None = None
    ward: str = Field("", max_length=64)
    pathway: str = ""
    needs: NeedsIn = Field(default_factory=NeedsIn)
    home_postcode: str = ""
    council: str = ""


class TransitionIn(Schema):
    to_state: str
    reason: str = Field("", max_length=255)


class CriteriaIn(Schema):
    meets_criteria: bool
    at: datetime | None = None
    note: str = Field("", max_length=255)


class DelayIn(Schema):
    reason: str
    attribution: str
    primary: bool = False


class TaskIn(Schema):
    task_type: str
    owner_organisation: str | None = None
    due_at: datetime
    note: str = Field("", max_length=255)


class PlanIn(Schema):
    owner: str | None = None
    next_action: str = Field("", max_length=255)
    next_action_due: datetime | None = None
    expected_discharge_date: date | None = None
    pathway: str | None = None


# --- Helpers ---------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localtime(clock.now()).date()


def _aware(at: datetime | None) -> datetime | None:
    """A time without an offset is read as UK local time."""
    if at is not None and timezone.is_naive(at):
        return timezone.make_aware(at)
    return at


def _current(qs, today: date):
    return qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


def _reference(code_list: str, code: str, what: str) -> ReferenceCode:
    found = _current(ReferenceCode.objects.filter(list=code_list, code=code), _today()).first()
    if found is None:
        known = _current(ReferenceCode.objects.filter(list=code_list), _today()).values_list(
            "code", flat=True
        )
        raise HttpError(400, f"unknown {what} {code!r} (known: {', '.join(known)})")
    return found


def _choice(value: str, choices, what: str) -> str:
    if value not in choices.values:
        raise HttpError(400, f"unknown {what} {value!r} (known: {', '.join(choices.values)})")
    return value


def _council(code: str) -> Organisation:
    found = Organisation.objects.filter(kind=OrganisationKind.COUNCIL, code=code).first()
    if found is None:
        raise HttpError(400, f"unknown council {code!r} (use the ONS code, e.g. E08000009)")
    return found


def _postcode(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return postcodes.normalise(raw)
    except postcodes.InvalidPostcode as exc:
        raise HttpError(400, str(exc)) from exc


def _org(org: Organisation | None) -> OrgOut | None:
    return None if org is None else OrgOut(code=org.code, name=org.name, kind=org.kind)


def _code(ref: ReferenceCode | None) -> CodeOut | None:
    return None if ref is None else CodeOut(code=ref.code, label=ref.label)


def _username(user) -> str | None:
    return None if user is None else user.get_username()


def _patient(patient: Patient) -> PatientOut:
    return PatientOut(
        name=f"{patient.given_name} {patient.family_name}".strip(),
        given_name=patient.given_name,
        family_name=patient.family_name,
        nhs_number=nhs_number.formatted(patient.nhs_number),
        date_of_birth=patient.date_of_birth,
    )


def _delay(d: DelayEpisode) -> DelayOut:
    return DelayOut(
        id=d.pk,
        reason=_code(d.reason),
        attribution=d.attribution,
        primary=d.primary,
        started_at=d.started_at,
        ended_at=d.ended_at,
    )


def _task(t: Task, now: datetime) -> TaskOut:
    return TaskOut(
        id=t.pk,
        task_type=_code(t.task_type),
        owner_organisation=_org(t.owner_organisation),
        due_at=t.due_at,
        done_at=t.done_at,
        overdue=t.done_at is None and t.due_at < now,
        note=t.note,
    )


def _row_fields(c: DischargeCase, days: int | None, rag: str) -> dict:
    return {
        "id": c.pk,
        "patient": _patient(c.patient),
        "trust": _org(c.trust),
        "council": _org(c.council),
        "state": c.state,
        "pathway": _code(c.pathway),
        "discharge_ready_date": c.discharge_ready_date,
        "days_waiting": days,
        "rag": rag,
        "owner": _username(c.owner),
        "owner_organisation": _org(c.owner_organisation),
        "next_action": c.next_action,
        "next_action_due": c.next_action_due,
    }


def _visible(request, case_id: int) -> tuple[Actor, DischargeCase]:
    actor = actor_for(request.user)
    return actor, queries.case(actor, case_id)


def _call(service, **kwargs):
    """Run a service, turning input a person must correct into 400."""
    try:
        return service(**kwargs)
    except services.CaseError as exc:
        raise HttpError(400, str(exc)) from exc


def _detail(actor: Actor, case_id: int) -> CaseDetail:
    """One case with its whole history, read fresh."""
    c = queries.case(actor, case_id)
    now = clock.now()
    is_open = c.state in OPEN_STATES
    if is_open:
        days = rules.waiting_days(c.discharge_ready_date, timezone.localtime(now).date())
    elif c.discharged_at is not None:  # the wait stopped on the day the person went home
        days = rules.waiting_days(
            c.discharge_ready_date, timezone.localtime(c.discharged_at).date()
        )
    else:
        days = None
    transitions = list(c.transitions.select_related("by", "organisation"))
    criteria = list(c.criteria.select_related("recorded_by"))
    delays = list(c.delays.select_related("reason", "recorded_by").order_by("started_at", "id"))
    tasks = list(
        c.tasks.select_related("task_type", "owner_organisation", "created_by").order_by(
            "due_at", "id"
        )
    )
    open_tasks = [t for t in tasks if t.done_at is None]
    found_alerts = alerts.for_case(c, open_tasks, timezone.localtime(now).date(), now)
    return CaseDetail(
        **_row_fields(c, days, rules.rag_for_wait(days)),
        open_delays=[
            _delay(d)
            for d in sorted(
                (d for d in delays if d.ended_at is None), key=lambda d: (not d.primary,)
            )
        ],
        open_tasks=[_task(t, now) for t in open_tasks],
        alerts=[AlertOut(**asdict(a)) for a in found_alerts] if is_open else [],
        site=_org(c.site),
        ward=c.ward,
        admission_date=c.admission_date,
        expected_discharge_date=c.expected_discharge_date,
        discharged_at=c.discharged_at,
        home_postcode=c.home_postcode,
        needs=NeedsOut(
            care_type=c.care_type_id,
            specialisms=c.specialisms,
            capabilities=c.capabilities,
            funding_route=c.funding_route,
            preferred_areas=c.preferred_areas,
            weekly_budget=c.weekly_budget,
        ),
        transitions=[
            TransitionOut(
                from_state=t.from_state,
                to_state=t.to_state,
                at=t.at,
                by=_username(t.by),
                organisation=_org(t.organisation),
                reason=t.reason,
            )
            for t in transitions
        ],
        criteria=[
            CriteriaOut(
                meets_criteria=e.meets_criteria,
                at=e.at,
                by=_username(e.recorded_by),
                note=e.note,
            )
            for e in criteria
        ],
        delays=[_delay(d) for d in delays],
        tasks=[_task(t, now) for t in tasks],
        timeline=[
            TimelineEntry(**asdict(e)) for e in timeline.build(transitions, criteria, delays, tasks)
        ],
    )


# --- Endpoints -------------------------------------------------------------------------------


@router.get("/cases", response={200: CaseListOut, 400: Problem})
def list_cases(request, params: Query[HubIn]):
    """The hub list: every open case you may see, with wait, delays, tasks and alerts."""
    actor = actor_for(request.user)
    if params.rag and params.rag not in RAGS:
        raise HttpError(400, f"rag must be one of {', '.join(RAGS)}")
    if params.sort not in queries.SORTS:
        raise HttpError(400, f"sort must be one of {', '.join(queries.SORTS)}")
    hub_filter = queries.HubFilter(**params.model_dump())
    rows = queries.hub_list(actor, hub_filter)
    audit.record(
        actor,
        "case.list",
        object_type=DischargeCase._meta.label_lower,
        cases=len(rows),
        filter=asdict(hub_filter),
    )
    now = clock.now()
    return CaseListOut(
        total=len(rows),
        results=[
            CaseRow(
                **_row_fields(r.case, r.days, r.rag),
                open_delays=[_delay(d) for d in r.delays],
                open_tasks=[_task(t, now) for t in r.open_tasks],
                alerts=[AlertOut(**asdict(a)) for a in r.alerts],
            )
            for r in rows
        ],
    )


@router.post("/cases", response={201: CaseDetail, 400: Problem, 404: Problem})
def open_case(request, payload: CaseIn):
    """Open a case for a patient in your hospital (trust and hospital-site staff only)."""
    actor = actor_for(request.user)
    org = actor.organisation
    if org.kind == OrganisationKind.TRUST:
        trust, site = org, None
    elif org.kind == OrganisationKind.SITE and org.parent is not None:
        trust, site = org.parent, org
    else:
        raise Http404("Only hospital staff open cases")
    p, needs = payload.patient, payload.needs
    given, family = p.given_name.strip(), p.family_name.strip()
    if not given or not family:
        raise HttpError(400, "the patient's given name and family name are both needed")
    if p.date_of_birth > _today():
        raise HttpError(400, "the date of birth cannot be in the future")
    if p.date_of_birth > payload.admission_date:
        raise HttpError(400, "the date of birth cannot be after the admission date")
    _choice(p.sex, Sex, "sex")
    _choice(needs.funding_route, FundingRoute, "funding route")
    unknown = sorted(set(needs.specialisms) - SPECIALISMS)
    if unknown:
        raise HttpError(
            400, f"unknown specialism {unknown[0]!r} (known: {', '.join(sorted(SPECIALISMS))})"
        )
    care_type = None
    if needs.care_type:
        care_type = _current(CareType.objects.filter(code=needs.care_type), _today()).first()
        if care_type is None:
            known = _current(CareType.objects.all(), _today()).values_list("code", flat=True)
            raise HttpError(
                400, f"unknown care type {needs.care_type!r} (known: {', '.join(known)})"
            )
    pathway = _reference(CodeList.PATHWAY, payload.pathway, "pathway") if payload.pathway else None
    council = _council(payload.council) if payload.council else None
    _same_person_or_refuse(p.nhs_number, given, family, p.date_of_birth)
    with transaction.atomic():  # no patient is left behind when the case is refused
        patient = _call(
            services.register_patient,
            actor=actor,
            nhs_number_raw=p.nhs_number,
            given_name=given,
            family_name=family,
            date_of_birth=p.date_of_birth,
            sex=p.sex,
            postcode=_postcode(p.postcode),
            council=council,
        )
        case = _call(
            services.open_case,
            actor=actor,
            patient=patient,
            trust=trust,
            site=site,
            admission_date=payload.admission_date,
            ready_at=_aware(payload.ready_at),
            ward=payload.ward.strip(),
            pathway=pathway,
            council=council,
            home_postcode=_postcode(payload.home_postcode),
            care_type=care_type,
            specialisms=needs.specialisms,
            capabilities=[c.strip() for c in needs.capabilities if c.strip()],
            funding_route=needs.funding_route,
            preferred_areas=[a.strip() for a in needs.preferred_areas if a.strip()],
            weekly_budget=needs.weekly_budget,
        )
    return Status(201, _detail(actor, case.pk))


def _same_person_or_refuse(raw: str, given: str, family: str, born: date) -> None:
    """An NHS number already registered to someone else is a typing mistake; refusing it
    without saying whose it is keeps another person's details from leaking."""
    try:
        number = nhs_number.normalise(raw, production=settings.PRODUCTION)
    except nhs_number.InvalidNhsNumber:
        return  # register_patient explains what is wrong with it
    known = Patient.objects.filter(nhs_number=number).first()
    if known is None:
        return
    differs = (
        (known.date_of_birth is not None and known.date_of_birth != born)
        or (known.given_name and known.given_name.casefold() != given.casefold())
        or (known.family_name and known.family_name.casefold() != family.casefold())
    )
    if differs:
        raise HttpError(
            400,
            "this NHS number is registered to a patient with a different name or date of "
            "birth: check the number",
        )


@router.get("/cases/{case_id}", response={200: CaseDetail, 404: Problem})
def get_case(request, case_id: int):
    """One case with its timeline: state changes, criteria to reside, delays and tasks."""
    actor, c = _visible(request, case_id)
    audit.record(actor, "case.view", c)
    return _detail(actor, c.pk)


@router.post("/cases/{case_id}/transitions", response={200: CaseDetail, 400: Problem, 404: Problem})
def move_case(request, case_id: int, payload: TransitionIn):
    """Move the case along its workflow; moves the workflow does not allow are refused."""
    actor, c = _visible(request, case_id)
    _choice(payload.to_state, CaseState, "state")
    _call(
        services.transition, actor=actor, case=c, to_state=payload.to_state, reason=payload.reason
    )
    return _detail(actor, c.pk)


@router.post("/cases/{case_id}/criteria", response={201: CaseDetail, 400: Problem, 404: Problem})
def record_criteria(request, case_id: int, payload: CriteriaIn):
    """Record whether the person meets the criteria to reside (from `at`, default now)."""
    actor, c = _visible(request, case_id)
    _call(
        services.record_criteria,
        actor=actor,
        case=c,
        meets_criteria=payload.meets_criteria,
        at=_aware(payload.at) or clock.now(),
        note=payload.note.strip(),
    )
    return Status(201, _detail(actor, c.pk))


@router.post("/cases/{case_id}/delays", response={201: DelayOut, 400: Problem, 404: Problem})
def add_delay(request, case_id: int, payload: DelayIn):
    """Open a delay episode with a reason from the acute discharge collection."""
    actor, c = _visible(request, case_id)
    reason = _reference(CodeList.DELAY_REASON, payload.reason, "delay reason")
    _choice(payload.attribution, Attribution, "attribution")
    episode = _call(
        services.add_delay,
        actor=actor,
        case=c,
        reason=reason,
        attribution=payload.attribution,
        primary=payload.primary,
    )
    episode.refresh_from_db()
    return Status(201, _delay(episode))


@router.post(
    "/cases/{case_id}/delays/{delay_id}/end",
    response={200: DelayOut, 400: Problem, 404: Problem},
)
def end_delay(request, case_id: int, delay_id: int):
    """End a delay episode now."""
    actor, c = _visible(request, case_id)
    episode = c.delays.select_related("reason", "case").filter(pk=delay_id).first()
    if episode is None:
        raise Http404("No such delay")
    if episode.ended_at is not None:
        raise HttpError(400, "this delay has already ended")
    _call(services.end_delay, actor=actor, episode=episode)
    episode.refresh_from_db()
    return _delay(episode)


@router.post("/cases/{case_id}/tasks", response={201: TaskOut, 400: Problem, 404: Problem})
def add_task(request, case_id: int, payload: TaskIn):
    """Add a task, owned by your organisation unless you name another by its code."""
    actor, c = _visible(request, case_id)
    task_type = _reference(CodeList.TASK_TYPE, payload.task_type, "task type")
    owner_org = actor.organisation
    if payload.owner_organisation:
        matches = list(Organisation.objects.filter(code=payload.owner_organisation)[:2])
        if len(matches) != 1:
            raise HttpError(
                400,
                f"unknown organisation {payload.owner_organisation!r} "
                "(use its ODS, ONS or CQC provider code)",
            )
        owner_org = matches[0]
    task = _call(
        services.add_task,
        actor=actor,
        case=c,
        task_type=task_type,
        owner_organisation=owner_org,
        due_at=_aware(payload.due_at),
        note=payload.note.strip(),
    )
    return Status(201, _task(task, clock.now()))


@router.post(
    "/cases/{case_id}/tasks/{task_id}/complete",
    response={200: TaskOut, 400: Problem, 404: Problem},
)
def complete_task(request, case_id: int, task_id: int):
    """Mark a task done (doing so twice changes nothing)."""
    actor, c = _visible(request, case_id)
    task = (
        c.tasks.select_related("task_type", "owner_organisation", "case").filter(pk=task_id).first()
    )
    if task is None:
        raise Http404("No such task")
    _call(services.complete_task, actor=actor, task=task)
    return _task(task, clock.now())


@router.put("/cases/{case_id}/plan", response={200: CaseDetail, 400: Problem, 404: Problem})
def set_plan(request, case_id: int, payload: PlanIn):
    """Name the owner and the next action. Replaces owner, next action and dates; a missing
    pathway keeps the current one."""
    actor, c = _visible(request, case_id)
    owner = None
    if payload.owner:
        owner = get_user_model().objects.filter(username=payload.owner).first()
        if owner is None:
            raise HttpError(
                400,
                f"{payload.owner!r} is not a user at an organisation that can see this case",
            )
    if payload.expected_discharge_date and payload.expected_discharge_date < c.admission_date:
        raise HttpError(400, "the expected discharge date cannot be before admission")
    pathway = _reference(CodeList.PATHWAY, payload.pathway, "pathway") if payload.pathway else None
    _call(
        services.set_plan,
        actor=actor,
        case=c,
        owner=owner,
        next_action=payload.next_action,
        next_action_due=_aware(payload.next_action_due),
        expected_discharge_date=payload.expected_discharge_date,
        pathway=pathway,
    )
    return _detail(actor, c.pk)


class ReasonCountOut(Schema):
    code: str
    label: str
    count: int


class DailyReturnOut(Schema):
    day: date
    org_code: str
    org_name: str
    not_meeting_criteria: int
    discharged_by_1700: int
    discharged_1701_2359: int
    remaining: int
    reasons: list[ReasonCountOut]
    no_reason_recorded: int


@router.get("/daily-return", response={200: list[DailyReturnOut], 400: Problem})
def daily_return_api(request, trust: str = "", start: date | None = None, end: date | None = None):
    """The trust's daily acute discharge return (Tables 2 and 3) for up to 31 days."""
    actor = actor_for(request.user)
    trusts = queries.return_trusts(actor)
    found = trusts.filter(code=trust).first() if trust else trusts.order_by("name").first()
    if found is None:
        raise Http404("No such trust")
    end = end or queries.today()
    start = start or end
    try:
        returns = daily_return.compute_range(found, start, end)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    audit.record(
        actor, "return.acute_discharge", found, start=str(start), end=str(end), format="api"
    )
    return [
        DailyReturnOut(
            **{k: v for k, v in asdict(r).items() if k != "reasons"},
            reasons=[ReasonCountOut(**asdict(rc)) for rc in r.reasons],
        )
        for r in returns
    ]

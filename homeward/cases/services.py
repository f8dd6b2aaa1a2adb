"""Every write to a discharge case, in a transaction, naming the acting user, with its audit
row. State changes go through `transition()` and the table in `rules.TRANSITIONS`."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homeward.cases import rules
from homeward.cases.models import (
    OPEN_STATES,
    CaseState,
    CaseTransition,
    CodeList,
    CriteriaEvent,
    DelayEpisode,
    DischargeCase,
    LegacyNoticeArea,
    Patient,
    ReferenceCode,
    Task,
)
from homeward.core import audit, clock, nhs_number
from homeward.core.access import Actor
from homeward.core.models import Membership, Organisation


class CaseError(ValueError):
    """Input a person must correct; the message says what and how."""


def _local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def _check_moment(case: DischargeCase, at: datetime, what: str) -> None:
    """Refuse a time in the future or before the admission date."""
    if at > clock.now():
        raise CaseError(f"{what} cannot be in the future")
    if _local_date(at) < case.admission_date:
        raise CaseError(f"{what} cannot be before admission")


def _require_open(case: DischargeCase) -> None:
    if case.state not in OPEN_STATES:
        raise CaseError(f"the case is {case.get_state_display().lower()}: it cannot change now")


def _recompute_drd(case: DischargeCase) -> None:
    events = case.criteria.values_list("at", "meets_criteria")
    case.discharge_ready_date = rules.discharge_ready_date(events, _local_date)
    DischargeCase.objects.filter(pk=case.pk).update(discharge_ready_date=case.discharge_ready_date)


def register_patient(
    *,
    actor: Actor,
    nhs_number_raw: str,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    sex: str,
    postcode: str = "",
    council: Organisation | None = None,
) -> Patient:
    """Find or create the patient by NHS number (validated; test range only outside production)."""
    try:
        number = nhs_number.normalise(nhs_number_raw, production=settings.PRODUCTION)
    except nhs_number.InvalidNhsNumber as exc:
        raise CaseError(str(exc)) from exc
    details = {
        "given_name": given_name.strip(),
        "family_name": family_name.strip(),
        "date_of_birth": date_of_birth,
    }
    patient, created = Patient.objects.get_or_create(
        nhs_number=number,
        defaults={**details, "sex": sex, "postcode": postcode, "council": council},
    )
    if created:
        audit.record(actor, "patient.create", patient)
        return patient
    # Refuse a mismatch rather than reveal another person's stored details; fill in details
    # that an imported spell left blank.
    clashes = [
        k for k, v in details.items() if v and getattr(patient, k) and getattr(patient, k) != v
    ]
    if clashes:
        raise CaseError(
            "this NHS number is registered to a person with a different name or date of birth; "
            "check the number"
        )
    blanks = {k: v for k, v in details.items() if v and not getattr(patient, k)}
    if blanks:
        Patient.objects.filter(pk=patient.pk).update(**blanks)
        for k, v in blanks.items():
            setattr(patient, k, v)
        audit.record(actor, "patient.complete", patient, fields=sorted(blanks))
    return patient


def open_case(
    *,
    actor: Actor,
    patient: Patient,
    trust: Organisation,
    admission_date: date,
    ready_at: datetime | None = None,
    **details,
) -> DischargeCase:
    """Start a case for a spell; `ready_at` records that the person no longer meets the
    criteria to reside from that moment."""
    if admission_date > _local_date(clock.now()):
        raise CaseError("the admission date cannot be in the future")
    with transaction.atomic():
        case = DischargeCase.objects.create(
            patient=patient,
            trust=trust,
            admission_date=admission_date,
            council=details.pop("council", None) or patient.council,
            home_postcode=details.pop("home_postcode", "") or patient.postcode,
            owner_organisation=details.pop("owner_organisation", None) or trust,
            **details,
        )
        CaseTransition.objects.create(
            case=case,
            from_state="",
            to_state=case.state,
            by=actor.user,
            organisation=actor.organisation,
            at=clock.now(),
            reason="case opened",
        )
        audit.record(actor, "case.open", case)
        if ready_at is not None:
            record_criteria(actor=actor, case=case, meets_criteria=False, at=ready_at)
    return case


def record_criteria(
    *, actor: Actor, case: DischargeCase, meets_criteria: bool, at: datetime, note: str = ""
) -> DischargeCase:
    """Record a criteria-to-reside change; the discharge ready date follows (and restarts
    when the person meets the criteria again)."""
    _check_moment(case, at, "a criteria-to-reside change")
    _require_open(case)
    with transaction.atomic():
        CriteriaEvent.objects.create(
            case=case, meets_criteria=meets_criteria, at=at, recorded_by=actor.user, note=note
        )
        _recompute_drd(case)
        audit.record(actor, "case.criteria", case, meets_criteria=meets_criteria, at=at.isoformat())
    return case


def transition(
    *, actor: Actor, case: DischargeCase, to_state: str, reason: str = "", at=None
) -> DischargeCase:
    """Move a case along its workflow, refusing any move the transition table does not allow.
    The row is locked so two people cannot move the same case at once."""
    with transaction.atomic():
        locked = DischargeCase.objects.select_for_update().get(pk=case.pk)
        try:
            rules.check_transition(locked.state, to_state)
        except rules.TransitionNotAllowed as exc:
            raise CaseError(str(exc)) from exc
        now = at or clock.now()
        _check_moment(locked, now, "a change of state")
        changes = {"state": to_state}
        if to_state in (CaseState.DISCHARGED, CaseState.CANCELLED):
            open_delays = DelayEpisode.objects.filter(case=locked, ended_at=None)
            if open_delays.filter(started_at__gt=now).exists():
                raise CaseError("a delay on this case starts after that time")
            open_delays.update(ended_at=now)
        if to_state == CaseState.DISCHARGED:
            if locked.discharge_ready_date and _local_date(now) < locked.discharge_ready_date:
                raise CaseError("a discharge cannot be before the discharge ready date")
            changes["discharged_at"] = now
        DischargeCase.objects.filter(pk=case.pk).update(**changes)
        CaseTransition.objects.create(
            case=case,
            from_state=locked.state,
            to_state=to_state,
            by=actor.user,
            organisation=actor.organisation,
            at=now,
            reason=reason,
        )
        audit.record(actor, "case.transition", case, to_state=to_state, reason=reason)
        for name, value in changes.items():
            setattr(case, name, value)
    return case


def add_delay(
    *,
    actor: Actor,
    case: DischargeCase,
    reason: ReferenceCode,
    attribution: str,
    primary: bool = False,
    started_at: datetime | None = None,
) -> DelayEpisode:
    """Open a delay episode; making it primary demotes the current primary reason."""
    started_at = started_at or clock.now()
    _check_moment(case, started_at, "a delay")
    if reason.list != CodeList.DELAY_REASON or not reason.valid_on(_local_date(started_at)):
        raise CaseError(f"{reason.code} is not a current reason for not discharging")
    with transaction.atomic():
        # Lock the case so two people adding a primary reason at once cannot both win.
        locked = DischargeCase.objects.select_for_update().get(pk=case.pk)
        _require_open(locked)
        if primary:
            DelayEpisode.objects.filter(case=case, primary=True, ended_at=None).update(
                primary=False
            )
        elif not DelayEpisode.objects.filter(case=case, primary=True, ended_at=None).exists():
            primary = True  # the first open reason is the primary one until told otherwise
        episode = DelayEpisode.objects.create(
            case=case,
            reason=reason,
            attribution=attribution,
            primary=primary,
            started_at=started_at,
            recorded_by=actor.user,
        )
        audit.record(actor, "case.delay.add", case, reason=reason.code, attribution=attribution)
    return episode


def end_delay(*, actor: Actor, episode: DelayEpisode, at: datetime | None = None) -> None:
    """Close a delay episode. It keeps its primary flag as history, so a past day's return
    still knows which reason was primary."""
    with transaction.atomic():
        ended = at or clock.now()
        if episode.ended_at is not None:
            raise CaseError("this delay has already ended")
        if ended < episode.started_at:
            raise CaseError("a delay cannot end before it started")
        DelayEpisode.objects.filter(pk=episode.pk).update(ended_at=ended)
        audit.record(actor, "case.delay.end", episode.case, reason=episode.reason.code)


def add_task(
    *,
    actor: Actor,
    case: DischargeCase,
    task_type: ReferenceCode,
    owner_organisation: Organisation,
    due_at: datetime,
    owner=None,
    note: str = "",
) -> Task:
    _require_open(case)
    if task_type.list != CodeList.TASK_TYPE:
        raise CaseError(f"{task_type.code} is not a task type")
    with transaction.atomic():
        task = Task.objects.create(
            case=case,
            task_type=task_type,
            owner_organisation=owner_organisation,
            owner=owner,
            due_at=due_at,
            note=note,
            created_by=actor.user,
        )
        audit.record(actor, "case.task.add", case, task=task.pk, type=task_type.code)
    return task


def complete_task(*, actor: Actor, task: Task) -> Task:
    with transaction.atomic():
        if task.done_at is None:
            task.done_at = clock.now()
            Task.objects.filter(pk=task.pk).update(done_at=task.done_at)
            audit.record(actor, "case.task.done", task.case, task=task.pk)
    return task


def set_plan(
    *,
    actor: Actor,
    case: DischargeCase,
    owner=None,
    owner_organisation: Organisation | None = None,
    next_action: str = "",
    next_action_due: datetime | None = None,
    expected_discharge_date: date | None = None,
    pathway: ReferenceCode | None = None,
    weekly_budget: Decimal | None = None,
) -> DischargeCase:
    """Name who owns the case and what happens next. The owner must be someone who can see
    the case (trust, site, council of residence or the trust's ICB); the owning organisation
    follows the owner unless given."""
    _require_open(case)
    if owner is not None:
        allowed = {case.trust_id, case.site_id, case.council_id, case.trust.parent_id} - {None}
        orgs = list(
            Membership.objects.filter(user=owner, organisation_id__in=allowed).values_list(
                "organisation_id", flat=True
            )
        )
        if not orgs:
            raise CaseError(
                f"{owner.get_username()!r} is not a user at an organisation that can see this case"
            )
        if owner_organisation is None:
            owner_organisation = Organisation.objects.get(pk=orgs[0])
    if len(next_action.strip()) > 255:
        raise CaseError("the next action must be at most 255 characters")
    fields = {
        "owner": owner,
        "owner_organisation": owner_organisation or case.owner_organisation,
        "next_action": next_action.strip(),
        "next_action_due": next_action_due,
        "expected_discharge_date": expected_discharge_date,
        "pathway": pathway or case.pathway,
        "weekly_budget": weekly_budget if weekly_budget is not None else case.weekly_budget,
    }
    with transaction.atomic():
        DischargeCase.objects.filter(pk=case.pk).update(**fields)
        for name, value in fields.items():
            setattr(case, name, value)
        audit.record(actor, "case.plan", case, next_action=fields["next_action"])
    return case


def set_legacy_notices(*, actor: Actor, council: Organisation, enabled: bool) -> None:
    """Switch the repealed assessment and discharge notices on or off for one council."""
    with transaction.atomic():
        LegacyNoticeArea.objects.update_or_create(
            council=council,
            defaults={"enabled": enabled, "changed_by": actor.user, "changed_at": clock.now()},
        )
        audit.record(actor, "area.legacy_notices", council, enabled=enabled)


def record_notices(
    *,
    actor: Actor,
    case: DischargeCase,
    assessment_notice_at: datetime | None,
    discharge_notice_at: datetime | None,
    proposed_discharge_date: date | None,
) -> DischargeCase:
    """Record the legacy notices; the council's deadline follows from them (see rules)."""
    _require_open(case)
    if not LegacyNoticeArea.objects.filter(council=case.council, enabled=True).exists():
        raise CaseError("the council of residence does not use assessment and discharge notices")
    for when, what in (
        (assessment_notice_at, "an assessment notice"),
        (discharge_notice_at, "a discharge notice"),
    ):
        if when is not None:
            _check_moment(case, when, what)
    if discharge_notice_at is not None:
        if assessment_notice_at is None or discharge_notice_at < assessment_notice_at:
            raise CaseError("a discharge notice follows an assessment notice")
        if proposed_discharge_date is None:
            raise CaseError("a discharge notice names the proposed discharge date")
        try:
            rules.check_discharge_notice(_local_date(discharge_notice_at), proposed_discharge_date)
        except ValueError as exc:
            raise CaseError(str(exc)) from exc
    fields = {
        "assessment_notice_at": assessment_notice_at,
        "discharge_notice_at": discharge_notice_at,
        "proposed_discharge_date": proposed_discharge_date,
    }
    with transaction.atomic():
        DischargeCase.objects.filter(pk=case.pk).update(**fields)
        for name, value in fields.items():
            setattr(case, name, value)
        audit.record(actor, "case.notices", case, **{k: str(v) for k, v in fields.items()})
    return case

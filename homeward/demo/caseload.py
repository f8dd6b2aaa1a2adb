"""A realistic hub caseload for the demo: people ready to leave Manchester University NHS
Foundation Trust, living in Trafford, Manchester, Stockport and Salford, with the mix of
pathways, delay reasons, owners, tasks and waits a care transfer hub sees on a weekday."""

from datetime import date, timedelta

import numpy as np

from homeward.cases import services
from homeward.cases.models import ReferenceCode
from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.models import Organisation, OrganisationKind
from homeward.core.nhs_number import check_digit

GIVEN = [
    "Margaret",
    "Joan",
    "Dorothy",
    "Irene",
    "Brian",
    "Kenneth",
    "Doreen",
    "Eileen",
    "Harold",
    "Jean",
    "Alan",
    "Patricia",
    "Derek",
    "Sheila",
    "Barbara",
    "Ronald",
    "Elsie",
    "Frank",
    "Nasreen",
    "Winston",
    "Krystyna",
    "Anand",
    "Bernadette",
    "Colin",
]
FAMILY = [
    "Hughes",
    "Brennan",
    "Ahmed",
    "Walsh",
    "Okafor",
    "Lewis",
    "Kowalski",
    "Taylor",
    "Patel",
    "Murphy",
    "Clarke",
    "Begum",
    "Shaw",
    "Roberts",
    "Byrne",
    "Singh",
    "Holt",
    "Green",
    "Khan",
    "Dawson",
]
WARDS = ["Ward 3", "Ward 7", "Ward 12", "AMU", "Ward 45 (care of older people)", "Stroke unit"]
# Pathway shares among people who wait (P0 leave quickly), and the reasons that go with each.
PATHWAYS = {"P1": 0.55, "P2": 0.2, "P3": 0.2, "P0": 0.05}
REASONS = {
    "P0": ["R04", "R05", "R01"],
    "P1": ["R13", "R07", "R08", "R06"],
    "P2": ["R14", "R02"],
    "P3": ["R15", "R11", "R18"],
}
CARE_TYPES = {"P1": "home-care", "P2": "d2a-bed", "P3": "nursing-dementia", "P0": None}
ATTRIBUTION = {"R13": "social_care", "R15": "social_care", "R14": "nhs", "R11": "both"}
TRAFFORD = "E08000009"
# A home outcode in each demo council, so shortlists can search by distance from home.
OUTCODES = {"Trafford": "M33", "Manchester": "M14", "Stockport": "SK4", "Salford": "M6"}
# How far along the workflow a waiting case has got.
STATE_PATHS = [
    [],
    ["assessing"],
    ["awaiting_provision"],
    ["assessing", "awaiting_provision"],
    ["awaiting_provision", "referred"],
    ["awaiting_provision", "referred", "placement_agreed"],
]
TASKS = {"P1": "assessment", "P2": "assessment", "P3": "chc_checklist", "P0": "medicines"}


def _numbers(rng: np.random.Generator, n: int) -> list[str]:
    """Distinct valid NHS numbers in the 999 test range."""
    found: list[str] = []
    for candidate in rng.permutation(900000)[: n * 2]:
        first_nine = f"999{int(candidate) + 100000:06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            found.append(f"{first_nine}{digit}")
        if len(found) == n:
            break
    return found


def load(
    *,
    actor: Actor,
    trust: Organisation,
    users: dict,
    rng: np.random.Generator,
    open_cases: int = 48,
) -> int:
    """Open `open_cases` waiting cases plus a month of discharged ones; returns the count."""
    councils = list(
        Organisation.objects.filter(
            kind=OrganisationKind.COUNCIL,
            name__in=["Trafford", "Manchester", "Stockport", "Salford"],
        )
    )
    codes = {(c.list, c.code): c for c in ReferenceCode.objects.all()}
    now = clock.now()
    total = open_cases + 30
    numbers = _numbers(rng, total)
    pathway_names = list(PATHWAYS)
    for i in range(total):
        discharged = i >= open_cases
        pathway = str(rng.choice(pathway_names, p=list(PATHWAYS.values())))
        wait = float(rng.gamma(1.3, 6.0)) + 0.2
        council = councils[int(rng.integers(len(councils)))]
        patient = services.register_patient(
            actor=actor,
            nhs_number_raw=numbers[i],
            given_name=str(rng.choice(GIVEN)),
            family_name=str(rng.choice(FAMILY)),
            date_of_birth=date(1930, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 35))),
            sex=str(rng.choice(["F", "M"])),
            postcode=f"{OUTCODES[council.name]} {int(rng.integers(1, 9))}"
            f"{str(rng.choice(list('ABDEFGHJLNPQRSTUWXYZ')))}"
            f"{str(rng.choice(list('ABDEFGHJLNPQRSTUWXYZ')))}",
            council=council,
        )
        ready_at = now - timedelta(days=wait + (rng.uniform(2, 28) if discharged else 0))
        case = services.open_case(
            actor=actor,
            patient=patient,
            trust=trust,
            admission_date=(ready_at - timedelta(days=float(rng.uniform(2, 20)))).date(),
            ready_at=ready_at,
            ward=str(rng.choice(WARDS)),
            pathway=codes[("pathway", pathway)],
            care_type_id=CARE_TYPES[pathway],
            funding_route=str(
                rng.choice(["council", "chc", "self", "unknown"], p=[0.6, 0.1, 0.2, 0.1])
            ),
            weekly_budget=int(rng.choice([900, 1100, 1250, 1400])) if pathway == "P3" else None,
        )
        reasons = REASONS[pathway]
        primary = reasons[int(rng.integers(len(reasons)))]
        services.add_delay(
            actor=actor,
            case=case,
            reason=codes[("delay_reason", primary)],
            attribution=ATTRIBUTION.get(primary, "nhs"),
            primary=True,
            started_at=ready_at,
        )
        if rng.random() < 0.35:
            second = "R11" if primary != "R11" else "R06"
            services.add_delay(
                actor=actor,
                case=case,
                reason=codes[("delay_reason", second)],
                attribution=ATTRIBUTION.get(second, "both"),
                started_at=ready_at,
            )
        if rng.random() < 0.8:
            # The Trafford broker owns only Trafford residents; the ICB's hub owns the rest.
            broker_case = council.code == TRAFFORD and rng.random() < 0.6
            owner = users["broker"] if broker_case else users["hub"]
            services.set_plan(
                actor=actor,
                case=case,
                owner=owner,
                owner_organisation=council if owner == users["broker"] else case.owner_organisation,
                next_action=str(
                    rng.choice(
                        [
                            "Chase reablement start date",
                            "Book family meeting",
                            "Confirm funding panel",
                            "Ring round nursing homes",
                            "Arrange transport",
                            "Send referral to hub",
                        ]
                    )
                ),
                next_action_due=now + timedelta(hours=float(rng.uniform(-20, 48))),
            )
        services.add_task(
            actor=actor,
            case=case,
            task_type=codes[("task_type", TASKS[pathway])],
            owner_organisation=council if pathway != "P0" else trust,
            due_at=now + timedelta(hours=float(rng.uniform(-36, 72))),
        )
        for state in STATE_PATHS[int(rng.integers(len(STATE_PATHS)))]:
            services.transition(actor=actor, case=case, to_state=state, reason="demo")
        if discharged:
            services.transition(
                actor=actor,
                case=case,
                to_state="discharged",
                reason="demo history",
                at=ready_at + timedelta(days=wait),
            )
    return total

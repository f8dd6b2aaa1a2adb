"""Loading a realistic demo area: a generated Greater Manchester directory in the official
layout, Trafford's real care homes, ONS postcode positions, service offers with prices and
capabilities, vacancies of mixed freshness, a care transfer hub's caseload and one demo login
per role."""

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from homeward.core import clock
from homeward.core.access import SYSTEM, Actor
from homeward.core.models import Membership, Organisation, OrganisationKind, Role
from homeward.core.postcode_import import import_file as import_postcodes
from homeward.demo import caseload, live, performance, referrals
from homeward.demo.generator import generate, real_data_dir
from homeward.directory.cqc import parse
from homeward.directory.imports import import_parsed
from homeward.directory.models import CapacityReport, CapacitySource, Location, ServiceOffer
from homeward.planning import files
from homeward.scenarios import services as scenario_services

DEMO_COUNCILS = ["Trafford", "Manchester", "Stockport", "Salford"]
DEMO_PASSWORD = "homeward-demo"  # noqa: S105 - printed for the demo; refused in production
SEED = 20261127
# The analyst login starts with the example winter scenario saved on the Planning pages.
EXAMPLE_SCENARIO = Path(files.__file__).parent / "examples" / "area.csv"
WEEKLY_PRICE = {
    "residential": 950,
    "residential-dementia": 1100,
    "nursing": 1250,
    "nursing-dementia": 1400,
    "d2a-bed": 1500,
    "respite": 1050,
    "home-care": 900,
    "reablement": 700,
    "live-in": 1300,
    "supported-living": 1200,
}
CAPABILITIES = ["hoist", "bariatric", "oxygen", "peg", "challenging-behaviour", "end-of-life"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organisation: Organisation


class DemoRefused(RuntimeError):
    pass


def _trust_and_icb() -> tuple[Organisation, Organisation]:
    icb, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.ICB,
        code="QOP",
        defaults={"name": "NHS Greater Manchester Integrated Care Board", "region": "North West"},
    )
    trust, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.TRUST,
        code="R0A",
        defaults={
            "name": "Manchester University NHS Foundation Trust",
            "region": "North West",
            "parent": icb,
        },
    )
    return trust, icb


def _offers_and_vacancies(rng: np.random.Generator) -> None:
    """Prices and capabilities on every offer, a few extra care types, and vacancies whose
    ages range from minutes to days so stale figures show up as they do in real life."""
    now = clock.now()
    bed_locations = list(Location.objects.filter(active=True, care_home=True).order_by("pk"))
    extra = []
    for loc in bed_locations:
        if rng.random() < 0.15:
            extra.append(ServiceOffer(location=loc, care_type_id="d2a-bed"))
        if rng.random() < 0.25:
            extra.append(ServiceOffer(location=loc, care_type_id="respite"))
    agencies = list(Location.objects.filter(active=True, care_home=False).order_by("pk"))
    for loc in agencies:
        area = loc.council.name if loc.council else ""
        if rng.random() < 0.2:
            extra.append(ServiceOffer(location=loc, care_type_id="reablement", area=area))
        if rng.random() < 0.1:
            extra.append(ServiceOffer(location=loc, care_type_id="live-in", area=area))
    ServiceOffer.objects.bulk_create(extra, ignore_conflicts=True)

    offers = list(ServiceOffer.objects.select_related("care_type", "location").order_by("pk"))
    reports = []
    for offer in offers:
        base = WEEKLY_PRICE.get(offer.care_type_id, 1000)
        offer.weekly_price = Decimal(int(base * rng.uniform(0.85, 1.3)))
        offer.capabilities = sorted(
            str(c) for c in rng.choice(CAPABILITIES, size=int(rng.integers(0, 4)), replace=False)
        )
        age_hours = rng.uniform(0.1, 20) if rng.random() < 0.7 else rng.uniform(26, 120)
        if offer.care_type.bed_based:
            beds = offer.location.beds or 40
            free = int(min(beds, rng.poisson(1.2)))
            reports.append(
                CapacityReport(
                    offer=offer,
                    beds_free=free,
                    closed_to_admissions=bool(rng.random() < 0.05),
                    reported_at=now - timedelta(hours=float(age_hours)),
                    source=CapacitySource.DEMO,
                )
            )
        else:
            hours = Decimal(int(rng.choice([0, 0, 7, 10, 14, 21, 28, 35, 50])))
            reports.append(
                CapacityReport(
                    offer=offer,
                    hours_free=hours,
                    reported_at=now - timedelta(hours=float(age_hours)),
                    source=CapacitySource.DEMO,
                )
            )
    CapacityReport.objects.bulk_create(reports, batch_size=2000)
    latest = {r.offer_id: r for r in CapacityReport.objects.order_by("offer_id", "reported_at")}
    for offer in offers:
        offer.latest_report = latest.get(offer.pk)
    ServiceOffer.objects.bulk_update(
        offers, ["weekly_price", "capabilities", "latest_report"], batch_size=2000
    )


def _users(trust: Organisation, icb: Organisation) -> list[DemoUser]:
    trafford = Organisation.objects.get(kind=OrganisationKind.COUNCIL, code="E08000009")
    england = Organisation.objects.get(kind=OrganisationKind.NATIONAL, code="E92000001")
    homes = Location.objects.filter(council=trafford, care_home=True, active=True)
    # A home with discharge-to-assess beds, which the demo's waiting patients need, so the
    # care-home login has referrals to answer.
    home = (
        homes.filter(offers__care_type_id="d2a-bed", offers__active=True).order_by("name").first()
        or homes.order_by("name").first()
    )
    agency = (
        Location.objects.filter(council=trafford, care_home=False, active=True)
        .order_by("name")
        .first()
    )
    people = [
        ("coordinator", Role.DISCHARGE_COORDINATOR, trust),
        ("hub", Role.HUB_MEMBER, icb),
        ("broker", Role.BROKER, trafford),
        ("commissioner", Role.COMMISSIONER, trafford),
        ("carehome", Role.PROVIDER_MANAGER, home.provider),
        ("homecare", Role.PROVIDER_MANAGER, agency.provider),
        ("leader", Role.SYSTEM_LEADER, icb),
        ("analyst", Role.ANALYST, icb),
        ("admin", Role.ADMINISTRATOR, england),
    ]
    user_model = get_user_model()
    made = []
    for username, role, organisation in people:
        # Addresses under a reserved domain, so `homeward alerts send` shows its emails
        # (printed by the default console backend) without mailing anyone.
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.homeward.example"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
        made.append(DemoUser(username, role, organisation))
    return made


def load(*, production: bool) -> list[DemoUser]:
    """Load the demo area into an empty database, all or nothing; returns the demo logins."""
    if production:
        raise DemoRefused("demo data is never loaded in production")
    data = real_data_dir()
    rng = np.random.default_rng(SEED)
    with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
        for name in ("outcode_centroids.csv", "M.csv", "WA.csv"):
            path = data / "postcodes" / name
            if path.exists():
                import_postcodes(path)
        directory = generate(Path(tmp), councils=DEMO_COUNCILS, seed=SEED)
        import_parsed(actor=SYSTEM, parsed=parse(directory), filename=directory.name)
        trafford = data / "cqc" / "trafford_care_homes_2026-02.csv"
        if trafford.exists():
            import_parsed(actor=SYSTEM, parsed=parse(trafford), filename=trafford.name)
        trust, icb = _trust_and_icb()
        _offers_and_vacancies(rng)
        demo_users = _users(trust, icb)
        accounts = {u.username: u for u in get_user_model().objects.all()}
        coordinator = Actor(accounts["coordinator"], trust, Role.DISCHARGE_COORDINATOR)
        caseload.load(actor=coordinator, trust=trust, users=accounts, rng=rng)
        carehome = next(u for u in demo_users if u.username == "carehome")
        referrals.load(
            hub=coordinator,
            provider=Actor(accounts["carehome"], carehome.organisation, Role.PROVIDER_MANAGER),
            council=Organisation.objects.get(kind=OrganisationKind.COUNCIL, code="E08000009"),
        )
        analyst = Actor(accounts["analyst"], icb, Role.ANALYST)
        scenario_services.create(analyst, files.load(EXAMPLE_SCENARIO))
        live.load(
            leader=Actor(accounts["leader"], icb, Role.SYSTEM_LEADER),
            trust=trust,
            councils=DEMO_COUNCILS,
        )
        performance.load(data)
        return demo_users

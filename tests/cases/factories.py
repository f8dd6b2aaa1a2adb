"""Building cases for tests through the real services."""

from datetime import date, datetime, timedelta

from homeward.cases import services
from homeward.cases.models import ReferenceCode
from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.nhs_number import check_digit

_serial = iter(range(1000, 999999))


def test_nhs_number() -> str:
    """A fresh valid NHS number in the 999 test range."""
    while True:
        first_nine = f"999{next(_serial):06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"


test_nhs_number.__test__ = False  # a helper, not a test


def code(code_list: str, value: str) -> ReferenceCode:
    return ReferenceCode.objects.get(list=code_list, code=value)


def make_case(
    user,
    *,
    council=None,
    given="Ada",
    family="Lovelace",
    ready_days_ago: float | None = 3,
    admitted: date | None = None,
    **details,
):
    """A case opened by `user` (at a trust), ready `ready_days_ago` days ago."""
    actor = actor_for(user)
    now = clock.now()
    patient = services.register_patient(
        actor=actor,
        nhs_number_raw=test_nhs_number(),
        given_name=given,
        family_name=family,
        date_of_birth=date(1938, 5, 1),
        sex="F",
        postcode="M33 7XX",
        council=council,
    )
    ready_at: datetime | None = (
        now - timedelta(days=ready_days_ago) if ready_days_ago is not None else None
    )
    return services.open_case(
        actor=actor,
        patient=patient,
        trust=actor.organisation,
        admission_date=admitted or (now - timedelta(days=30)).date(),
        ready_at=ready_at,
        **details,
    )

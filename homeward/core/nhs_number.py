"""NHS numbers: ten digits with a Modulus 11 check digit. The 999 range passes the check but
is never issued, so it is the only range test and demo patients may use."""

import re

TEST_RANGE_PREFIX = "999"


class InvalidNhsNumber(ValueError):
    pass


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits; None when no valid number can end them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise(raw: str, *, production: bool = False) -> str:
    """'943 476 5919' -> '9434765919', or InvalidNhsNumber saying what is wrong."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if not re.fullmatch(r"\d{10}", digits):
        raise InvalidNhsNumber("an NHS number is 10 digits")
    if check_digit(digits[:9]) != int(digits[9]):
        raise InvalidNhsNumber("this is not a valid NHS number (the check digit does not match)")
    is_test = digits.startswith(TEST_RANGE_PREFIX)
    if production and is_test:
        raise InvalidNhsNumber("numbers starting 999 are for test patients only")
    if not production and not is_test:
        raise InvalidNhsNumber("this is not a live system: use a test NHS number starting 999")
    return digits


def formatted(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"

"""Human wording for times and ages, used by templates and API explanations."""

from datetime import datetime

from django.utils import timezone

from homeward.core import clock
from homeward.measures.live import age_words


def age_text(then: datetime | None, at: datetime | None = None) -> str:
    """'12 minutes ago', '3 hours ago', '2 days ago'; 'never' when there is no time."""
    if then is None:
        return "never"
    return age_words(((at or clock.now()) - then).total_seconds())


def local_datetime(value: datetime | None, fmt: str = "%-d %b %Y %H:%M") -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt)

"""Human wording for times and ages, used by templates and API explanations."""

from datetime import datetime, timedelta

from django.utils import timezone

from homeward.core import clock


def age_text(then: datetime | None, at: datetime | None = None) -> str:
    """'12 minutes ago', '3 hours ago', '2 days ago'; 'never' when there is no time."""
    if then is None:
        return "never"
    delta: timedelta = (at or clock.now()) - then
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = hours // 24
    return f"{days} days ago"


def local_datetime(value: datetime | None, fmt: str = "%-d %b %Y %H:%M") -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt)

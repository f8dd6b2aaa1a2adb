"""The header navigation: only the places the signed-in user's role can use."""

from django.urls import reverse

from homeward.core.models import Membership, Role

# (url name, label, roles that may use it; None means every member)
HOSPITAL_AND_HUB = {
    Role.DISCHARGE_COORDINATOR,
    Role.HUB_MEMBER,
    Role.BROKER,
    Role.COMMISSIONER,
    Role.SYSTEM_LEADER,
}
ITEMS = [
    ("cases:hub", "Waiting list", HOSPITAL_AND_HUB),
    ("cases:daily_return", "Daily return", {Role.DISCHARGE_COORDINATOR, Role.SYSTEM_LEADER}),
    ("brokerage:allocate", "Allocate area", {Role.BROKER, Role.COMMISSIONER}),
    ("brokerage:inbox", "Referrals", {Role.PROVIDER_MANAGER}),
    ("brokerage:weights", "Ranking", {Role.COMMISSIONER}),
    (
        "brokerage:requests",
        "Capacity requests",
        {Role.COMMISSIONER, Role.BROKER, Role.PROVIDER_MANAGER},
    ),
    ("directory:search", "Care directory", None),
    ("directory:capacity", "Report vacancies", {Role.PROVIDER_MANAGER, Role.ADMINISTRATOR}),
    ("directory:import", "Import CQC data", {Role.ADMINISTRATOR}),
    ("directory:care_types", "Care types", {Role.ADMINISTRATOR}),
    (
        "scenarios:list",
        "Planning",
        {Role.ANALYST, Role.COMMISSIONER, Role.SYSTEM_LEADER, Role.ADMINISTRATOR},
    ),
    (
        "live:view",
        "Live view",
        {Role.SYSTEM_LEADER, Role.HUB_MEMBER, Role.COMMISSIONER, Role.ANALYST},
    ),
    (
        "performance:dashboard",
        "Performance",
        {Role.ANALYST, Role.COMMISSIONER, Role.SYSTEM_LEADER, Role.ADMINISTRATOR},
    ),
]


def navigation(request) -> list[dict]:
    """Header items for the request's user, the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    items = []
    for name, text, allowed in ITEMS:
        if allowed is None or roles & allowed:
            href = reverse(name)
            items.append({"href": href, "text": text, "current": request.path == href})
    if roles:
        items.append({"href": "/api/v1/docs", "text": "API"})
    items.append({"href": reverse("logout_confirm"), "text": "Sign out"})
    return items

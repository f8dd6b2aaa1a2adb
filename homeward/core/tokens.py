"""Issuing and checking API bearer tokens."""

import hashlib
import secrets

from homeward.core import clock
from homeward.core.models import ApiToken


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user, name: str) -> str:
    """Create a token for the user and return it; it cannot be recovered later."""
    token = "hw_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=_digest(token))
    return token


def user_for(token: str):
    """The active user a token belongs to, or None."""
    found = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if found is None or not found.user.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=clock.now())
    return found.user

"""API authentication: the browser session (with CSRF) or a bearer token."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from homeward.core.tokens import user_for


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]

"""`Idempotency-Key` on API writes: a client that retries a POST, PUT, PATCH or DELETE with
the same key gets the first answer again instead of a second booking.

The first request with a key claims it (a unique row per user and key) before the view runs,
so a retry arriving while the first is still running is told to wait (409) rather than run
twice. Its answer is kept for a day; a key reused for a different request (another method,
path or body) is refused with 422. Answers of 500 and above are not kept, so they can be
retried. Requests without the header behave as before."""

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from homeward.core import clock
from homeward.core.models import IdempotentRequest
from homeward.core.tokens import user_for

HEADER = "Idempotency-Key"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEPT_FOR = timedelta(hours=24)
# A claim with no answer after this long belongs to a request that died; it may be retried.
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return user_for(token.strip()) if scheme.lower() == "bearer" and token.strip() else None


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITES or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            return _problem(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters")
        user = _user(request)
        if user is None:
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        claim, earlier = self._claim(user, key, fingerprint)
        if earlier is not None:
            return earlier
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            claim.delete()
            return response
        IdempotentRequest.objects.filter(pk=claim.pk).update(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
        )
        return response

    @staticmethod
    def _claim(user, key: str, fingerprint: str):
        """Claim the key, or the answer to give instead of running the request."""
        now = clock.now()
        IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=now - KEPT_FOR).delete()
        IdempotentRequest.objects.filter(
            user=user, key=key, status=None, created_at__lt=now - ABANDONED_AFTER
        ).delete()
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now
                )
            return claim, None
        except IntegrityError:
            first = IdempotentRequest.objects.get(user=user, key=key)
        if first.fingerprint != fingerprint:
            return None, _problem(422, f"this {HEADER} was already used for a different request")
        if first.status is None:
            return None, _problem(409, f"a request with this {HEADER} is still being processed")
        replay = HttpResponse(
            bytes(first.body), status=first.status, content_type=first.content_type or None
        )
        replay["Idempotent-Replayed"] = "true"
        return None, replay

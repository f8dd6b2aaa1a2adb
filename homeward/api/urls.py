"""The Homeward API under /api/v1/, with OpenAPI documentation at /api/v1/docs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI

from homeward.api.auth import AUTH
from homeward.api.brokerage import router as brokerage_router
from homeward.api.capacity_requests import router as capacity_requests_router
from homeward.api.cases import router as cases_router
from homeward.api.directory import router as directory_router
from homeward.api.live import router as live_router
from homeward.api.performance import router as performance_router
from homeward.api.scenarios import router as scenarios_router

api = NinjaAPI(
    title="Homeward API",
    version="1",
    description="Care market directory and live capacity, discharge cases, brokerage and "
    "planning. Authenticate with a session (browser) or `Authorization: Bearer <token>` "
    "(`homeward token USERNAME`). Writes accept an `Idempotency-Key` header: a retry with the "
    "same key gets the first answer again (header `Idempotent-Replayed: true`).",
    urls_namespace="api",
    auth=AUTH,
)
api.add_router("/", directory_router)
api.add_router("/", cases_router)
api.add_router("/", brokerage_router)
api.add_router("/", capacity_requests_router)
api.add_router("/", scenarios_router)
api.add_router("/", live_router)
api.add_router("/", performance_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)

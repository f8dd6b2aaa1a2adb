"""Capacity request pages: thin views over the scoped reads and the writes in
`capacity_requests`. Commissioners and brokers send and close requests; provider managers
answer them, often from a phone."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from homeward.brokerage import capacity_requests as service
from homeward.brokerage.requests_forms import OfferForm, RequestForm
from homeward.core import clock
from homeward.core.access import actor_for

# A new request asks for answers within two days unless the commissioner says otherwise.
DEFAULT_ANSWER_DAYS = 2


@login_required
def requests(request):
    actor = actor_for(request.user)
    rows = list(service.visible_requests(actor)[:200])
    return render(
        request,
        "brokerage/requests/list.jinja",
        {
            "rows": rows,
            "commissioning": service.may_commission(actor),
            "taking_answers": service.taking_answers,
            "our_care_types": service.provider_care_types(actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_request(request):
    actor = actor_for(request.user)
    if not service.may_commission(actor):
        raise Http404("Not found")
    now = timezone.localtime(clock.now())
    form = RequestForm(
        request.POST or None,
        initial={
            "area": actor.organisation.name,
            "respond_by": (now + timedelta(days=DEFAULT_ANSWER_DAYS)).strftime("%Y-%m-%dT%H:00"),
            "contact_name": request.user.get_full_name(),
            "contact_email": request.user.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = service.create_request(actor=actor, terms=form.terms())
        except service.CapacityRequestError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "Your capacity request has been sent to providers")
            return redirect("brokerage:request", request_id=created.pk)
    return render(
        request,
        "brokerage/requests/new.jinja",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def request_detail(request, request_id: int):
    actor = actor_for(request.user)
    found = service.visible_request(actor, request_id)
    return render(
        request,
        "brokerage/requests/detail.jinja",
        {
            "req": found,
            "offers": service.visible_offers(actor, found),
            "commissioning": service.may_commission(actor),
            "open_for_answers": service.taking_answers(found),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_capacity(request, request_id: int):
    actor = actor_for(request.user)
    found = service.answerable_request(actor, request_id)
    earlier = service.own_offer(actor, found)
    initial = {"available_from": found.start_date}
    if earlier is not None:
        initial = {
            "volume": earlier.volume,
            "available_from": earlier.available_from,
            "weekly_price": earlier.weekly_price,
            "location": earlier.location.cqc_id if earlier.location else "",
            "note": earlier.note,
        }
    form = OfferForm(
        request.POST or None, initial=initial, locations=service.offer_locations(actor)
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.offer_capacity(actor=actor, request=found, terms=form.terms())
        except service.CapacityRequestError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"Your answer has been sent to {found.organisation.name}")
            return redirect("brokerage:request", request_id=found.pk)
    return render(
        request,
        "brokerage/requests/offer.jinja",
        {
            "req": found,
            "form": form,
            "earlier": earlier,
            "open_for_answers": service.taking_answers(found),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["POST"])
def close_request(request, request_id: int):
    actor = actor_for(request.user)
    found = service.owned_request(actor, request_id)
    try:
        service.close_request(actor=actor, request=found)
    except service.CapacityRequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The request is closed: providers can no longer answer it")
    return redirect("brokerage:request", request_id=found.pk)

"""Live whole-system view pages: the view itself, the readings upload and the area's trigger
levels. Thin: scope through homeward.live.queries, write through homeward.live.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from homeward.core import audit
from homeward.core.access import actor_for
from homeward.live import board as live_board
from homeward.live import queries, services
from homeward.live.feed import CSV_COLUMNS, OPTIONAL_COLUMNS, UnreadableFeed, parse_csv
from homeward.live.forms import TriggerForm, UploadForm
from homeward.live.models import TriggerLevel
from homeward.measures.live import TriggerError

REFRESH_SECONDS = 60
# Marks a refresh: the header on live-refresh.mjs's in-place refreshes, the query on the
# no-JavaScript reload. The view shows no one's personal data; opening it is audited, and a
# wall screen's refresh every minute is not (anyone could send these marks, so the rows are a
# record of use, not a control).
REFRESH_HEADER = "X-Homeward-Refresh"
REFRESH_QUERY = "refreshed"
SHOWN_ORGANISATIONS = 50


@login_required
def board(request):
    actor = actor_for(request.user)
    view = live_board.live_view(actor)
    if REFRESH_HEADER not in request.headers and REFRESH_QUERY not in request.GET:
        audit.record(actor, "live.view", object_type="live.area", object_id=str(view.area.pk))
    return render(
        request,
        "live/view.jinja",
        {
            "view": view,
            "refresh": REFRESH_SECONDS,
            "can_set_triggers": actor.role in queries.TRIGGER_ROLES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    actor = actor_for(request.user)
    organisations = queries.feed_organisations(actor)
    form = UploadForm(request.POST or None, request.FILES or None)
    result, problem = None, ""
    if request.method == "POST":
        if not form.is_valid():
            problem = "Choose a CSV file of readings to upload"
        else:
            upload_file = form.cleaned_data["file"]
            try:
                rows, problems = parse_csv(upload_file.read(), default_source="csv upload")
            except UnreadableFeed as exc:
                problem = f"The file could not be read: {exc}. Nothing was stored."
            else:
                result = services.record_readings(
                    actor=actor, rows=rows, problems=problems, via="upload"
                )
    return render(
        request,
        "live/upload.jinja",
        {
            "form": form,
            "result": result,
            "problem": problem,
            "columns": CSV_COLUMNS,
            "optional": OPTIONAL_COLUMNS,
            "indicators": queries.fed_indicators(),
            "organisations": organisations.order_by("kind", "name")[:SHOWN_ORGANISATIONS],
            "organisation_count": organisations.count(),
        },
        status=400 if problem or (result and not result.ok) else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def trigger_levels(request):
    actor = actor_for(request.user)
    area = queries.trigger_area(actor)
    form = TriggerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_trigger_levels(
                actor=actor,
                indicator=data["indicator"],
                amber=data["amber"],
                red=data["red"],
                reason=data["reason"].strip(),
            )
        except TriggerError as exc:
            form.add_error(None, str(exc).capitalize())
        else:
            messages.success(
                request,
                f"{data['indicator'].name}: amber from {data['amber']:g}, red from {data['red']:g}",
            )
            return redirect("live:triggers")
    history = TriggerLevel.objects.filter(area=area).select_related("indicator", "set_by")[:100]
    current = {}
    for level in history:
        current.setdefault(level.indicator_id, level)
    return render(
        request,
        "live/triggers.jinja",
        {"form": form, "area": area, "current": current, "history": history},
        status=400 if form.errors else 200,
    )

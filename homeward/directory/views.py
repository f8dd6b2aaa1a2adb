"""Directory pages: thin views over `queries` (reads) and `services` (writes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from homeward.core.access import actor_for, require_role
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.core.postcodes import InvalidPostcode, locate
from homeward.directory import capacity_upload, queries, services
from homeward.directory.cqc import LAYOUT_NAMES, UnreadableFile, parse_upload
from homeward.directory.forms import (
    AreaForm,
    CapacityForm,
    ComplianceForm,
    SearchForm,
    StaleAfterForm,
    UploadForm,
)
from homeward.directory.imports import import_parsed
from homeward.directory.models import CapacitySource, CareType, hold_back_reasons

PAGE_SIZE = 50


def _criteria(form: SearchForm) -> tuple[queries.Criteria, str]:
    """Turn a valid search form into criteria; the second value is a postcode problem."""
    data = form.cleaned_data
    near, radius = None, None
    if data.get("postcode") and data.get("radius"):
        try:
            position = locate(data["postcode"])
            near, radius = (position.lat, position.lon), float(data["radius"])
        except InvalidPostcode as exc:
            return queries.Criteria(), str(exc)
    return (
        queries.Criteria(
            council=data.get("council") or "",
            care_type=data.get("care_type") or "",
            specialism=data.get("specialism") or "",
            rating=data.get("rating") or "",
            available_now=bool(data.get("available_now")),
            name=data.get("name") or "",
            near=near,
            radius_km=radius,
        ),
        "",
    )


@login_required
def search(request):
    actor = actor_for(request.user)
    form = SearchForm(request.GET or None)
    result, problem, page = None, "", 1
    if form.is_bound and form.is_valid():
        criteria, problem = _criteria(form)
        if problem:
            form.add_error("postcode", problem)
        else:
            page = form.cleaned_data.get("page") or 1
            result = queries.search(actor, criteria, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    elif not form.is_bound:
        result = queries.search(actor, queries.Criteria(), limit=PAGE_SIZE)
    return render(
        request,
        "directory/search.jinja",
        {
            "form": form,
            "result": result,
            "page": page,
            "pages": ((result.total - 1) // PAGE_SIZE + 1) if result and result.total else 1,
            "is_fresh": queries.is_fresh,
            "is_available": queries.is_available,
            "query": request.GET.copy(),
        },
    )


@login_required
def location_detail(request, cqc_id: str):
    actor = actor_for(request.user)
    location = queries.location(actor, cqc_id)
    can_flag = queries.flaggable_locations(actor).filter(pk=location.pk).exists()
    return render(
        request,
        "directory/location.jinja",
        {
            "location": location,
            "reasons": hold_back_reasons(location),
            "flags": location.flags.select_related("set_by", "organisation")[:20],
            "can_flag": can_flag,
            "compliance_form": ComplianceForm(),
            "is_fresh": queries.is_fresh,
            "is_available": queries.is_available,
        },
    )


@login_required
@require_http_methods(["POST"])
def set_compliance(request, cqc_id: str):
    actor = actor_for(request.user)
    location = queries.flaggable_location(actor, cqc_id)
    form = ComplianceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a compliance state and give a reason")
        return redirect("directory:location", cqc_id=cqc_id)
    services.set_compliance(actor=actor, location=location, **form.cleaned_data)
    messages.success(request, f"{location.name}: {location.get_compliance_display()}")
    return redirect("directory:location", cqc_id=cqc_id)


@login_required
def capacity(request):
    actor = actor_for(request.user)
    require_role(actor, Role.PROVIDER_MANAGER, Role.ADMINISTRATOR)
    offers = (
        queries.editable_offers(actor)
        .select_related("location__council")
        .order_by("location__name", "care_type__sort_order", "area")[:200]
    )
    return render(
        request,
        "directory/capacity.jinja",
        {
            "offers": offers,
            "is_fresh": queries.is_fresh,
            "agencies": queries.home_care_locations(actor),
            "councils": Organisation.objects.filter(kind=OrganisationKind.COUNCIL),
        },
    )


@login_required
@require_http_methods(["POST"])
def add_area(request):
    actor = actor_for(request.user)
    form = AreaForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose your agency and an area")
        return redirect("directory:capacity")
    location = queries.home_care_locations(actor).filter(cqc_id=form.cleaned_data["location"])
    found = location.first()
    if found is None:
        raise Http404("No such agency")
    services.add_home_care_area(actor=actor, location=found, area=form.cleaned_data["area"])
    messages.success(request, f"{found.name} now offers home care in {form.cleaned_data['area']}")
    return redirect("directory:capacity")


@login_required
@require_http_methods(["GET", "POST"])
def care_types(request):
    actor = actor_for(request.user)
    if not actor.is_admin:
        raise Http404("Not found")
    error = ""
    if request.method == "POST":
        care_type = CareType.objects.filter(pk=request.POST.get("code", "")).first()
        form = StaleAfterForm(request.POST)
        if care_type is None or not form.is_valid():
            error = "Enter a number of hours between 1 and 336"
        else:
            services.set_stale_after(
                actor=actor, care_type=care_type, hours=form.cleaned_data["hours"]
            )
            messages.success(
                request,
                f"{care_type.name}: figures now go stale after {care_type.stale_after_hours} hours",
            )
            return redirect("directory:care_types")
    return render(
        request,
        "directory/care_types.jinja",
        {"care_types": CareType.objects.all(), "error": error},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_offer(request, offer_id: int):
    actor = actor_for(request.user)
    offer = queries.editable_offer(actor, offer_id)
    form = CapacityForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.report_capacity(
                actor=actor,
                offer=offer,
                beds_free=form.cleaned_data["beds_free"],
                hours_free=form.cleaned_data["hours_free"],
                closed_to_admissions=form.cleaned_data["closed_to_admissions"],
                source=CapacitySource.WEB,
            )
        except services.CapacityError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Saved: {offer.location.name}, {offer.care_type.name}")
            return redirect("directory:capacity")
    return render(
        request,
        "directory/offer_update.jinja",
        {"offer": offer, "form": form, "error": error, "is_fresh": queries.is_fresh},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["POST"])
def upload_capacity(request):
    actor = actor_for(request.user)
    require_role(actor, Role.PROVIDER_MANAGER, Role.ADMINISTRATOR)
    form = UploadForm(request.POST, request.FILES)
    result, problem = None, ""
    if not form.is_valid():
        problem = "Choose a CSV file to upload"
    else:
        try:
            result = capacity_upload.upload(actor=actor, data=form.cleaned_data["file"].read())
        except capacity_upload.UnreadableUpload as exc:
            problem = f"The file could not be read: {exc}. Nothing was changed."
    return render(
        request,
        "directory/upload_result.jinja",
        {"result": result, "problem": problem},
        status=400 if problem else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_directory(request):
    actor = actor_for(request.user)
    if not actor.is_admin:
        raise Http404("Not found")
    form = UploadForm(request.POST or None, request.FILES or None)
    report, problem = None, ""
    if request.method == "POST":
        if not form.is_valid():
            problem = "Choose a CQC directory file to import"
        else:
            upload = form.cleaned_data["file"]
            try:
                parsed = parse_upload(upload.name, upload.read())
            except UnreadableFile as exc:
                problem = f"The file could not be read: {exc}. Nothing was changed."
            else:
                report = import_parsed(actor=actor, parsed=parsed, filename=upload.name)
    return render(
        request,
        "directory/import.jinja",
        {"form": form, "report": report, "problem": problem, "layout_names": LAYOUT_NAMES},
        status=400 if problem else 200,
    )

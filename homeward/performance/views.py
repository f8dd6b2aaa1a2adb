"""Performance dashboard pages: every council's published delay measures against its peers
and trajectory, the same measures from Homeward's cases, downloads, and trajectory upload.

Who may use each page is `queries.READERS` and `queries.TRAJECTORY_SETTERS`."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from homeward.core.access import actor_for
from homeward.performance import charts, dashboard, queries, services, tables

MAX_UPLOAD = 2 * 1024 * 1024


class TrajectoryForm(forms.Form):
    file = forms.FileField(label="Trajectory file (CSV)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is over 2 MB; a trajectory is one row a month.")
        return upload


def _dashboard(request):
    """The dashboard for the request's filter, or (None, None, error) when it cannot be read."""
    span = dashboard.published_months()
    if span is None:
        return None, None, None
    try:
        f = dashboard.read_filter(request.GET, span)
    except dashboard.FilterError as exc:
        return None, span, str(exc)
    return dashboard.build(f), span, None


@login_required
def dashboard_page(request):
    actor = actor_for(request.user)
    queries.require_reader(actor)
    board, span, problem = _dashboard(request)
    context = {
        "board": board,
        "span": span,
        "problem": problem,
        "councils": sorted((name, code) for code, (name, _) in dashboard.names().items()),
        "params": request.GET,
        "can_upload": actor.role in queries.TRAJECTORY_SETTERS,
    }
    if board is not None:
        targets = {r.month: r.target for r in board.month_rows}
        rows = {r.month: r.per_100k_adults for r in board.month_rows}
        context["line"] = charts.line_chart(
            "trend",
            board.area_name,
            board.period,
            [rows.get(m) for m in board.period],
            [targets.get(m) for m in board.period],
        )
        row = board.area_row
        if board.peers:
            context["bars"] = charts.bar_chart(
                "peers", board.peers, board.filter.area, row.peer_median if row else None
            )
    cases_by = _cases_by(request)
    cases, cases_from, cases_to = dashboard.case_months(actor, cases_by)
    context.update(
        {
            "cases": cases,
            "cases_from": cases_from,
            "cases_to": cases_to,
            "cases_by": cases_by,
            "case_groups": CASE_GROUP_LABELS,
            "case_links": _case_links(request),
        }
    )
    return render(request, "performance/dashboard.jinja", context, status=400 if problem else 200)


CASE_GROUP_LABELS = {
    "council": "council of residence",
    "trust": "hospital trust",
    "icb": "integrated care board",
}


def _case_links(request) -> dict[str, str]:
    """The dashboard's query string with each grouping of the Homeward case figures."""
    links = {}
    for key in CASE_GROUP_LABELS:
        query = request.GET.copy()
        query["cases_by"] = key
        links[key] = f"?{query.urlencode()}#cases"
    return links


def _cases_by(request) -> str:
    """How the Homeward case figures are grouped (`?cases_by=`); councils unless valid."""
    chosen = request.GET.get("cases_by", "council")
    return chosen if chosen in queries.CASE_GROUPS else "council"


@login_required
def download(request, table: str, fmt: str):
    """One of the dashboard's tables for the same filter, as CSV or xlsx."""
    actor = actor_for(request.user)
    queries.require_reader(actor)
    if fmt not in ("csv", "xlsx") or (table not in tables.TABLES and table != "cases"):
        raise Http404("No such table")
    if table == "cases":
        title, columns = "Homeward cases", tables.CASE_COLUMNS
        cases_by = _cases_by(request)
        rows = tables.case_rows(dashboard.case_months(actor, cases_by)[0])
        name = f"homeward-case-delays-by-{cases_by}"
    else:
        board, _, problem = _dashboard(request)
        if problem:
            return HttpResponse(problem, content_type="text/plain", status=400)
        if board is None:
            raise Http404("No published figures imported")
        title, make = tables.TABLES[table]
        columns, rows = make(board)
        f = board.filter
        name = f"dtoc-{table}-{f.area}-{f.first:%Y-%m}-to-{f.last:%Y-%m}"
    if fmt == "csv":
        response = HttpResponse(tables.to_csv(columns, rows), content_type="text/csv")
    else:
        response = HttpResponse(tables.to_xlsx(title, columns, rows), content_type=tables.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def trajectory(request):
    """Upload a trajectory CSV: every bad line is listed and nothing is stored until the
    whole file is good."""
    actor = actor_for(request.user)
    queries.require_trajectory_setter(actor)
    form = TrajectoryForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.upload_trajectory(actor=actor, source=upload.name, data=upload.read())
    failed = bool(form.errors or (report and report.errors))
    return render(
        request,
        "performance/trajectory.jinja",
        {"form": form, "report": report, "latest": queries.latest_trajectory_upload()},
        status=400 if failed else 200,
    )

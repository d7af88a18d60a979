"""Dashboards: the organisation's (SME or platform), the ecosystem's (staff), and their CSV exports."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboards import selectors
from dashboards.charts import Series

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell that cannot be run as a formula: text starting like one gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(series: Series) -> HttpResponse:
    """The series as a CSV file: UTF-8 with a byte-order mark (so Excel reads
    Chinese), a header row, named after the chart and today's date."""
    filename = f"tandem-{series.slug}-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in series.csv_rows():
        writer.writerow([csv_safe(cell) for cell in row])
    return response


@login_required
def dashboard(request):
    if request.membership is None:
        return render(request, "dashboards/no_organization.html")
    board = selectors.dashboard_for_member(membership=request.membership)
    context = {"board": board, "export_view": "dashboards:dashboard_export"}
    return render(request, f"dashboards/{board.kind}.html", context)


@login_required
def dashboard_export(request, slug: str):
    series = selectors.dashboard_series_for_member(membership=request.membership, slug=slug)
    return csv_response(series)


@login_required
def ecosystem_dashboard(request):
    board = selectors.ecosystem_dashboard(user=request.user)
    context = {"board": board, "export_view": "dashboards:ecosystem_export"}
    return render(request, "dashboards/ecosystem.html", context)


@login_required
def ecosystem_export(request, slug: str):
    return csv_response(selectors.ecosystem_series(user=request.user, slug=slug))

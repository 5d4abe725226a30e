"""What the dashboard pages share: a CSV download and Chart.js data for one breakdown."""

from __future__ import annotations

import csv

from django.http import HttpResponse

from .. import dashboards as d


def csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    """A CSV download of a header and rows."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def chart_data(breakdown: d.Breakdown, *, benchmark: bool = False) -> dict:
    """Chart.js-ready data for one breakdown; long taxonomies chart their most frequent values."""
    rows = breakdown.rows
    if len(rows) > d.TOP_N_CHART:
        rows = sorted(rows, key=lambda r: r.n, reverse=True)[: d.TOP_N_CHART]
    note = ""
    if benchmark:
        datasets = [{"label": "Your practice (%)", "data": [r.percent for r in rows]}]
        if any(r.benchmark is not None for r in rows):
            datasets.append({"label": "All participants (%)", "data": [r.benchmark for r in rows]})
        else:
            # An empty series would still draw its legend: say once, in the chart, why it is missing.
            note = f"All participants: not shown (fewer than {d.MIN_PRACTICES} practices contributed)"
    else:
        datasets = [{"label": "Events", "data": [r.n for r in rows]}]
    return {"labels": [r.label for r in rows], "datasets": datasets, "horizontal": True,
            "unit": "%" if benchmark else "", "note": note}  # fmt: skip

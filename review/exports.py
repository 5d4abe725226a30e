"""CSV and XLSX of the filtered review queue: the practice's own rows, never an anonymous reporter's identity.

The narrative column holds the scrubbed copy unless the reviewer asks for full text (the export's `full=1`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from events.models import Event
from foundation.forms import clean_text
from practices.audit import audit_record
from practices.models import Agreement

from .display import value_label

HEADER = [
    "Reference", "Facility", "Event date", "Submitted", "Status", "Revision", "Classification", "Techniques",
    "Reporter role", "Reporter", "Title", "Primary problem type", "Harm", "Medical severity", "Dosimetric severity",
    "Contributing factors", "Narrative", "Last activity",
]
SCRUBBED_HEADER = "Narrative (identifiers masked)"
# A spreadsheet would run a cell starting with these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


def reporter_of(event: Event) -> str:
    """Who reported it, as the queue may show it: nothing at all for anonymous events."""
    if event.is_anonymous:
        return "Anonymous"
    if event.reporter_name:
        return event.reporter_name
    return str(event.submitted_by) if event.submitted_by_id else ""


def row_for(event: Event, *, full_text: bool = False) -> list:
    """The cell values of one event; the narrative scrubbed unless `full_text`."""
    review = getattr(event, "review", None)
    return [
        event.reference,
        event.facility.name,
        event.event_date,
        timezone.localtime(event.created_at).replace(tzinfo=None),
        event.get_status_display(),
        event.revision,
        event.get_classification_display(),
        "; ".join(t.get_technique_display() for t in event.techniques.all()),
        event.get_reporter_role_display(),
        reporter_of(event),
        review.title if review else "",
        review.get_problem_type_display() if review else "",
        review.get_harm_display() if review else "",
        review.medical_severity if review else None,
        review.dosimetric_severity if review else None,
        value_label("contributing_factors", review.contributing_factors) if review and review.contributing_factors
        else "",
        event.narrative if full_text else event.narrative_scrubbed,
        timezone.localtime(event.last_activity_at).replace(tzinfo=None),
    ]


def _safe(value):
    """A cell value a spreadsheet shows as text: no formula, and none of the control characters XLSX cannot hold.

    Input is cleaned on the way in (foundation.forms), but rows stored before that, or written by other paths,
    must still export.
    """
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def header(*, full_text: bool) -> list[str]:
    return HEADER if full_text else [SCRUBBED_HEADER if h == "Narrative" else h for h in HEADER]


def to_csv(data: Iterable[list], *, full_text: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(full_text=full_text))
    for row in data:
        writer.writerow(["" if v is None else _safe(str(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM so Excel reads UTF-8


def to_xlsx(data: Iterable[list], *, full_text: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Review queue")
    sheet.append([_cell(sheet, h, bold=Font(bold=True)) for h in header(full_text=full_text)])
    for row in data:
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet, value, *, bold):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = bold
    return cell


class Counted:
    """Wraps the row stream to count exported rows per agreement for the audit log."""

    def __init__(self, queryset, *, full_text: bool = False):
        self.queryset = queryset
        self.full_text = full_text
        self.per_agreement: Counter = Counter()

    def __iter__(self):
        for event in self.queryset.iterator(chunk_size=CHUNK):
            self.per_agreement[event.agreement_id] += 1
            yield row_for(event, full_text=self.full_text)


@transaction.atomic
def queue_export(*, queryset, by, fmt: str, query: str, full_text: bool = False) -> bytes:
    """The export file, with one audit row ("export") per agreement whose events it holds (saying if full text)."""
    counted = Counted(queryset, full_text=full_text)
    content = to_xlsx(counted, full_text=full_text) if fmt == "xlsx" else to_csv(counted, full_text=full_text)
    agreements = Agreement.objects.in_bulk(list(counted.per_agreement))
    for agreement_id, count in counted.per_agreement.items():
        audit_record(actor=by, action="export", obj=agreements[agreement_id], agreement=agreements[agreement_id],
                     changes={"format": [None, fmt], "rows": [None, count], "full_text": [None, full_text]},
                     note=f"Review queue export ?{query}"[:500])
    return content

"""review.display.choice_label must say exactly what the models' get_<field>_display say."""

import pytest

from events.models import Event, EventTechnique
from review import display
from review.models import ActionItem, Review

FIELDS = {
    "status": (Event, "status"), "classification": (Event, "classification"),
    "technique": (EventTechnique, "technique"), "workflow_step": (Event, "workflow_step_noticed"),
    "age_range": (Event, "age_range"), "patient_sex": (Event, "patient_sex"),
    "reporter_role": (Event, "reporter_role"), "harm": (Review, "harm"), "action_status": (ActionItem, "status"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(display.CHOICE_SOURCES))
def test_choice_label_every_value_matches_get_display(name):
    model, field = FIELDS[name]
    values = [value for value, _label in model._meta.get_field(field).choices]
    for value in [*values, "", "not-a-code"]:
        expected = getattr(model(**{field: value}), f"get_{field}_display")()
        assert display.choice_label(value, name) == expected


@pytest.mark.parametrize("per_location", [False, True])
def test_queue_rows_template_escapes_and_heads_each_location(per_location):
    """Each row is drawn in the table and in the phone list; per location a heading row starts each facility."""
    from django.template.loader import render_to_string

    base = {"url": "/review/1/", "reference": "RCC-2026-0001", "revision": None, "date": "2026-03-01",
            "facility_id": 1, "facility": "Main & <Annex>", "kinds": "Near miss · IMRT / VMAT",
            "summary": 'Plan "B" <script>alert(1)</script>', "harm": "—", "severity": None, "status": "New",
            "badge": "text-bg-primary", "activity": "2 days", "starts_location": per_location}
    rows = [base, {**base, "url": "/review/2/", "revision": 2, "severity": 0, "harm": "Mild", "starts_location": False},
            {**base, "facility_id": 2, "facility": "Satellite", "severity": 7, "starts_location": per_location}]
    html = render_to_string("review/queue_rows.html", {"rows": rows})
    headings = 2 if per_location else 0
    assert html.count('<th scope="rowgroup" colspan="7">') == headings
    assert html.count('<li class="list-group-item list-group-item-secondary fw-semibold">') == headings
    assert html.count('href="/review/2/"') == 2 and html.count(">RCC-2026-0001</a>") == 6
    assert '<span class="badge text-bg-light border">rev 2</span>' in html
    assert "Mild<br>Severity 0" in html and "—<br>Severity 7" in html and "—</td>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Main &amp; &lt;Annex&gt;" in html and "<Annex>" not in html

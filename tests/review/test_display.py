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


# The row loops of event_queue.html before display.queue_rows_html wrote them in Python (verbatim).
OLD_QUEUE_ROWS = """{% for row in rows %}
      {% if per_location %}{% ifchanged row.facility_id %}
      <tr class="table-secondary"><th scope="rowgroup" colspan="7">{{ row.facility }}</th></tr>
      {% endifchanged %}{% endif %}
      <tr>
        <td><a class="fw-semibold text-nowrap" href="{{ row.url }}">{{ row.reference }}</a>
          {% if row.revision %}<span class="badge text-bg-light border">rev {{ row.revision }}</span>{% endif %}</td>
        <td class="text-nowrap">{{ row.date }}</td>
        <td>{{ row.facility }}</td>
        <td><div class="small text-body-secondary">{{ row.kinds }}</div>
<div>{{ row.summary }}</div></td>
        <td class="d-none d-lg-table-cell small">
          {{ row.harm }}
          {% if row.severity is not None %}<br>Severity {{ row.severity }}{% endif %}
        </td>
        <td><span class="badge status-badge {{ row.badge }}">{{ row.status }}</span></td>
        <td class="d-none d-lg-table-cell small">{{ row.activity }} ago</td>
      </tr>
      {% endfor %}|{% for row in rows %}
  {% if per_location %}{% ifchanged row.facility_id %}
  <li class="list-group-item list-group-item-secondary fw-semibold">{{ row.facility }}</li>
  {% endifchanged %}{% endif %}
  <li class="list-group-item py-3">
    <div class="d-flex justify-content-between align-items-start gap-2">
      <a class="fw-semibold stretched-link" href="{{ row.url }}">{{ row.reference }}</a>
      <span class="badge status-badge {{ row.badge }}">{{ row.status }}</span>
    </div>
    <div class="small text-body-secondary">{{ row.date }} · {{ row.facility }}</div>
    <div class="small text-body-secondary">{{ row.kinds }}</div>
<div>{{ row.summary }}</div>
  </li>
  {% endfor %}"""


@pytest.mark.parametrize("per_location", [False, True])
def test_queue_rows_html_same_as_the_template_loops(per_location):
    import re

    from django.template import Context, Template

    def squeeze(html):
        return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()

    base = {"url": "/review/1/", "reference": "RCC-2026-0001", "revision": None, "date": "2026-03-01",
            "facility_id": 1, "facility": "Main & <Annex>", "kinds": "Near miss · IMRT / VMAT",
            "summary": 'Plan "B" <script>alert(1)</script>', "harm": "—", "severity": None, "status": "New",
            "badge": "text-bg-primary", "activity": "2 days"}
    rows = [base, {**base, "url": "/review/2/", "revision": 2, "severity": 0, "harm": "Mild"},
            {**base, "facility_id": 2, "facility": "Satellite", "severity": 7, "activity": "1 hour"}]
    expected = Template(OLD_QUEUE_ROWS).render(Context({"rows": rows, "per_location": per_location})).split("|")
    actual = display.queue_rows_html(rows, per_location=per_location)
    assert squeeze(actual["table"]) == squeeze(expected[0])
    assert squeeze(actual["items"]) == squeeze(expected[1])
    assert "<script>" not in actual["table"] + actual["items"]

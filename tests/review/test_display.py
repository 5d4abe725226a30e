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

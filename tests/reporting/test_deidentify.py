"""The allowlist gate: only coded, typed fields and scrubbed text leave the practice."""

import pytest
from django.db import models

from foundation.taxonomy import events as event_choices
from foundation.taxonomy import review as review_choices
from reporting.deidentify import ALLOWED_FIELDS, CODE_FIELDS, LIST_FIELDS, RecordError, deidentify
from reporting.models import StoreRecord

from .outbox_records import raw_record


class _Agreement:
    practice_id = 3
    pso_id = 1


def _raw(**fields) -> dict:
    return raw_record(agreement=_Agreement(), **fields)


def test_deidentify_review_shaped_record_keeps_every_allowed_field():
    raw = _raw()
    assert set(raw) == ALLOWED_FIELDS
    assert set(deidentify(raw)) == ALLOWED_FIELDS


def test_deidentify_allowed_fields_are_exactly_store_columns():
    store_fields = {f.name for f in StoreRecord._meta.concrete_fields} - {"id", "received_at"}
    assert store_fields == ALLOWED_FIELDS


@pytest.mark.parametrize("extra", ["patient_name", "mrn", "event_date", "reporter_name", "submitted_by", "id"])
def test_deidentify_unknown_field_raises_record_error(extra):
    with pytest.raises(RecordError, match="not allowed to leave"):
        deidentify({**_raw(), extra: "x"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("classification", "Near miss for John Smith"),
        ("reporter_role", "12345678"),  # an MRN in a code field
        ("sex", "555-0100"),
        ("harm", "a" * 21),  # wider than the store column
        ("workflow_origin", "Treatment planning"),
        ("techniques", "imrt_vmat"),  # a bare string, not a list
        ("contributing_factors", ["pm.human_resources", "Dr. Patel forgot"]),
        ("barriers_caught", [{"code": "x"}]),
    ],
)
def test_deidentify_non_coded_value_raises_record_error(field, value):
    with pytest.raises(RecordError, match=field):
        deidentify(_raw(**{field: value}))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_key", "42"),
        ("practice_key", "Riverside Cancer Center"),
        ("quarter", "2026-07-14"),
        ("revision", 0),
        ("revision", True),
        ("pso_id", None),
        ("medical_severity", 11),
        ("dosimetric_severity", "severe"),
        ("dose_deviation_percent", "lots"),
        ("dose_deviation_percent", float("nan")),
        ("equipment_related", "yes"),
        ("narrative", {"text": "nested"}),
        ("lessons_learned", ["a list"]),
    ],
)
def test_deidentify_mistyped_value_raises_record_error(field, value):
    with pytest.raises(RecordError, match=field):
        deidentify(_raw(**{field: value}))


def test_deidentify_not_a_dict_raises_record_error():
    with pytest.raises(RecordError):
        deidentify([("narrative", "x")])


def test_deidentify_every_taxonomy_code_is_accepted():
    """No real choice is refused as "not coded" (the code rule is strict, not wrong)."""
    codes = set()
    for module in (event_choices, review_choices):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, models.TextChoices) and value is not models.TextChoices:
                codes |= set(value.values)
    trees = (review_choices.CONTRIBUTING_FACTORS, review_choices.SAFETY_BARRIERS, review_choices.CORRECTIVE_ACTIONS)
    for tree in trees:
        codes |= {node.code for node in tree}
    assert len(codes) > 100
    record = deidentify(_raw(**{name: sorted(codes) for name in LIST_FIELDS}))
    assert record["contributing_factors"] == sorted(codes)
    for code in codes:
        deidentify(_raw(classification=code, reporter_role=code))


def test_deidentify_code_widths_fit_store_columns():
    for name in CODE_FIELDS:
        column = StoreRecord._meta.get_field(name).max_length
        deidentify(_raw(**{name: "a" * column}))
        with pytest.raises(RecordError):
            deidentify(_raw(**{name: "a" * (column + 1)}))


def test_deidentify_short_texts_scrubbed_then_cut_to_column_width():
    record = deidentify(_raw(software_version="v" * 80, equipment_model="Model X serial SN 99812345 " + "x" * 200))
    assert len(record["software_version"]) == StoreRecord._meta.get_field("software_version").max_length
    assert len(record["equipment_model"]) == 100
    assert "99812345" not in record["equipment_model"]


def test_deidentify_free_text_is_scrubbed():
    record = deidentify(_raw(narrative="Pt MRN 12345678 called 860-555-0142.", lessons_learned="Mail jane@x.org"))
    assert "12345678" not in record["narrative"] and "555-0142" not in record["narrative"]
    assert "jane@x.org" not in record["lessons_learned"]


def test_deidentify_normalises_types():
    record = deidentify(_raw(revision="2", medical_severity="3", dose_deviation_percent="12.345",
                             techniques=("srs_sbrt", "imrt_vmat", "srs_sbrt"), equipment_related=None))
    assert (record["revision"], record["medical_severity"], record["dose_deviation_percent"]) == (2, 3, 12.35)
    assert record["techniques"] == ["imrt_vmat", "srs_sbrt"]
    assert record["equipment_related"] is False

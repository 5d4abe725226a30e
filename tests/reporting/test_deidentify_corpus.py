"""End to end over the scrubber corpus: records carrying planted identifiers are enqueued and delivered,
then every stored text of the PSO store (and of the outbox) is searched for each planted identifier."""

import json
import re

import pytest
from django.db import models

from foundation.scrubber import find_identifiers
from reporting.deidentify import KEY_FIELDS, SHORT_TEXT_FIELDS
from reporting.models import StoreRecord, Submission
from reporting.services import submission_enqueue
from tests.scrubber.corpus import CLEAN, PLANTED
from tests.scrubber.generator import build

from .outbox_records import raw_record

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

TEXT_TYPES = (models.CharField, models.TextField, models.JSONField)


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def test_deidentify_corpus_delivered_no_planted_identifier_reaches_store(world, django_capture_on_commit_callbacks):
    agreement = world["agreements"]["riverside"]
    planted: dict[str, list[tuple[str, str]]] = {}  # event key -> what its record planted
    inputs: list[str] = []  # every raw text sent, to tell a planted identifier from a coincidence
    with django_capture_on_commit_callbacks(execute=True):  # deliver (eagerly) as each enqueue commits
        for n, (narrative, identifiers) in enumerate(PLANTED):
            raw = raw_record(agreement=agreement, n=n, narrative=narrative, lessons_learned=f"Lesson: {narrative}",
                             **dict.fromkeys(SHORT_TEXT_FIELDS, narrative))
            planted[submission_enqueue(record=raw, agreement_id=agreement.pk).event_key] = identifiers
            inputs.append(narrative)
        for n, narrative in enumerate(CLEAN, start=len(PLANTED)):
            raw = raw_record(agreement=agreement, n=n, narrative=narrative)
            submission_enqueue(record=raw, agreement_id=agreement.pk)
            inputs.append(narrative)
    assert sum(map(len, planted.values())) >= len(PLANTED) > 0
    assert StoreRecord.objects.count() == len(PLANTED) + len(CLEAN)
    assert not Submission.objects.filter(pushed_at__isnull=True).exists()

    text_fields = [f.name for f in StoreRecord._meta.concrete_fields if isinstance(f, TEXT_TYPES)]
    assert {"narrative", "lessons_learned", *SHORT_TEXT_FIELDS} <= set(text_fields)
    rows = {}
    for row in StoreRecord.objects.values(*text_fields):
        assert all(re.fullmatch(r"[0-9a-f]{32}", row[name]) for name in KEY_FIELDS)  # keyed hashes, not text
        rows[row["event_key"]] = {name: _as_text(value) for name, value in row.items() if name not in KEY_FIELDS}
    # Each record's own identifiers, in every text field of its row.
    leaks = [(kind, text, name) for key, identifiers in planted.items() for kind, text in identifiers
             for name, value in rows[key].items() if text in value]  # fmt: skip
    # Identifiers written into no other input must not turn up in any row at all (no cross-record mix-up).
    unique = {text for identifiers in planted.values() for _kind, text in identifiers
              if sum(text in source for source in inputs) == 1}  # fmt: skip
    leaks += [("anywhere", text, name) for row in rows.values() for name, value in row.items()
              for text in unique if text in value]  # fmt: skip
    assert leaks == [], f"{len(leaks)} planted identifier(s) reached the PSO store, e.g. {leaks[:5]}"

    # The outbox row (practice side) holds the same de-identified record, never the raw one.
    outbox = [_as_text(value) for record in Submission.objects.values_list("record", flat=True)
              for name, value in record.items() if name not in KEY_FIELDS]  # fmt: skip
    assert [text for text in unique if any(text in value for value in outbox)] == []


def test_deidentify_generated_corpus_store_holds_no_identifier_pattern(world, django_capture_on_commit_callbacks):
    """After a push, no stored text field of the PSO store matches any identifier pattern of the scrubber."""
    agreement = world["agreements"]["riverside"]
    planted, clean = build("tuning")
    texts = [text for text, _plants in planted[:150]] + clean[:30]
    with django_capture_on_commit_callbacks(execute=True):
        for n, text in enumerate(texts):
            raw = raw_record(agreement=agreement, n=n, narrative=text, lessons_learned=f"Lesson: {text}",
                             **dict.fromkeys(SHORT_TEXT_FIELDS, text))
            submission_enqueue(record=raw, agreement_id=agreement.pk)
    assert StoreRecord.objects.count() == len(texts)
    text_fields = [f.name for f in StoreRecord._meta.concrete_fields
                   if isinstance(f, models.CharField | models.TextField) and f.name not in KEY_FIELDS]
    found = [(name, f.kind, f.text) for row in StoreRecord.objects.values(*text_fields) for name in text_fields
             for f in find_identifiers(row[name] or "")]  # fmt: skip
    assert found == []

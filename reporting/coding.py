"""The analyst's coding of the PSO store: tags and notes on records, and saved searches (writes and reads).

Records, tags and notes live in the PSO store database; the audit trail and saved searches on the practice side.
Each write checks that its caller analyses the record's PSO (the caller passes objects already scoped).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from practices.audit import audit_record
from practices.models import PSO
from practices.scoping import user_access

from .models import RecordNote, RecordTag, SavedSearch, StoreRecord

PSO_DB = "pso"
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")


def normalise_tag(label: str) -> str:
    """A tag as stored: lower case, single spaces; a ValidationError when it has other characters."""
    label = " ".join((label or "").lower().split())
    if not TAG_RE.match(label):
        raise ValidationError("A tag is 1 to 40 letters, digits, spaces, hyphens or underscores.")
    return label


def _require_analyst(by, pso_id: int) -> None:
    if pso_id not in user_access(by).pso_analyst:
        raise PermissionDenied("Not an analyst of this PSO.")


def record_tag_add(*, by, record: StoreRecord, label: str) -> RecordTag:
    """Tag a record (adding a tag it has is a no-op that returns the existing tag)."""
    _require_analyst(by, record.pso_id)
    label = normalise_tag(label)
    existing = RecordTag.objects.filter(record=record, label=label).first()
    if existing:
        return existing
    try:
        with transaction.atomic(using=PSO_DB):
            tag = RecordTag.objects.create(pso_id=record.pso_id, record=record, label=label, created_by_id=by.pk)
    except IntegrityError:  # tagged by another analyst at the same moment
        return RecordTag.objects.get(record=record, label=label)
    audit_record(
        actor=by, action="record_tagged", obj=record, pso=PSO(pk=record.pso_id), changes={"tag": [None, label]}
    )
    return tag


def record_tag_remove(*, by, tag: RecordTag) -> None:
    """Take a tag off its record."""
    _require_analyst(by, tag.pso_id)
    record = tag.record
    tag.delete()
    audit_record(actor=by, action="record_untagged", obj=record, pso=PSO(pk=tag.pso_id),
                 changes={"tag": [tag.label, None]})  # fmt: skip


def record_note_add(*, by, record: StoreRecord, body: str) -> RecordNote:
    """Add an analyst's note to a record."""
    _require_analyst(by, record.pso_id)
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write the note first.")
    note = RecordNote.objects.create(pso_id=record.pso_id, record=record, body=body[:4000], author_id=by.pk,
                                     author_name=by.get_username())  # fmt: skip
    audit_record(actor=by, action="record_note_added", obj=record, pso=PSO(pk=record.pso_id))
    return note


def record_tag_filter(records: QuerySet[StoreRecord], *, pso_id: int, label: str) -> QuerySet[StoreRecord]:
    """The records of `records` that carry the tag (a subquery in the store database)."""
    if not label:
        return records
    return records.filter(pk__in=RecordTag.objects.filter(pso_id=pso_id, label=label).values("record_id"))


def saved_searches(*, user, pso_id: int) -> QuerySet[SavedSearch]:
    """The PSO's saved searches, by name."""
    return SavedSearch.objects.for_user(user, action="analyse").filter(pso_id=pso_id).order_by("name", "pk")


@transaction.atomic
def saved_search_create(*, by, pso: PSO, name: str, query: str) -> SavedSearch:
    """Save a record search (its query string, without page or format) under a name for the PSO's analysts."""
    _require_analyst(by, pso.pk)
    search = SavedSearch.objects.create(pso=pso, name=name.strip()[:80], query=query[:1000], created_by=by)
    audit_record(actor=by, action="saved_search_created", obj=search, pso=pso, changes={"name": [None, search.name]})
    return search


@transaction.atomic
def saved_search_delete(*, by, search: SavedSearch) -> None:
    """Delete a saved search."""
    _require_analyst(by, search.pso_id)
    audit_record(actor=by, action="saved_search_deleted", obj=search, pso=search.pso,
                 changes={"name": [search.name, None]})  # fmt: skip
    search.delete()

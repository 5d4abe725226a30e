"""Review reads: similar events, the audit trail of anonymous events, search indexes, owners."""

import pytest
from django.db import connection

from review.selectors import audit_trail, owner_candidates, similar_events
from review.services import AUDIT_ACTIONS, event_transition
from tests.factories.review import make_event

pytestmark = pytest.mark.django_db


def test_similar_events_ranks_shared_words_first_and_stays_in_agreement(riverside, lakeside, physicist):
    bolus = make_event(agreement=riverside, narrative="Bolus omitted for two fractions; setup note lacked bolus.")
    make_event(agreement=riverside, narrative="Patient fell from the couch step; no injury.")
    make_event(agreement=lakeside, narrative="Bolus omitted again for two fractions, setup note lacked bolus.")
    current = make_event(agreement=riverside, narrative="Weekly check found bolus omitted for three fractions.")
    found = similar_events(current, user=physicist)
    assert found[0] == bolus
    assert all(e.agreement_id == riverside.pk for e in found)
    assert current not in found


def test_similar_events_only_earlier_events(riverside, physicist):
    current = make_event(agreement=riverside, narrative="Collimator rotation wrong on field two.")
    make_event(agreement=riverside, narrative="Collimator rotation wrong on field three.")
    assert similar_events(current, user=physicist) == []


def test_similar_events_follow_status_and_scope_on_the_next_call(riverside, physicist, users):
    earlier = make_event(agreement=riverside, narrative="Bolus omitted for two fractions; bolus note missing.")
    current = make_event(agreement=riverside, narrative="Bolus omitted on the boost fractions.")
    assert similar_events(current, user=physicist) == [earlier]
    event_transition(event=earlier, by=physicist, to="in_review")
    again = similar_events(current, user=physicist)
    assert again == [earlier] and again[0].status == "in_review"
    assert similar_events(current, user=users["physicist.lakeside"]) == []


def test_search_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'review_%%_fts' "
                       "OR indexname LIKE 'events_%%_tsv' OR indexname LIKE 'review_%%_tsv'")
        indexes = dict(cursor.fetchall())
    # Narratives: a GIN index on the stored column (events migration 0005).
    assert set(indexes) == {"events_event_narrative_tsv", "review_review_text_fts"}
    assert indexes["events_event_narrative_tsv"].endswith("USING gin (narrative_tsv)")


def test_stored_narrative_vector_is_the_computed_one_and_follows_edits(riverside, physicist):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
    from django.test.utils import CaptureQueriesContext

    from events.models import Event
    from events.search import FTS_CONFIG, StoredNarrativeVector
    from review.selectors import queue_search

    earlier = make_event(agreement=riverside, narrative="Couch shift entered with the wrong sign.")
    current = make_event(agreement=riverside, narrative="Gantry collision interlock tripped; gantry stopped mid-arc.")
    assert earlier not in similar_events(current, user=physicist)

    # Django never writes the generated column: PostgreSQL recomputes it when the narrative changes.
    earlier.narrative = "Gantry interlock tripped at the start of the arc."
    earlier.save(update_fields=["narrative"])
    with CaptureQueriesContext(connection) as queries:
        assert similar_events(current, user=physicist) == [earlier]
    sql = queries[0]["sql"]
    assert '"narrative_tsv"' in sql and "to_tsvector" not in sql  # read, not re-parsed, in the subquery too
    assert 'U0."narrative_tsv"' in sql

    # Same vector, same matches, same ranks as computing it per row.
    query = SearchQuery("gantry | arc | sign", config=FTS_CONFIG, search_type="raw")
    rows = Event.objects.filter(pk__in=[earlier.pk, current.pk]).annotate(
        stored=StoredNarrativeVector(), computed=SearchVector("narrative", config=FTS_CONFIG),
        stored_rank=SearchRank(StoredNarrativeVector(), query),
        computed_rank=SearchRank(SearchVector("narrative", config=FTS_CONFIG), query),
    ).values_list("stored", "computed", "stored_rank", "computed_rank")
    for stored, computed, stored_rank, computed_rank in rows:
        assert stored == computed and stored_rank == computed_rank > 0

    found = queue_search(Event.objects.for_user(physicist, action="review"), "interlock tripped")
    assert set(found) == {earlier, current}
    # The queue's search matches the stored vector of the rows in scope, not in a subquery over every tenant's events.
    sql = str(found.query)
    assert '"events_event"."narrative_tsv" @@' in sql and 'U0."narrative_tsv"' not in sql


def test_audit_trail_anonymous_event_hides_who_submitted(riverside, users, physicist):
    event = make_event(agreement=riverside, user=users["general.riverside"])
    event_transition(event=event, by=physicist, to="in_review")
    entries = audit_trail(event, own_actions=AUDIT_ACTIONS)
    submitted = next(e for e in entries if e.action == "event_submitted")
    assert submitted.actor is None and submitted.actor_hidden
    assert next(e for e in entries if e.action == "event_transition").actor == physicist


def test_owner_candidates_exclude_shared_logins_and_other_agreements(riverside, users):
    names = {u.username for u in owner_candidates(riverside.pk, user=users["physicist.riverside"])}
    assert "general.riverside" not in names and "physicist.lakeside" not in names
    assert {"physicist.riverside", "director.riverside"} <= names
    assert not owner_candidates(riverside.pk, user=users["physicist.lakeside"]).exists()


def test_queue_search_and_similar_events_embedded_fallback(riverside, physicist, monkeypatch):
    from events.models import Event
    from review import selectors

    monkeypatch.setattr(selectors, "is_postgres", lambda: False)
    earlier = make_event(agreement=riverside, narrative="Bolus omitted for two fractions.")
    make_event(agreement=riverside, narrative="Couch shift entered with the wrong sign.")
    current = make_event(agreement=riverside, narrative="Bolus omitted again on the boost.")
    found = selectors.queue_search(Event.objects.for_user(physicist, action="review"), "BOLUS")
    assert set(found) == {earlier, current}
    assert similar_events(current, user=physicist) == [earlier]

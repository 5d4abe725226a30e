"""A stored tsvector of each event's narrative for full-text search (PostgreSQL only; SQLite has no such column).

Searching through the expression index of 0002 still re-parsed every narrative PostgreSQL rechecked or ranked:
similar events ORs two dozen words, matches nearly every event of the agreement, and spent its time in
to_tsvector(). The generated column is parsed once per write (PostgreSQL keeps it current; Django never writes
it and the Event model has no field for it), and review.selectors.StoredNarrativeVector reads it.

Its expression is the one SearchVector("narrative", config="english") compiles to, so ranks are unchanged.
While the column exists, PostgreSQL refuses to change the type of events_event.narrative: drop the column
first in such a migration.
"""

from importlib import import_module

from django.db import migrations

search_indexes = import_module("review.migrations.0002_search_indexes")
PostgresOnlySQL = search_indexes.PostgresOnlySQL

ADD_COLUMN = (
    "ALTER TABLE events_event ADD COLUMN narrative_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(narrative, ''))) STORED"
)
COLUMN_INDEX = "CREATE INDEX review_event_narrative_tsv ON events_event USING gin (narrative_tsv)"


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_search_indexes"),
        ("events", "0002_event_notified_at_draft_referencecounter"),
    ]

    operations = [
        PostgresOnlySQL(ADD_COLUMN, "ALTER TABLE events_event DROP COLUMN IF EXISTS narrative_tsv"),
        PostgresOnlySQL(COLUMN_INDEX, "DROP INDEX IF EXISTS review_event_narrative_tsv"),
        # The expression index has no reader left; backwards, it comes back exactly as 0002 built it.
        PostgresOnlySQL("DROP INDEX IF EXISTS review_event_narrative_fts", search_indexes.EVENT_INDEX),
    ]

"""A stored tsvector of each event's narrative for full-text search (PostgreSQL only; SQLite has no such column).

The generated column is parsed once per write (PostgreSQL keeps it current; Django never writes it and the Event
model has no field for it); events.search.StoredNarrativeVector reads it. Its expression is the one
SearchVector("narrative", config="english") compiles to, so ranks are the same as a computed vector's.
While the column exists, PostgreSQL refuses to change the type of events_event.narrative: drop the column first
in such a migration.

The column used to be added by a migration of the review app; databases created then already have it (under an
index named review_event_narrative_tsv, renamed here), so every step is idempotent.
"""

from django.db import migrations

from foundation.dbops import PostgresOnlySQL

ADD_COLUMN = (
    "ALTER TABLE events_event ADD COLUMN IF NOT EXISTS narrative_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(narrative, ''))) STORED"
)
RENAME_OLD_INDEX = "ALTER INDEX IF EXISTS review_event_narrative_tsv RENAME TO events_event_narrative_tsv"
COLUMN_INDEX = "CREATE INDEX IF NOT EXISTS events_event_narrative_tsv ON events_event USING gin (narrative_tsv)"
# An expression index of the first search release, superseded by the column; gone wherever it still exists.
OLD_EXPRESSION_INDEX = "DROP INDEX IF EXISTS review_event_narrative_fts"


class Migration(migrations.Migration):
    dependencies = [("events", "0004_event_not_yet_notified_index")]

    operations = [
        PostgresOnlySQL(ADD_COLUMN, "ALTER TABLE events_event DROP COLUMN IF EXISTS narrative_tsv"),
        PostgresOnlySQL(RENAME_OLD_INDEX, migrations.RunSQL.noop),
        PostgresOnlySQL(COLUMN_INDEX, "DROP INDEX IF EXISTS events_event_narrative_tsv"),
        PostgresOnlySQL(OLD_EXPRESSION_INDEX, migrations.RunSQL.noop),
    ]

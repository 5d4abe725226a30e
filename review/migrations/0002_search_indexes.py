"""PostgreSQL full-text search indexes for the review queue and similar events (skipped on SQLite).

The expressions must stay identical to review.selectors.event_vector() / review_vector(), or the planner
cannot use them.
"""

from django.db import migrations

EVENT_INDEX = (
    "CREATE INDEX IF NOT EXISTS review_event_narrative_fts ON events_event "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(narrative, '')))"
)
REVIEW_INDEX = (
    "CREATE INDEX IF NOT EXISTS review_review_text_fts ON review_review USING gin (to_tsvector('english'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(reviewer_notes, '') || ' ' || COALESCE(lessons_learned, '')))"
)


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases (the embedded SQLite default searches with LIKE)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [
        PostgresOnlySQL(EVENT_INDEX, "DROP INDEX IF EXISTS review_event_narrative_fts"),
        PostgresOnlySQL(REVIEW_INDEX, "DROP INDEX IF EXISTS review_review_text_fts"),
    ]

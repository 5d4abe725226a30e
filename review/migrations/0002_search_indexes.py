"""PostgreSQL full-text search index over the review's own text (skipped on SQLite).

The expression must stay identical to review.selectors.review_vector(), or the planner cannot use it. (The
narrative's search column belongs to the events app: events migration 0005.)
"""

from django.db import migrations

from foundation.dbops import PostgresOnlySQL

REVIEW_INDEX = (
    "CREATE INDEX IF NOT EXISTS review_review_text_fts ON review_review USING gin (to_tsvector('english'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(reviewer_notes, '') || ' ' || COALESCE(lessons_learned, '')))"
)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [
        PostgresOnlySQL(REVIEW_INDEX, "DROP INDEX IF EXISTS review_review_text_fts"),
    ]

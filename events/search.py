"""Full-text search over event narratives: the stored tsvector column that events migration 0005 adds."""

from __future__ import annotations

from django.db import connection
from django.db.models import Expression

from .models import Event

FTS_CONFIG = "english"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class StoredNarrativeVector(Expression):
    """events_event.narrative_tsv: the narrative's tsvector, stored by PostgreSQL on each write (events migration 0005).

    The column is to_tsvector('english', COALESCE(narrative, '')), what SearchVector("narrative", config="english")
    computes, so matches and ranks are the same; it is read, not re-parsed, wherever a search rechecks or ranks.
    It is not a model field (SQLite has no such column): this compiles to it on the Event table of the query it is
    resolved in, following that table's alias into subqueries (U0...). PostgreSQL only; use it as
    `.alias(v=StoredNarrativeVector()).filter(v=SearchQuery(...))` or `SearchRank(StoredNarrativeVector(), ...)`.
    """

    column = "narrative_tsv"
    contains_column_references = True
    possibly_multivalued = False

    def __init__(self, alias: str | None = None):
        super().__init__()
        self.alias = alias

    def __repr__(self):
        return f"{self.__class__.__name__}({self.alias!r})"

    def _resolve_output_field(self):
        from django.contrib.postgres.search import SearchVectorField

        return SearchVectorField()

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        if query is None or query.get_meta().db_table != Event._meta.db_table:
            raise ValueError("StoredNarrativeVector reads events_event.narrative_tsv: use it on Event querysets.")
        return self.__class__(query.get_initial_alias())

    def relabeled_clone(self, change_map):
        return self.__class__(change_map.get(self.alias, self.alias))

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        if self.alias is None:
            raise ValueError("StoredNarrativeVector must be resolved against an Event query first.")
        return f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name(self.column)}", []

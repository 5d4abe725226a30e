"""Reads of the review app: the queue, its counts, the event page's trail and similar events, owners."""

from __future__ import annotations

import re
from collections import Counter

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from events.models import Event
from events.search import FTS_CONFIG, StoredNarrativeVector, is_postgres
from foundation.taxonomy.events import EventStatus
from practices.choices import Role
from practices.models import AuditEntry, Facility, Membership, User

from .models import ActionItem, Review

# PostgreSQL full-text search. Narratives are searched through their stored tsvector (events.search); review_vector()
# is exactly the expression the GIN index of review migration 0002 is built on: change one and the other together,
# or the planner stops using the index.
SEARCH_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{2,30}")
QUEUE_AUDIT_LIMIT = 200
SIMILAR_COLUMNS = ("reference", "event_date", "status", "narrative_scrubbed", "created_at", "facility__name")
SIMILAR_CANDIDATES = 200  # the most recent matching events of the agreement that similar_events ranks
# Audit change keys that could name a reporter; dropped from the trail of anonymous events.
IDENTITY_KEYS = frozenset({"submitted_by", "reporter_name", "reporter", "user", "username"})


def review_vector():
    from django.contrib.postgres.search import SearchVector

    return SearchVector("title", "reviewer_notes", "lessons_learned", config=FTS_CONFIG)


def queue_columns(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """What a queue row shows, fetched with the rows (one query, plus one for all techniques)."""
    return queryset.select_related("facility", "agreement", "review", "submitted_by").prefetch_related("techniques")


def queue_search(queryset: QuerySet[Event], text: str) -> QuerySet[Event]:
    """Full-text search over narratives and review notes (ranked on PostgreSQL, substring on SQLite)."""
    text = (text or "").strip()[:200]
    if not text:
        return queryset
    by_reference = Q(reference__iexact=text)
    if not is_postgres():
        return queryset.filter(
            by_reference | Q(narrative__icontains=text) | Q(review__title__icontains=text)
            | Q(review__reviewer_notes__icontains=text) | Q(review__lessons_learned__icontains=text)
        )
    from django.contrib.postgres.search import SearchQuery, SearchRank

    query = SearchQuery(text, config=FTS_CONFIG, search_type="websearch")
    # Narratives are matched on the rows the queue's scope already selects (one agreement's, by an index), from
    # the stored vector: a subquery over the whole table read every tenant's events, a million at PSO scale.
    # Review notes have no stored vector, so their own GIN index finds the few that match.
    in_review = Review.objects.annotate(v=review_vector()).filter(v=query).values("event_id")
    rank = SearchRank(StoredNarrativeVector(), query) + Coalesce(
        SearchRank(_review_vector_via_event(), query), 0.0
    )
    return (
        queryset.alias(narrative_vector=StoredNarrativeVector())
        .filter(by_reference | Q(narrative_vector=query) | Q(pk__in=in_review)).annotate(rank=rank)
    )


def _review_vector_via_event():
    from django.contrib.postgres.search import SearchVector

    return SearchVector("review__title", "review__reviewer_notes", "review__lessons_learned", config=FTS_CONFIG)


def status_counts(queryset: QuerySet[Event]) -> dict[str, int]:
    """How many events per status (every status, zero included) and their total, in one query.

    A GROUP BY status: one count to build and compile, where a filtered count per status took ten. COUNT(*), not
    COUNT(id): unfiltered, PostgreSQL answers from the (agreement, status, created) index alone, without reading
    the agreement's rows (0.4 ms instead of 1.9 ms at 2,400 events, and the gap grows with the agreement).
    """
    counts = dict.fromkeys(EventStatus.values, 0)
    counts.update(queryset.order_by().values("status").annotate(n=Count("*")).values_list("status", "n"))
    counts["total"] = sum(counts.values())
    return counts


def facility_breakdown(queryset: QuerySet[Event]) -> list[dict]:
    """Per-location counts (open, ready, reported, total) for the per-location view, in one query."""
    open_statuses = [EventStatus.NEW, EventStatus.IN_REVIEW, EventStatus.AWAITING_INFO]
    return list(
        queryset.order_by()
        .values("facility_id", "facility__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=open_statuses)),
            ready=Count("pk", filter=Q(status=EventStatus.READY_TO_REPORT)),
            reported=Count("pk", filter=Q(status__in=[EventStatus.REPORTED, EventStatus.RECEIVED])),
        )
        .order_by("facility__name")
    )


def queue_facilities(user) -> QuerySet[Facility]:
    """Facilities covered by the user's agreements for review (the queue's facility filter)."""
    return Facility.objects.for_user(user, action="review").order_by("name")


def queue_facility_choices(user) -> list[tuple[int, str]]:
    """queue_facilities as the (id, name) pairs the queue's facility filter shows."""
    return list(queue_facilities(user).values_list("pk", "name"))


def owner_candidates(agreement_id: int, *, user=None) -> QuerySet[User]:
    """Named, active users of an agreement who can own an action (a shared login is nobody in particular)."""
    members = Membership.objects.filter(agreement_id=agreement_id, is_active=True).exclude(role=Role.SHARED)
    if user is not None:
        members = members.filter(pk__in=Membership.objects.for_user(user, action="review").values("pk"))
    # Only what a choice shows (str(user)): not the password hash and a dozen other columns per member.
    return (
        User.objects.filter(pk__in=members.values("user_id"), is_active=True, is_shared_login=False)
        .only("username", "first_name", "last_name")
        .order_by("last_name", "first_name", "username")
    )


def event_page_queryset(queryset: QuerySet[Event], *, with_pso: bool = False) -> QuerySet[Event]:
    """What every view of the event page needs, fetched with a fixed number of queries.

    Only the rows the page always shows are joined: every joined table multiplies PostgreSQL's planning work
    (eight tables took 2 ms to plan, four times the execution) and adds a few dozen columns to compile and
    read. The PSO is joined only where the page names it (the report preview). What only some views show is
    read when shown, one small query each: the reporter's login when the report carries no name, whoever
    last saved the review, and the reference of the event a duplicate duplicates
    (see duplicate_reference). Joining those cost every view 0.85 ms of query compiling.
    """
    related = ["facility", "review", *(["agreement__pso"] if with_pso else [])]
    return queryset.select_related(*related).prefetch_related(
        "techniques",
        Prefetch("action_items",
                 queryset=ActionItem.objects.select_related("owner", "completed_by").order_by("number")),
    )


def duplicate_reference(event: Event) -> str:
    """The reference of the event that `event` was marked a duplicate of (same agreement), or ""."""
    if not event.duplicate_of_id:
        return ""
    return Event.objects.filter(pk=event.duplicate_of_id).values_list("reference", flat=True).first() or ""


def audit_trail(event: Event, *, own_actions: tuple[str, ...]) -> list[AuditEntry]:
    """Every change to the event and its review, newest first; anonymous events never show their reporter."""
    entries = list(
        AuditEntry.objects.filter(object_type=Event._meta.label_lower, object_id=str(event.pk))
        .select_related("actor").order_by("-at", "-id")[:QUEUE_AUDIT_LIMIT]
    )
    if event.is_anonymous:
        for entry in entries:
            # Only reviewers' own actions keep their actor; whoever submitted an anonymous report stays unknown.
            if entry.action not in own_actions:
                entry.actor = None
                entry.actor_hidden = True
                entry.note = ""
                entry.changes = {k: v for k, v in (entry.changes or {}).items() if k not in IDENTITY_KEYS}
    return entries


def _similar_base(event: Event, *, user) -> QuerySet[Event]:
    return (
        Event.objects.for_user(user, action="review")
        .filter(agreement_id=event.agreement_id, created_at__lt=event.created_at)
        .exclude(pk=event.pk)
        .select_related("facility")
        .only("narrative", *SIMILAR_COLUMNS)
    )


def similar_events(event: Event, *, user, limit: int = 5) -> list[Event]:
    """Earlier events of the same agreement, in the user's review scope, whose narratives share the most words."""
    words = _key_words(event.narrative)
    if not words:
        return []
    if is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank

        # OR of the narrative's distinctive words: any overlap matches, more overlap ranks higher.
        query = SearchQuery(" | ".join(words), config=FTS_CONFIG, search_type="raw")
        # Candidates come from this agreement only (tenancy), and only the most recent ones are ranked: the stored
        # vectors make matching and ranking cheap, but the query matches nearly every event, and walking back from
        # the newest stops after SIMILAR_CANDIDATES rows instead of ranking the agreement's whole history.
        candidates = (
            Event.objects.filter(agreement_id=event.agreement_id, created_at__lt=event.created_at)
            .alias(v=StoredNarrativeVector()).filter(v=query)
            .order_by("-created_at").values("pk")[:SIMILAR_CANDIDATES]
        )
        # The candidates are the agreement's earlier events already: the outer query only scopes and ranks them.
        return list(
            Event.objects.for_user(user, action="review").filter(pk__in=candidates)
            .select_related("facility").only(*SIMILAR_COLUMNS)
            .annotate(rank=SearchRank(StoredNarrativeVector(), query))
            .order_by("-rank", "-created_at")[:limit]
        )
    # Embedded default: the same classification, then shared words among the most recent hundred.
    base = _similar_base(event, user=user)
    recent = list(base.filter(classification=event.classification).order_by("-created_at")[:100])
    wanted = set(words)
    scored = [(len(wanted & set(_key_words(e.narrative))), e) for e in recent]
    return [e for score, e in sorted(scored, key=lambda pair: -pair[0]) if score][:limit]


def _key_words(text: str, limit: int = 24) -> list[str]:
    """The narrative's most frequent longer words, lower-cased (safe to put in a tsquery)."""
    counts = Counter(w.lower().replace("-", "") for w in SEARCH_WORD.findall(text or "") if len(w) > 3)
    return [w for w, _n in counts.most_common(limit) if w.isalnum()]


def duplicate_candidates(event: Event, *, user) -> QuerySet[Event]:
    """Events this one may duplicate: the same agreement, in the user's review scope."""
    return (
        Event.objects.for_user(user, action="review")
        .filter(agreement_id=event.agreement_id)
        .exclude(pk=event.pk)
        .select_related("facility")
        .order_by("-created_at")
    )


def actions_owned(actions: QuerySet[ActionItem], *, user) -> QuerySet[ActionItem]:
    """Of the actions given (scoped for "own"), the user's own: open ones first, soonest due first."""
    return (
        actions.filter(owner=user)
        .select_related("event__facility")
        .only("number", "action_type", "description", "due_date", "status", "verification", "verified_at",
              "owner_id", "event__reference", "event__facility__name")
        .order_by(F("verified_at").desc(nulls_first=True), "due_date", "pk")
    )


def investigations_of(*, user, limit: int = 50) -> list[Event]:
    """Events the user is the live investigator of (through the "investigate" scope), newest assignment first."""
    return list(
        Event.objects.for_user(user, action="investigate")
        .filter(investigators__user=user, investigators__withdrawn_at__isnull=True)
        .select_related("facility")
        .only("reference", "status", "classification", "event_date", "facility__name")
        .order_by("-investigators__assigned_at", "-pk")[:limit]
    )


def action_updates(item: ActionItem) -> list:
    """An action's progress notes, oldest first, with their authors (one query)."""
    from .models import ActionUpdate

    return list(ActionUpdate.objects.filter(item=item).select_related("author").order_by("created_at", "id"))

"""Themes the PSO publishes to its practices: the writes (services) and reads (selectors) in one small module."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from practices.audit import audit_record
from practices.models import PSO
from practices.scoping import user_access

from .models import Theme

EDITABLE_FIELDS = ("title", "body", "tags", "categories")


def themes_for(user) -> QuerySet[Theme]:
    """Published themes of the user's PSOs, newest first (for practice users, their own PSO's only)."""
    now = timezone.now()
    return (
        Theme.objects.for_user(user, action="view")
        .filter(published_at__isnull=False, published_at__lte=now)
        .select_related("pso")
        .order_by("-published_at", "-pk")
    )


LATEST_SECONDS = 60  # a theme scheduled for later shows up within this long of its publication time
LATEST_GENERATION_KEY = "roils:themes:generation"


def latest_themes_for(user, count: int = 3) -> list[dict]:
    """The newest published themes the user may read, for the card on busy pages; cached briefly.

    The card sits on the submit form and the review queue, so it is read far more often than themes change:
    the result is cached per scope (the user's agreements and PSO roles), and any theme write voids it.
    """
    access = user_access(user)
    scope = ",".join(str(i) for i in sorted(access.roles)) + "|" + ",".join(
        str(i) for i in sorted(access.pso_staff | access.pso_analyst))
    key = f"roils:themes:latest:{hashlib.sha256(scope.encode()).hexdigest()[:32]}:{count}"
    found = cache.get_many([LATEST_GENERATION_KEY, key])  # one round trip: the entry and the generation it needs
    generation, entry = found.get(LATEST_GENERATION_KEY) or 0, found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    themes = list(themes_for(user).values("pk", "title", "published_at", "tags")[:count])
    cache.set(key, (generation, themes), LATEST_SECONDS)
    return themes


@receiver(post_save, sender=Theme, dispatch_uid="roils-themes-latest-save")
@receiver(post_delete, sender=Theme, dispatch_uid="roils-themes-latest-delete")
def _themes_changed(sender, **kwargs):
    def bump():
        cache.set(LATEST_GENERATION_KEY, time.time_ns(), None)

    bump()
    transaction.on_commit(bump, robust=True)


def theme_list(themes: QuerySet[Theme]) -> QuerySet[Theme]:
    """The (scoped) themes given, with PSO and author, newest first (undated drafts first)."""
    return themes.select_related("pso", "author").order_by("-published_at", "-created_at")


def theme_psos_for(user) -> QuerySet[PSO]:
    """The PSOs a user may publish themes for: those they work for as staff or analyst."""
    return PSO.objects.for_user(user, action="manage").order_by("name")


def _require_author(by, pso: PSO) -> None:
    access = user_access(by)
    if pso.pk not in access.pso_staff | access.pso_analyst:
        raise PermissionDenied("Only the PSO's staff and analysts publish its themes.")


def _clean_list(values) -> list[str]:
    return sorted({str(v).strip() for v in values or () if str(v).strip()})


@transaction.atomic
def theme_create(*, by, pso: PSO, data: dict, publish: bool) -> Theme:
    """Create a theme of the PSO (published now, or a draft), with an audit row."""
    _require_author(by, pso)
    theme = Theme.objects.create(
        pso=pso,
        author=by,
        title=data["title"].strip(),
        body=data["body"].strip(),
        tags=_clean_list(data.get("tags")),
        categories=_clean_list(data.get("categories")),
        published_at=timezone.now() if publish else None,
    )
    audit_record(actor=by, action="theme.create", obj=theme, pso=pso, changes={"published": [None, publish]})
    return theme


@transaction.atomic
def theme_update(*, by, theme: Theme, data: dict, publish: bool) -> Theme:
    """Edit a theme; publishing sets the date once, unpublishing turns it back into a draft."""
    _require_author(by, theme.pso)
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    new = {
        "title": data["title"].strip(),
        "body": data["body"].strip(),
        "tags": _clean_list(data.get("tags")),
        "categories": _clean_list(data.get("categories")),
    }
    changes = {name: [getattr(theme, name), value] for name, value in new.items() if getattr(theme, name) != value}
    for name, value in new.items():
        setattr(theme, name, value)
    was_published = theme.published_at is not None
    if publish and not was_published:
        theme.published_at = timezone.now()
    elif not publish and was_published:
        theme.published_at = None
    if publish != was_published:
        changes["published"] = [was_published, publish]
    theme.save()
    if "body" in changes:
        changes["body"] = ["…", "…"]  # long text: the audit notes that it changed, the theme holds it
    audit_record(actor=by, action="theme.update", obj=theme, pso=theme.pso, changes=changes)
    return theme

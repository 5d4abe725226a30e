"""Themes the PSO publishes to its practices: the writes (services) and reads (selectors) in one small module."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from practices.audit import audit_record
from practices.models import PSO
from practices.scoping import user_access

from .models import Theme

EDITABLE_FIELDS = ("title", "body", "tags", "categories")


def themes_for(user) -> QuerySet[Theme]:
    """Published themes of the user's PSOs, newest first (for practice users, their own PSO's only: their scope
    holds published themes alone; the PSO's staff and analysts also reach drafts, which this list leaves out)."""
    now = timezone.now()
    return (
        Theme.objects.for_user(user, action="view")
        .filter(published_at__isnull=False, published_at__lte=now)
        .select_related("pso")
        .order_by("-published_at", "-pk")
    )


def latest_themes_for(user, count: int = 3) -> list[dict]:
    """The newest published themes the user may read, for the card on busy pages (one scoped query)."""
    return list(themes_for(user).values("pk", "title", "published_at", "tags")[:count])


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

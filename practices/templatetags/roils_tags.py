"""Small presentation filters shared by every app's templates."""

import datetime

from django import template
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def humanize_code(value) -> str:
    """'agreement_transition' -> 'Agreement transition'."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def day(value) -> str:
    """A date (or the local date of a moment) in the one format of the product: "2 Dec 2026"."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, "DATE_FORMAT")


@register.filter
def when(value) -> str:
    """A moment, local time: "2 Dec 2026, 14:05"."""
    if not value:
        return ""
    return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")


@register.filter
def ago(value, now=None) -> str:
    """How long ago, in words people use: "just now", "5 minutes ago", "3 hours ago", else the date."""
    if not value:
        return ""
    seconds = ((now or timezone.now()) - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{pluralize(minutes)} ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{pluralize(hours)} ago"
    if seconds < 7 * 86400:
        days = int(seconds // 86400)
        return "yesterday" if days == 1 else f"{days} days ago"
    return day(value)


@register.filter
def person(user) -> str:
    """A login as people know it: the full name, else the username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()

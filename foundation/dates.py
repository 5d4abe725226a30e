"""One way to write dates and times everywhere ("2 Dec 2026", "2 Dec 2026, 14:05", "just now"): pages, e-mails, lists.

The formats themselves live in roils/formats/en/formats.py (Django's `date` filter reads them too).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format


def _local(value):
    return timezone.localtime(value) if isinstance(value, datetime.datetime) and timezone.is_aware(value) else value


def day(value) -> str:
    """A date (or the local date of a moment): "2 Dec 2026"."""
    return date_format(_local(value), "DATE_FORMAT") if value else ""


def when(value) -> str:
    """A moment, in local time: "2 Dec 2026, 14:05"."""
    return date_format(_local(value), "DATETIME_FORMAT") if value else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def ago(value, now: datetime.datetime | None = None) -> str:
    """How long ago, as people say it: "just now", "5 minutes ago", "3 hours ago", "yesterday", else the date."""
    if not value:
        return ""
    seconds = ((now or timezone.now()) - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return _plural(int(seconds // 60), "minute") + " ago"
    if seconds < 86400:
        return _plural(int(seconds // 3600), "hour") + " ago"
    days = int(seconds // 86400)
    if days < 7:
        return "yesterday" if days == 1 else f"{days} days ago"
    return day(value)

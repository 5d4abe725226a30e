"""The header navigation each role sees; a link whose page is not installed is left out."""

from django.urls import NoReverseMatch, reverse

from .scoping import user_access

# (label, url name, icon, capability of Access that shows it)
NAV_ITEMS = [
    ("Submit event", "events:event-create", "plus-circle", "can_submit"),
    ("My submissions", "events:event-mine", "card-list", "is_practice_user"),
    ("My work", "review:my-work", "list-check", "is_practice_user"),
    ("My review", "review:queue", "clipboard2-pulse", "is_full_access"),
    ("Learning", "analytics:local-dashboard", "graph-up-arrow", "is_full_access"),
    ("Dashboard", "reporting:practice-dashboard", "bar-chart", "is_full_access"),
    ("My agreements", "practices:agreement-mine", "people", "is_full_access"),
    ("Access log", "practices:accesslog-list", "shield-lock", "is_full_access"),
    ("Enrolment", "practices:enrolment-queue", "journal-check", "is_pso_staff"),
    ("Participation", "reporting:participation", "activity", "is_pso_staff"),
    ("Outbox", "reporting:outbox", "send", "is_pso_staff"),
    ("API tokens", "reporting:apitoken-list", "key", "is_pso_staff"),
    ("Aggregate", "reporting:pso-dashboard", "graph-up", "is_pso_analyst"),
    ("Records", "reporting:record-list", "search", "is_pso_analyst"),
    ("Signals", "reporting:signal-list", "broadcast", "is_pso_analyst"),
    ("Themes", "reporting:theme-list", "megaphone", "is_theme_reader"),
]


def navigation_for(user) -> list[dict]:
    """Links for the signed-in user's roles, in a stable order."""
    if not getattr(user, "is_authenticated", False):
        return []
    access = user_access(user)
    items = []
    for label, name, icon, capability in NAV_ITEMS:
        if capability == "is_theme_reader":  # the PSO's people write themes; its practices' people read them
            shown = access.is_pso_staff or access.is_pso_analyst or access.is_practice_user
        else:
            shown = getattr(access, capability)
        if not shown:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        # Full-access users' header is full: their own work goes in the user menu.
        menu = name == "review:my-work" and access.is_full_access
        items.append({"label": label, "url": url, "icon": icon, "name": name, "menu": menu})
    return items

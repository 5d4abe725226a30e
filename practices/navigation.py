"""The header navigation each role sees; a link whose page is not installed is left out."""

from django.urls import NoReverseMatch, reverse

from .scoping import user_access

# (label, url name, icon, capability of Access that shows it)
NAV_ITEMS = [
    ("Submit event", "events:event-create", "plus-circle", "can_submit"),
    ("My submissions", "events:event-mine", "card-list", "is_practice_user"),
    ("My review", "review:queue", "clipboard2-pulse", "is_full_access"),
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
    ("Themes", "reporting:theme-list", "megaphone", "is_pso_member"),
]


def navigation_for(user) -> list[dict]:
    """Links for the signed-in user's roles, in a stable order."""
    if not getattr(user, "is_authenticated", False):
        return []
    access = user_access(user)
    items = []
    for label, name, icon, capability in NAV_ITEMS:
        shown = (access.is_pso_staff or access.is_pso_analyst) if capability == "is_pso_member" else getattr(
            access, capability
        )
        if not shown:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "icon": icon, "name": name})
    return items

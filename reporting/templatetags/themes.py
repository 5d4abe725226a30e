"""`{% latest_themes user %}`: the newest themes of the user's PSO, as a card (no logic beyond the selector)."""

from django import template

from reporting.themes import latest_themes_for

register = template.Library()


@register.inclusion_tag("reporting/_themes_for_home.html")
def latest_themes(user, count: int = 3):
    """Render the latest published themes the user may read (their own PSO's only)."""
    themes = latest_themes_for(user, count) if getattr(user, "is_authenticated", False) else []
    return {"themes": themes}

"""Template context shared by every page: version and the signed-in user's navigation."""

from django.conf import settings

from practices.navigation import navigation_for


def site(request):
    """Version for the footer and the role-based navigation for the header."""
    return {
        "ROILS_VERSION": settings.ROILS_VERSION,
        "nav": navigation_for(request.user) if hasattr(request, "user") else [],
    }

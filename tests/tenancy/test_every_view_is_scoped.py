"""Every view goes through the one scoping path, or says in one attribute why it need not."""

from practices.scoping import RoleRequiredMixin

from .matrix import PUBLIC_URL_NAMES, discover_routes

DJANGO_AUTH_VIEWS = {"login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
                     "password_reset_complete", "password_change", "password_change_done"}


def test_every_view_is_scoped_or_exempt():
    unscoped = []
    for route in discover_routes():
        view = route.view_class
        if route.name in DJANGO_AUTH_VIEWS:
            continue
        if view is None:
            unscoped.append(f"{route.name}: function view (use a class with ScopedViewMixin)")
        elif not issubclass(view, RoleRequiredMixin) and not getattr(view, "scoping_exempt", None):
            unscoped.append(f"{route.name}: {view.__name__} lacks ScopedViewMixin/RoleRequiredMixin")
        elif getattr(view, "scoping_exempt", None) and route.name not in PUBLIC_URL_NAMES:
            unscoped.append(f"{route.name}: exempt from scoping but not listed as public")
    assert not unscoped, "\n".join(unscoped)

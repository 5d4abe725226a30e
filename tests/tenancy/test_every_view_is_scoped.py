"""Every view goes through the one scoping path, or says in one attribute why it need not.

- A model-backed view is a ScopedViewMixin view, which narrows the scoped queryset in `refine()` and never
  overrides `get_queryset()`.
- A view on RoleRequiredMixin alone shows no model of its own: it is no list or detail view, has no `model`,
  `queryset` or `get_queryset`, reads no tenant model's manager (nor the user's memberships) in its own code,
  and names in `scoped_reads` the scoped selectors (functions of `user`) it reads, each called in its code.
- Any other view is public and says why in `scoping_exempt`.
"""

import ast
import inspect
import sys
import textwrap

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.test import RequestFactory
from django.views.generic import ListView
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.list import MultipleObjectMixin

from events.models import Event
from practices.models import User
from practices.scoping import RoleRequiredMixin, ScopedViewMixin

from .matrix import PUBLIC_URL_NAMES, discover_routes

DJANGO_AUTH_VIEWS = {"login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
                     "password_reset_complete", "password_change", "password_change_done"}
OUR_APPS = ("practices.", "events.", "review.", "reporting.", "analytics.")


def _routes():
    return [r for r in discover_routes() if r.name not in DJANGO_AUTH_VIEWS and r.view_class is not None]


def _role_only_views():
    return [r for r in _routes()
            if issubclass(r.view_class, RoleRequiredMixin) and not issubclass(r.view_class, ScopedViewMixin)]


def _own_classes(view) -> list[type]:
    """The view's classes written in this project (itself and its project mixins), not Django's."""
    return [cls for cls in view.__mro__ if cls.__module__.startswith(OUR_APPS) and cls is not RoleRequiredMixin]


def _is_scoped_model(value) -> bool:
    return isinstance(value, type) and issubclass(value, models.Model) and hasattr(value._default_manager, "for_user")


# The user's own related managers that lead to tenant rows (user.memberships, ...): reading them is a direct read.
USER_TENANT_MANAGERS = {rel.get_accessor_name() for rel in User._meta.related_objects
                        if _is_scoped_model(rel.related_model)}


def _calls_and_direct_reads(view) -> tuple[set[str], list[str]]:
    """The functions the view's own code calls, and where it reads a tenant model without a selector."""
    calls, direct = set(), []
    for cls in _own_classes(view):
        namespace = vars(sys.modules[cls.__module__])
        for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(cls)))):
            if isinstance(node, ast.Call):
                calls.add(node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", ""))
            elif isinstance(node, ast.Attribute):
                owner = namespace.get(node.value.id) if isinstance(node.value, ast.Name) else None
                if node.attr in ("objects", "_default_manager") and _is_scoped_model(owner):
                    direct.append(f"{node.value.id}.{node.attr}")
                elif node.attr in USER_TENANT_MANAGERS:
                    direct.append(f"user.{node.attr}")
    return calls, direct


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


def test_every_scoped_view_keeps_the_mixins_get_queryset():
    overriding = [f"{r.name}: {r.view_class.__name__}" for r in _routes()
                  if issubclass(r.view_class, ScopedViewMixin)
                  and r.view_class.get_queryset is not ScopedViewMixin.get_queryset]
    assert not overriding, "\n".join(overriding)


def test_no_view_shows_model_data_behind_a_role_check_alone():
    problems = []
    for route in _role_only_views():
        view = route.view_class
        if issubclass(view, SingleObjectMixin | MultipleObjectMixin):
            problems.append(f"{route.name}: {view.__name__} is a list or detail view without ScopedViewMixin")
        for name in ("model", "queryset", "get_queryset"):
            if getattr(view, name, None) is not None:
                problems.append(f"{route.name}: {view.__name__} has {name} without ScopedViewMixin")
    assert not problems, "\n".join(problems)


def test_role_only_pages_declare_the_scoped_selectors_they_read():
    problems = []
    for route in _role_only_views():
        view = route.view_class
        reads = view.scoped_reads
        if not isinstance(reads, tuple):
            problems.append(f"{route.name}: {view.__name__} must name its scoped selectors in scoped_reads (a tuple)")
            continue
        called, direct = _calls_and_direct_reads(view)
        for selector in reads:
            if not callable(selector) or "user" not in inspect.signature(selector).parameters:
                problems.append(f"{route.name}: {selector!r} in scoped_reads is not a function of `user`")
            elif selector.__name__ not in called:
                problems.append(f"{route.name}: {view.__name__} declares {selector.__name__} but never calls it")
        if direct:
            problems.append(f"{route.name}: {view.__name__} reads tenant rows itself ({', '.join(direct)}); "
                            "read through a scoped selector named in scoped_reads")
    assert not problems, "\n".join(problems)


def test_scoped_view_mixin_refuses_a_view_that_overrides_get_queryset():
    with pytest.raises(ImproperlyConfigured, match="refine"):

        class Overriding(ScopedViewMixin, ListView):
            model = Event

            def get_queryset(self):
                return Event.objects.all()

    with pytest.raises(ImproperlyConfigured, match="refine"):

        class MixinListedLast(ListView, ScopedViewMixin):  # ListView's get_queryset would win
            model = Event


@pytest.mark.django_db
def test_scoped_view_mixin_refuses_a_refine_that_replaces_the_scoped_queryset(users):
    class Replacing(ScopedViewMixin, ListView):
        model = Event

        def refine(self, queryset):
            return Event.objects.all()

    class OtherAction(ScopedViewMixin, ListView):
        model = Event

        def refine(self, queryset):
            return Event.objects.for_user(self.request.user, action="submit")

    request = RequestFactory().get("/")
    request.user = users["reporter.riverside"]
    for view_class in (Replacing, OtherAction):
        view = view_class()
        view.setup(request)
        with pytest.raises(ImproperlyConfigured, match="must narrow"):
            view.get_queryset()


@pytest.mark.django_db
def test_scoped_view_mixin_refine_narrows_the_users_scope(world, users):
    from tests.factories.events import build_event

    mine = build_event(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"])

    class Narrowing(ScopedViewMixin, ListView):
        model = Event
        action = "review"

        def refine(self, queryset):
            return queryset.filter(reference=mine.reference)

    request = RequestFactory().get("/")
    for username, expected in (("physicist.riverside", [mine]), ("physicist.lakeside", []), ("staff.pso", [])):
        request.user = users[username]
        view = Narrowing()
        view.setup(request)
        assert list(view.get_queryset()) == expected, username

"""Tenant scoping, in one place: the only code that turns a login into the agreements and PSOs it may see.

Every model a user can reach declares `objects = ScopedQuerySet.as_manager()` and where its rows belong:
- `tenant_path`, the lookup from the model to its Agreement: practice users reach rows of their agreements,
  per action (`tenant_actions` narrows which actions apply); `owner_field` limits reporters to their own
  rows, `reporter_visible = False` hides the model from them, and `published_field` shows practice users
  only rows whose publication date is set and past;
- `pso_path`, the lookup from the model to its PSO: the PSO's staff or analysts reach rows of their PSOs,
  per action as `pso_actions` says (by default staff, for "view" and "enrol"). A model of the PSO store
  (its own database) names its own `pso_id` column here, so its scope is never a join to practice tables.
A page open to two kinds of people is scoped by a named union of actions (`ACTION_UNIONS`), never by
or-ing two querysets. Every view goes through `ScopedViewMixin`, whose queryset views narrow through
`refine()`, or through `RoleRequiredMixin` for pages that show no model and name the scoped selectors they
read in `scoped_reads`; so an object outside the user's scope is a 404, never data.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .authcache import ENTRY_SECONDS, tenant_cached
from .choices import ENDED_STATES, EXECUTED_STATES, AgreementState, PSORole, Role

ACTIONS = ("view", "submit", "review", "manage", "enrol", "analyse")
# Pages open to two kinds of people: one named scope each, so that no view or selector ors two querysets.
ACTION_UNIONS = {
    # An agreement's page (and its messages and invitations): its PSO's staff and its full-access users.
    "administer": ("enrol", "review"),
    # A login's role or access on an agreement: its PSO's staff and the full-access users of an agreement in force.
    "manage_logins": ("enrol", "manage"),
    # The page after a report: what the user may view, and (the view narrows it to this session's reports)
    # what they may submit under, since an anonymous report has no owner to find it by.
    "confirm": ("view", "submit"),
}
# The practice-side actions a `tenant_path` answers to, unless the model declares `tenant_actions`.
TENANT_ACTIONS = ("view", "submit", "review", "manage")
# Which PSO role reaches a model's rows through its `pso_path`, per action, unless it declares `pso_actions`.
STAFF_ACTIONS = {"view": (PSORole.STAFF,), "enrol": (PSORole.STAFF,)}
# The PSO aggregate store and its rollups: the PSO's analysts, and nobody else.
ANALYST_ACTIONS = {"analyse": (PSORole.ANALYST,)}


@dataclass(frozen=True)
class Access:
    """What one login may reach: agreement ids per capability and PSO ids per PSO role."""

    submit: frozenset[int] = field(default_factory=frozenset)  # active agreements, any practice role
    own: frozenset[int] = field(default_factory=frozenset)  # reporters: their own rows only
    full: frozenset[int] = field(default_factory=frozenset)  # full access, readable (incl. retention)
    manage: frozenset[int] = field(default_factory=frozenset)  # full access, agreement in force
    roles: dict[int, str] = field(default_factory=dict)  # agreement id -> role
    pso_staff: frozenset[int] = field(default_factory=frozenset)
    pso_analyst: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_practice_user(self) -> bool:
        return bool(self.roles)

    @property
    def is_full_access(self) -> bool:
        return bool(self.full)

    @property
    def is_pso_staff(self) -> bool:
        return bool(self.pso_staff)

    @property
    def is_pso_analyst(self) -> bool:
        return bool(self.pso_analyst)

    @property
    def can_submit(self) -> bool:
        return bool(self.submit)

    def agreements_for(self, action: str) -> frozenset[int]:
        """Agreement ids reachable for an action (reporters' own-row rule is applied by the queryset)."""
        if action == "view":
            return self.full | self.own
        if action == "submit":
            return self.submit
        if action == "review":
            return self.full
        if action == "manage":
            return self.manage
        return frozenset()


NO_ACCESS = Access()


def _still_readable(state: str, ended_at, retention_days: int, now) -> bool:
    if state in ENDED_STATES:
        return ended_at is not None and ended_at + timezone.timedelta(days=retention_days) > now
    return state in EXECUTED_STATES


def user_access(user) -> Access:
    """The single translation of a login into tenants; cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_roils_access", None)
    if cached is not None:
        return cached
    access = tenant_cached(user.pk, "access", lambda: _compute_access(user))
    user._roils_access = access
    return access


def _compute_access(user) -> tuple[Access, int]:
    """The user's Access from the database, and how long it stays true (ended agreements expire)."""
    from .models import Membership, PSOMembership

    now = timezone.now()
    fresh_for = ENTRY_SECONDS  # until the first ended agreement's retention runs out, if sooner
    submit, own, full, manage, roles = set(), set(), set(), set(), {}
    rows = Membership.objects.filter(user=user, is_active=True).values_list(
        "agreement_id", "role", "agreement__state", "agreement__ended_at", "agreement__retention_days"
    )
    for agreement_id, role, state, ended_at, retention_days in rows:
        roles[agreement_id] = role
        if state == AgreementState.ACTIVE:
            submit.add(agreement_id)
        if role == Role.FULL_ACCESS:
            if _still_readable(state, ended_at, retention_days, now):
                full.add(agreement_id)
                if state in ENDED_STATES:
                    until = ended_at + timezone.timedelta(days=retention_days)
                    fresh_for = min(fresh_for, int((until - now).total_seconds()))
            if state in EXECUTED_STATES - ENDED_STATES:
                manage.add(agreement_id)
        elif state == AgreementState.ACTIVE:
            own.add(agreement_id)
    staff, analyst = set(), set()
    for pso_id, role in PSOMembership.objects.filter(user=user, is_active=True).values_list("pso_id", "role"):
        (staff if role == PSORole.STAFF else analyst).add(pso_id)
    access = Access(
        submit=frozenset(submit),
        own=frozenset(own),
        full=frozenset(full),
        manage=frozenset(manage),
        roles=roles,
        pso_staff=frozenset(staff),
        pso_analyst=frozenset(analyst),
    )
    return access, fresh_for


def forget_access(user) -> None:
    """Drop the cached access after a change of role within the same request."""
    if hasattr(user, "_roils_access"):
        del user._roils_access


NOTHING = Q(pk__in=[])  # the scope of someone without a role: matches no row, and runs no query


def _psos_of(access: Access, roles) -> frozenset[int]:
    """The PSO ids where the user holds one of the roles."""
    by_role = {PSORole.STAFF: access.pso_staff, PSORole.ANALYST: access.pso_analyst}
    return frozenset().union(*(by_role[role] for role in roles))


def _any_of(conditions: list[Q]) -> Q:
    return reduce(operator.or_, conditions) if conditions else NOTHING


class ScopedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what one user may reach for one action."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scoped_for: tuple[int | None, str] | None = None  # (user id, action) once for_user() narrowed it

    def _clone(self):
        clone = super()._clone()
        clone.scoped_for = self.scoped_for  # what derives from a scoped queryset stays scoped (ScopedViewMixin checks)
        return clone

    def for_user(self, user, action: str = "view") -> ScopedQuerySet:
        """Rows of the user's tenants for the action (or named union); `none()` for anyone without a role."""
        condition = self.scope_condition(user, action)
        if condition == NOTHING:
            qs = self.none()
        else:
            qs = self.filter(condition)
            # Paths through many-valued relations can repeat rows.
            if self.scope_repeats_rows():
                qs = qs.distinct()
        qs.scoped_for = (getattr(user, "pk", None), action)
        return qs

    def scope_condition(self, user, action: str = "view") -> Q:
        """The filter behind `for_user`, for combining a scope with another condition (NOTHING when there is none)."""
        if action in ACTION_UNIONS:
            return _any_of([c for part in ACTION_UNIONS[action] if (c := self.scope_condition(user, part)) != NOTHING])
        if action not in ACTIONS:
            raise ValueError(f"unknown scoping action {action!r}")
        model = self.model
        tenant_path = getattr(model, "tenant_path", None)
        pso_path = getattr(model, "pso_path", None)
        if tenant_path is None and pso_path is None:
            raise ImproperlyConfigured(f"{model.__name__} declares neither tenant_path nor pso_path")
        access = user_access(user)
        conditions = []
        if tenant_path is not None and action in getattr(model, "tenant_actions", TENANT_ACTIONS):
            conditions += self._tenant_conditions(user, access, action, tenant_path)
        if pso_path is not None:
            pso_ids = _psos_of(access, getattr(model, "pso_actions", STAFF_ACTIONS).get(action, ()))
            if pso_ids:
                conditions.append(Q(**{f"{pso_path}__in": pso_ids}))
        return _any_of(conditions)

    def _tenant_conditions(self, user, access: Access, action: str, tenant_path: str) -> list[Q]:
        """Practice users' share of a scope: rows of their agreements (their own rows, for reporters)."""
        model = self.model
        conditions = []
        if action == "view":
            if access.full:
                conditions.append(Q(**{f"{tenant_path}__in": access.full}))
            own_ids = access.own - access.full
            if own_ids and getattr(model, "reporter_visible", True):
                owner_field = getattr(model, "owner_field", None)
                own_q = Q(**{f"{tenant_path}__in": own_ids})
                if owner_field:
                    own_q &= Q(**{owner_field: user})
                conditions.append(own_q)
        else:
            ids = access.agreements_for(action)
            if ids:
                conditions.append(Q(**{f"{tenant_path}__in": ids}))
        published_field = getattr(model, "published_field", None)
        if published_field:
            published = Q(**{f"{published_field}__isnull": False, f"{published_field}__lte": timezone.now()})
            conditions = [condition & published for condition in conditions]
        return conditions

    def scope_repeats_rows(self) -> bool:
        """True where the tenant or PSO path crosses a many-valued relation, so a scoped query needs DISTINCT."""
        return any("__" in (getattr(self.model, path, None) or "") for path in ("tenant_path", "pso_path"))


class RoleRequiredMixin:
    """Login required, plus a capability of `Access` (e.g. "is_pso_staff"); otherwise 404.

    A page on this mixin alone shows no model of its own: it names in `scoped_reads` the scoped selectors
    (functions of `user`) it reads, or `()` when it reads no tenant data (tests/tenancy checks the names).
    """

    required_capability: str | None = None
    scoped_reads: tuple | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            # Imported here: auth's views module needs the user model, which imports this module.
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if self.required_capability and not getattr(self.access, self.required_capability):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def access(self) -> Access:
        return user_access(self.request.user)


class ScopedViewMixin(RoleRequiredMixin):
    """Every model-backed view: its queryset is the model's rows in the user's scope for `action`.

    Views narrow that queryset in `refine(queryset)` (filters, joins, ordering); a view that overrides
    `get_queryset` is refused when its class is defined, so the scope cannot be skipped by forgetting super().
    """

    action = "view"
    model: type[models.Model] | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.get_queryset is not ScopedViewMixin.get_queryset:
            raise ImproperlyConfigured(
                f"{cls.__name__} overrides get_queryset() over ScopedViewMixin (or lists a base class that does "
                "before it): narrow the scoped queryset in refine(self, queryset) instead."
            )

    def get_queryset(self):
        base = super().get_queryset() if hasattr(super(), "get_queryset") else self.model._default_manager.all()
        if not hasattr(base, "for_user"):
            raise ImproperlyConfigured(f"{type(self).__name__}: {base.model.__name__} has no for_user(); scope it.")
        scoped = base.for_user(self.request.user, action=self.action)
        refined = self.refine(scoped)
        if getattr(refined, "scoped_for", None) != scoped.scoped_for:
            raise ImproperlyConfigured(f"{type(self).__name__}.refine() must narrow the queryset it is given.")
        return refined

    def refine(self, queryset):
        """Narrow the scoped queryset for this page (the default keeps it whole)."""
        return queryset

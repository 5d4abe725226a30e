"""Tenant scoping, in one place: the only code that turns a login into the agreements and PSOs it may see.

Every model a user can reach declares `objects = ScopedQuerySet.as_manager()` and a `tenant_path`
(the lookup from the model to its Agreement). Models that PSO staff may see also declare a `pso_path`;
models whose rows belong to the person who created them declare an `owner_field`, which limits
reporters to their own rows. Every view goes through `ScopedViewMixin` (or `RoleRequiredMixin` for
pages that show no model), so an object outside the user's scope is a 404, never data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .choices import ENDED_STATES, EXECUTED_STATES, AgreementState, PSORole, Role

ACTIONS = ("view", "submit", "review", "manage", "enrol", "analyse")


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
    """The single translation of a login into tenants, read from the database.

    Memoised on the user object, which AuthenticationMiddleware builds afresh for every request: each request
    reads the memberships once, and never sees another request's copy, so a revoked role is gone on the next
    request in every process. (Code that keeps a user object longer, a script or a test, reads a new copy of
    the user to see changes made since.)
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    access = getattr(user, "_roils_access", None)
    if access is None:
        access = user._roils_access = _read_access(user)
    return access


# The one query behind every signed-in request: the user's active practice memberships with their agreement's
# state, and their active PSO memberships (which have no agreement state). Written out in SQL because every request
# runs it: built through the ORM (one query or two) it cost 3.2 million CPU instructions, written out 0.24 million.
ACCESS_SQL = """
    SELECT m.agreement_id, m.role, a.state, a.ended_at, a.retention_days
      FROM practices_membership m JOIN practices_agreement a ON a.id = m.agreement_id
     WHERE m.user_id = %s AND m.is_active
    UNION ALL
    SELECT p.pso_id, p.role, NULL, NULL, NULL
      FROM practices_psomembership p
     WHERE p.user_id = %s AND p.is_active
"""


def _read_access(user) -> Access:
    """The user's Access from the database, in one query (ACCESS_SQL)."""
    from .models import Membership

    with connections[Membership.objects.db].cursor() as cursor:
        cursor.execute(ACCESS_SQL, [user.pk, user.pk])
        rows = cursor.fetchall()
    now = timezone.now()
    submit, own, full, manage, roles, staff, analyst = set(), set(), set(), set(), {}, set(), set()
    for target_id, role, state, ended_at, retention_days in rows:
        if state is None:  # a PSO membership
            (staff if role == PSORole.STAFF else analyst).add(target_id)
            continue
        roles[target_id] = role
        if state == AgreementState.ACTIVE:
            submit.add(target_id)
        if role == Role.FULL_ACCESS:
            if ended_at is not None and timezone.is_naive(ended_at):  # SQLite keeps UTC without a zone
                ended_at = timezone.make_aware(ended_at, dt.UTC)
            if _still_readable(state, ended_at, retention_days, now):
                full.add(target_id)
            if state in EXECUTED_STATES - ENDED_STATES:
                manage.add(target_id)
        elif state == AgreementState.ACTIVE:
            own.add(target_id)
    return Access(
        submit=frozenset(submit),
        own=frozenset(own),
        full=frozenset(full),
        manage=frozenset(manage),
        roles=roles,
        pso_staff=frozenset(staff),
        pso_analyst=frozenset(analyst),
    )


NOTHING = Q(pk__in=[])  # the scope of someone without a role: matches no row, and runs no query


class ScopedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what one user may reach for one action."""

    def for_user(self, user, action: str = "view") -> ScopedQuerySet:
        """Rows of the user's tenants for the action; `none()` for anyone without a role."""
        condition = self.scope_condition(user, action)
        if condition == NOTHING:
            return self.none()
        qs = self.filter(condition)
        # Paths through many-valued relations can repeat rows.
        if self.scope_repeats_rows():
            qs = qs.distinct()
        return qs

    def scope_condition(self, user, action: str = "view") -> Q:
        """The filter behind `for_user`, for combining two scopes in one WHERE (NOTHING when there is none)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown scoping action {action!r}")
        model = self.model
        tenant_path = getattr(model, "tenant_path", None)
        pso_path = getattr(model, "pso_path", None)
        if tenant_path is None and pso_path is None:
            raise ImproperlyConfigured(f"{model.__name__} declares neither tenant_path nor pso_path")
        access = user_access(user)
        condition = NOTHING
        if tenant_path is None:
            pass  # a PSO-side model: only the PSO clause below applies
        elif action == "view":
            if access.full:
                condition |= Q(**{f"{tenant_path}__in": access.full})
            own_ids = access.own - access.full
            if own_ids and getattr(model, "reporter_visible", True):
                owner_field = getattr(model, "owner_field", None)
                own_q = Q(**{f"{tenant_path}__in": own_ids})
                if owner_field:
                    own_q &= Q(**{owner_field: user})
                condition |= own_q
        elif action in ("submit", "review", "manage"):
            ids = access.agreements_for(action)
            if ids:
                condition |= Q(**{f"{tenant_path}__in": ids})
        if pso_path and access.pso_staff and action in ("view", "enrol"):
            condition |= Q(**{f"{pso_path}__in": access.pso_staff})
        return condition

    def scope_repeats_rows(self) -> bool:
        """True where the tenant or PSO path crosses a many-valued relation, so a scoped query needs DISTINCT."""
        return any("__" in (getattr(self.model, path, None) or "") for path in ("tenant_path", "pso_path"))


class RoleRequiredMixin:
    """Login required, plus a capability of `Access` (e.g. "is_pso_staff"); otherwise 404."""

    required_capability: str | None = None

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
    """Every model-backed view: its queryset is the model's rows in the user's scope for `action`."""

    action = "view"
    model: type[models.Model] | None = None

    def get_queryset(self):
        base = super().get_queryset() if hasattr(super(), "get_queryset") else self.model._default_manager.all()
        if not hasattr(base, "for_user"):
            raise ImproperlyConfigured(f"{type(self).__name__}: {base.model.__name__} has no for_user(); scope it.")
        return base.for_user(self.request.user, action=self.action)

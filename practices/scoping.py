"""Tenant scoping, in one place: the only code that turns a login into the agreements and PSOs it may see.

Every model a user can reach declares `objects = ScopedQuerySet.as_manager()` and where its rows belong:
- `tenant_path`, the lookup from the model to its Agreement: practice users reach rows of their agreements,
  per action (`tenant_actions` narrows which actions apply); or `tenant_pso_path`, the lookup to a PSO, for
  rows a PSO shares with all its practices: practice users reach rows of their agreements' PSOs.
  `owner_field` limits reporters to their own rows, `reporter_visible = False` hides the model from them,
  and `published_field` shows practice users only rows whose publication date is set and past;
- `pso_path`, the lookup from the model to its PSO: the PSO's staff or analysts reach rows of their PSOs,
  per action as `pso_actions` says (by default staff, for "view" and "enrol"). A model of the PSO store
  (its own database) names its own `pso_id` column here, so its scope is never a join to practice tables.
A page open to two kinds of people is scoped by a named union of actions (`ACTION_UNIONS`), never by
or-ing two querysets. Work handed to one login on single rows (an investigation, an action to carry out) is a
grant (`GRANTS`): the full-access users' rows plus the rows the login was given, read from the database on every
request, so a withdrawn assignment is gone on the next one. A follow-up link opens its own event's rows and
nothing else (`ScopedQuerySet.for_link`): the link's secret is only ever compared as a hash.
Every view goes through `ScopedViewMixin`, whose queryset views narrow through
`refine()`, or through `RoleRequiredMixin` for pages that show no model and name the scoped selectors they
read in `scoped_reads`; so an object outside the user's scope is a 404, never data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .choices import ENDED_STATES, EXECUTED_STATES, AgreementState, PSORole, Role

ACTIONS = ("view", "submit", "review", "manage", "enrol", "analyse", "investigate", "own")
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


def _investigations(user, access):
    """Ids of the events the user is the live (not withdrawn) investigator of, on active agreements they belong to."""
    from django.apps import apps  # the review app's model: practices imports no other app

    investigator = apps.get_model("review", "Investigator")
    return investigator.objects.filter(
        user=user, withdrawn_at__isnull=True, event__agreement__in=access.submit
    ).values("event_id")


def _owned_actions(user, access) -> Q:
    """Action items the user owns, on an active agreement they belong to."""
    return Q(owner=user, event__agreement__in=access.submit)


# Work handed to single logins: (model label, action) -> the rows granted to a user, besides the full-access users'
# scope of the action. "investigate": the event and review an investigator was asked to investigate; "own": the
# actions a login owns (and their progress notes). Anyone else's scope for these actions is the reviewers' one.
GRANTS = {
    ("events.event", "investigate"): lambda user, access: Q(pk__in=_investigations(user, access)),
    ("review.review", "investigate"): lambda user, access: Q(event_id__in=_investigations(user, access)),
    ("review.actionitem", "own"): _owned_actions,
    ("review.actionupdate", "own"): lambda user, access: Q(item__owner=user, item__event__agreement__in=access.submit),
}
GRANT_ACTIONS = frozenset(action for _label, action in GRANTS)
# The practice-side actions a `tenant_path` answers to, unless the model declares `tenant_actions`.
TENANT_ACTIONS = ("view", "submit", "review", "manage", "investigate", "own")
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
    pso_of: dict[int, int] = field(default_factory=dict)  # agreement id -> its PSO's id
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


# The user's active practice memberships with their agreement's state, and their active PSO memberships (which have
# no agreement state). Written out in SQL because every request runs it: built through the ORM (one query or two) it
# cost 3.2 million CPU instructions, written out 0.24 million.
ACCESS_SQL = """
    SELECT m.agreement_id, m.role, a.state, a.ended_at, a.retention_days, a.pso_id
      FROM practices_membership m JOIN practices_agreement a ON a.id = m.agreement_id
     WHERE m.user_id = %s AND m.is_active
    UNION ALL
    SELECT p.pso_id, p.role, NULL, NULL, NULL, NULL
      FROM practices_psomembership p
     WHERE p.user_id = %s AND p.is_active
"""
# The one query behind every signed-in request (practices.backends): the user's row, and ACCESS_SQL's rows beside
# it, one row per membership (the user's columns repeat; a user without memberships gives one row of NULLs).
USER_ACCESS_SQL = """
    SELECT u.*, x.target_id AS access_target, x.role AS access_role, x.state AS access_state,
           x.ended_at AS access_ended_at, x.retention_days AS access_retention_days, x.pso_id AS access_pso
      FROM practices_user u
      LEFT JOIN (
           SELECT m.agreement_id AS target_id, m.role, a.state, a.ended_at, a.retention_days, a.pso_id
             FROM practices_membership m JOIN practices_agreement a ON a.id = m.agreement_id
            WHERE m.user_id = %s AND m.is_active
           UNION ALL
           SELECT p.pso_id, p.role, NULL, NULL, NULL, NULL
             FROM practices_psomembership p
            WHERE p.user_id = %s AND p.is_active
      ) x ON 1 = 1
     WHERE u.id = %s
"""


def _read_access(user) -> Access:
    """The user's Access from the database, in one query (ACCESS_SQL)."""
    from .models import Membership

    with connections[Membership.objects.db].cursor() as cursor:
        cursor.execute(ACCESS_SQL, [user.pk, user.pk])
        return _access_of(cursor.fetchall())


def user_with_access(user_id):
    """The active user with this id, with their Access read in the same query and memoised as user_access() keeps
    it (on this user object, built for one request); None if there is no such user. Authentication's get_user
    (practices.backends), so that a signed-in request reads its login and tenants in one round trip."""
    from .models import User

    rows = list(User.objects.raw(USER_ACCESS_SQL, [user_id, user_id, user_id]))
    if not rows:
        return None
    user = rows[0]
    user._roils_access = _access_of(
        [(r.access_target, r.access_role, r.access_state, r.access_ended_at, r.access_retention_days, r.access_pso)
         for r in rows if r.access_target is not None]
    ) if user.is_active else NO_ACCESS
    return user


def _access_of(rows) -> Access:
    """Access from ACCESS_SQL's rows: (agreement or PSO id, role, agreement state, ended at, retention days, the
    agreement's PSO id)."""
    now = timezone.now()
    submit, own, full, manage, roles, pso_of, staff, analyst = set(), set(), set(), set(), {}, {}, set(), set()
    for target_id, role, state, ended_at, retention_days, pso_id in rows:
        if state is None:  # a PSO membership
            (staff if role == PSORole.STAFF else analyst).add(target_id)
            continue
        roles[target_id] = role
        pso_of[target_id] = pso_id
        if state == AgreementState.ACTIVE:
            submit.add(target_id)
        if role == Role.FULL_ACCESS:
            if isinstance(ended_at, str):  # SQLite, through a subquery: text without a zone, in UTC
                ended_at = parse_datetime(ended_at)
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
        pso_of=pso_of,
        pso_staff=frozenset(staff),
        pso_analyst=frozenset(analyst),
    )


def link_hash(token: str) -> str:
    """The stored form of a follow-up link's secret (the secret itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


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
        practice_side = hasattr(model, "tenant_path") or hasattr(model, "tenant_pso_path")
        pso_path = getattr(model, "pso_path", None)
        if not practice_side and pso_path is None:
            raise ImproperlyConfigured(f"{model.__name__} declares neither tenant_path nor pso_path")
        access = user_access(user)
        conditions = []
        if practice_side and action in getattr(model, "tenant_actions", TENANT_ACTIONS):
            conditions += self._tenant_conditions(user, access, action)
        if pso_path is not None:
            pso_ids = _psos_of(access, getattr(model, "pso_actions", STAFF_ACTIONS).get(action, ()))
            if pso_ids:
                conditions.append(Q(**{f"{pso_path}__in": pso_ids}))
        return _any_of(conditions)

    def _tenant_conditions(self, user, access: Access, action: str) -> list[Q]:
        """Practice users' share of a scope: rows of their agreements (their own rows, for reporters)."""
        model = self.model
        conditions = []
        if action in GRANT_ACTIONS:
            grant = GRANTS.get((model._meta.label_lower, action))
            if grant is None:
                return []
            if access.full:
                conditions.append(self._of_agreements(access, access.full))
            if access.submit:
                conditions.append(grant(user, access))
        elif action == "view":
            if access.full:
                conditions.append(self._of_agreements(access, access.full))
            own_ids = access.own - access.full
            if own_ids and getattr(model, "reporter_visible", True):
                owner_field = getattr(model, "owner_field", None)
                own_q = self._of_agreements(access, own_ids)
                if owner_field:
                    own_q &= Q(**{owner_field: user})
                conditions.append(own_q)
        else:
            ids = access.agreements_for(action)
            if ids:
                conditions.append(self._of_agreements(access, ids))
        published_field = getattr(model, "published_field", None)
        if published_field:
            published = Q(**{f"{published_field}__isnull": False, f"{published_field}__lte": timezone.now()})
            conditions = [condition & published for condition in conditions]
        return conditions

    def _of_agreements(self, access: Access, agreement_ids: frozenset[int]) -> Q:
        """Rows of these agreements (`tenant_path`), or of their PSOs (`tenant_pso_path`: the PSO of each agreement
        came with the memberships, so the condition names PSO ids and joins nothing)."""
        pso_path = getattr(self.model, "tenant_pso_path", None)
        if pso_path is not None:
            return Q(**{f"{pso_path}__in": frozenset(access.pso_of[i] for i in agreement_ids)})
        return Q(**{f"{self.model.tenant_path}__in": agreement_ids})

    def for_link(self, token: str) -> ScopedQuerySet:
        """Rows a follow-up link opens: those of its one event (the model's `link_path` names the link's hash)."""
        link_path = getattr(self.model, "link_path", None)
        if link_path is None:
            raise ImproperlyConfigured(f"{self.model.__name__} declares no link_path: follow-up links cannot open it")
        if not token or len(token) > 200:
            return self.none()
        qs = self.filter(**{link_path: link_hash(token)})
        qs.scoped_for = (None, "link")
        return qs

    def scope_repeats_rows(self) -> bool:
        """True where the tenant or PSO path crosses a many-valued relation, so a scoped query needs DISTINCT."""
        return any("__" in (getattr(self.model, path, None) or "")
                   for path in ("tenant_path", "tenant_pso_path", "pso_path"))


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


class TokenPrincipal:
    """Who asks when a PSO's API token authenticates: that one PSO's analyst scope (its store, its rollups), and
    nothing else; built afresh from the token row read on each request, never cached."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = id = None  # no login: audit rows and sessions never name a token as a user

    def __init__(self, *, token_id: int, pso_id: int):
        self.token_id = token_id
        self._roils_access = Access(pso_analyst=frozenset({pso_id}))  # read by user_access(), like a login's

    def get_username(self) -> str:
        return f"api-token-{self.token_id}"

    def __str__(self):
        return self.get_username()


class RoleRequiredAPIMixin(RoleRequiredMixin):
    """A REST framework view showing no model (as RoleRequiredMixin): the framework authenticates (a token, never
    the session) and checks permissions, then the capability is checked on the token's Access (404 without)."""

    def dispatch(self, request, *args, **kwargs):
        # Skip RoleRequiredMixin's sign-in redirect: the framework answers 401 to a request without a valid token.
        return super(RoleRequiredMixin, self).dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions (scopes), throttles
        if self.required_capability and not getattr(self.access, self.required_capability):
            raise Http404


class ScopedAPIMixin(RoleRequiredAPIMixin, ScopedViewMixin):
    """A model-backed REST framework view: its queryset is the model's rows in scope for `action`, narrowed in
    `refine()`, exactly as for ScopedViewMixin (an object outside the scope is a 404)."""

    @property
    def queryset(self):  # the framework's base queryset; ScopedViewMixin.get_queryset() scopes it
        return self.model._default_manager.all()

"""The tenancy matrix's world and URL discovery: every URL of the project, every role, foreign objects.

The world has four kinds of tenant around Riverside's agreement with the demo PSO:
- Lakeside: another practice, same PSO;
- Riverside Satellite: a sibling facility of Riverside under its own, independent agreement;
- Riverside with PSO B: the same practice's agreement with another PSO;
- Hilltop: a practice of PSO B only.
Each agreement's events carry a marker word in their narrative; a page may show a marker only to a
role entitled to that agreement's narratives.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from practices.choices import AgreementState, PSORole, Role
from practices.demo import DEMO_PASSWORD, seed_world
from practices.models import PSO, Agreement, Facility, User
from practices.scoping import user_access
from practices.services import (
    FacilityData,
    agreement_create,
    agreement_transition,
    membership_grant,
    participation_submit,
    pso_membership_set,
)

MARKERS = ["quokkamark", "wombatmark", "numbatmark", "bilbymark", "dingomark", "possummark"]
PUBLIC_URL_NAMES = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "practices:join", "practices:invitation-accept", "admin-login",
    "events:follow-up",  # opened by a follow-up link's secret, not a login (tests/tenancy/test_assignments.py)
    "api:schema", "api:docs",  # the read API's description: no tenant data
}


@dataclass
class Route:
    name: str
    pattern: str
    view_class: type | None
    kwargs: tuple[str, ...]


def discover_routes() -> list[Route]:
    """Every named URL of the project except Django admin (which demands is_staff)."""
    routes: list[Route] = []

    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = p.namespace or namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                view_class = getattr(p.callback, "view_class", None)
                routes.append(Route(name, prefix + str(p.pattern), view_class, tuple(p.pattern.converters)))

    walk(get_resolver().url_patterns)
    return routes


def _active_agreement(pso, practice_data, facilities, staff, full_access, reporter):
    agreement = participation_submit(pso=pso, practice_data=practice_data, facilities=facilities)
    return _activate(agreement, staff, full_access, reporter)


def _activate(agreement, staff, full_access, reporter):
    for step in (AgreementState.AGREEMENT_SENT, AgreementState.EXECUTED, AgreementState.TRAINED):
        sig = None
        if step == AgreementState.EXECUTED:
            sig = {"practice_signatory": "A Signer", "pso_signatory": "B Signer", "signed_on": timezone.localdate()}
        agreement = agreement_transition(agreement=agreement, by=staff, to=step, signatories=sig)
    membership_grant(by=staff, agreement=agreement, user=full_access, role=Role.FULL_ACCESS)
    membership_grant(by=staff, agreement=agreement, user=reporter, role=Role.REPORTER)
    return agreement_transition(agreement=agreement, by=staff, to=AgreementState.ACTIVE)


def _user(username: str) -> User:
    user = User.objects.create(username=username, email=f"{username}@matrix.example")
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def build_matrix_world() -> dict:
    """The demo world plus the foreign tenants above, with marked events under every agreement."""
    world = seed_world()
    users = world["users"]
    pso_a = world["pso"]
    pso_b = PSO.objects.create(name="Second Safety PSO", slug="pso-b")
    staff_b, analyst_b = _user("staff.psob"), _user("analyst.psob")
    pso_membership_set(by=None, pso=pso_b, user=staff_b, role=PSORole.STAFF)
    pso_membership_set(by=None, pso=pso_b, user=analyst_b, role=PSORole.ANALYST)
    for name in ("physicist.hilltop", "reporter.hilltop", "physicist.satellite", "reporter.satellite",
                 "physicist.riversideb", "reporter.riversideb"):
        users[name] = _user(name)
    users["staff.psob"], users["analyst.psob"] = staff_b, analyst_b
    riverside = world["agreements"]["riverside"]
    hilltop = _active_agreement(
        pso_b,
        {"name": "Hilltop Oncology Marker", "address_line1": "1 Hill St", "city": "Denver", "state": "CO",
         "zip_code": "80202", "contact_name": "H", "contact_email": "h@hill.example"},
        [FacilityData("Hilltop Main")], staff_b, users["physicist.hilltop"], users["reporter.hilltop"],
    )
    satellite_facility = Facility.objects.create(practice=riverside.practice, name="Riverside Satellite")
    satellite = agreement_create(by=users["staff.pso"], pso=pso_a, practice=riverside.practice,
                                 facilities=[satellite_facility])
    satellite = _activate(satellite, users["staff.pso"], users["physicist.satellite"], users["reporter.satellite"])
    main_campus = riverside.facilities.get(name="Main Campus")
    riverside_b = agreement_create(by=staff_b, pso=pso_b, practice=riverside.practice, facilities=[main_campus])
    riverside_b = _activate(riverside_b, staff_b, users["physicist.riversideb"], users["reporter.riversideb"])
    agreements = {**world["agreements"], "hilltop": hilltop, "satellite": satellite, "riverside_b": riverside_b}
    markers = {}
    for marker, agreement in zip(MARKERS, agreements.values(), strict=False):
        markers[agreement.pk] = marker
        _marked_event(agreement, marker)
    world.update(agreements=agreements, users=users, markers=markers, pso_b=pso_b)
    return world


def _marked_event(agreement: Agreement, marker: str):
    """One event per agreement, submitted by its reporter, whose narrative carries the agreement's marker word."""
    from tests.factories.events import build_event

    reporter = agreement.memberships.filter(role=Role.REPORTER).select_related("user").first().user
    return build_event(agreement=agreement, user=reporter,
                       narrative=f"Setup note {marker}: bolus was missing at fraction 3, caught at time-out.")


def visible_markers(user, world) -> set[str]:
    """Markers a user may legitimately see: narratives of agreements they review or report under
    (their own events), and de-identified narratives of their PSO as an analyst."""
    access = user_access(user)
    markers = world["markers"]
    allowed = set()
    for agreement in world["agreements"].values():
        if agreement.pk in access.full or agreement.pk in access.own:
            allowed.add(markers[agreement.pk])
        if agreement.pso_id in access.pso_analyst:
            allowed.add(markers[agreement.pk])
    return allowed


def foreign_agreements(user, world, model=None) -> list[Agreement]:
    """Agreements the user has no business with at all.

    For a model shared across a PSO (`shared_within_pso`, e.g. published themes), every agreement of a PSO
    the user belongs to is home ground, so only other PSOs' agreements are foreign.
    """
    access = user_access(user)
    own_psos = set(access.pso_staff) | set(access.pso_analyst) | {
        a.pso_id for a in world["agreements"].values() if a.pk in access.roles
    }
    foreign = [
        a for a in world["agreements"].values()
        if a.pk not in access.roles and a.pso_id not in access.pso_staff and a.pso_id not in access.pso_analyst
    ]
    if getattr(model, "shared_within_pso", False):
        foreign = [a for a in foreign if a.pso_id not in own_psos]
    return foreign


def builder_for(model) -> callable:
    """`build_<model>(*, agreement, user)` from tests/factories/<app>.py: how to make a foreign object."""
    app_label = model._meta.app_label
    name = f"build_{model._meta.model_name}"
    try:
        module = importlib.import_module(f"tests.factories.{app_label}")
    except ModuleNotFoundError:
        module = None
    builder = getattr(module, name, None)
    if builder is None:
        raise LookupError(f"tests/factories/{app_label}.py needs {name}(*, agreement, user) for the matrix")
    return builder

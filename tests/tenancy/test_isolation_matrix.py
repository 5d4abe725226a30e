"""For every URL of the project and every role: foreign objects are 404, pages never show foreign data.

URLs are discovered from the URLconf, so a new view is covered without anyone remembering.
"""

import pytest
from django.urls import reverse

from .matrix import (
    PUBLIC_URL_NAMES,
    build_matrix_world,
    builder_for,
    discover_routes,
    foreign_agreements,
    visible_markers,
)

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

ROLES = [
    "reporter.riverside", "general.riverside", "physicist.riverside", "director.riverside", "reporter.lakeside",
    "physicist.lakeside", "staff.pso", "analyst.pso", "physicist.satellite", "physicist.riversideb",
    "reporter.hilltop", "staff.psob", "analyst.psob",
]
# 401: the read API's answer to a request without a token (a session is no credential there).
DENIED = {302, 401, 403, 404, 405, 410}


@pytest.fixture
def matrix_world():
    return build_matrix_world()


def _example_kwargs(route) -> dict | None:
    """Values for a route's non-pk URL kwargs, from its view's `url_kwarg_examples`; None if unknown."""
    examples = getattr(route.view_class, "url_kwarg_examples", {}) or {}
    extra = {k: examples[k] for k in route.kwargs if k != "pk" and k in examples}
    return extra if len(extra) == len([k for k in route.kwargs if k != "pk"]) else None


def _forbidden_markers(user, world):
    return set(world["markers"].values()) - visible_markers(user, world)


def _leaks(response, forbidden) -> list[str]:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith(("text/", "application/")):
        return []
    body = response.content.decode(errors="replace")
    return sorted(m for m in forbidden if m in body)


def test_routes_discovered_cover_every_app():
    names = {r.name.split(":")[0] for r in discover_routes() if ":" in r.name}
    assert {"practices"} <= names


@pytest.mark.parametrize("username", ROLES)
def test_isolation_every_route_for_role_never_leaks(client, matrix_world, password, username):
    user = matrix_world["users"][username]
    client.force_login(user)
    forbidden = _forbidden_markers(user, matrix_world)
    foreign = foreign_agreements(user, matrix_world)
    assert foreign, "every role must have foreign tenants in the matrix world"
    problems = []
    for route in discover_routes():
        if route.name in PUBLIC_URL_NAMES or route.name == "logout":
            continue
        if not route.kwargs:
            url = reverse(route.name)
            response = client.get(url)
            if response.status_code >= 500:
                problems.append(f"{route.name}: GET {response.status_code}")
            problems += [f"{route.name}: shows foreign marker {m}" for m in _leaks(response, forbidden)]
            continue
        extra = _example_kwargs(route)
        if extra is None:
            problems.append(f"{route.name}: URL kwargs {route.kwargs} need <int:pk> or the view's url_kwarg_examples")
            continue
        if "pk" not in route.kwargs:
            response = client.get(reverse(route.name, kwargs=extra))
            if response.status_code >= 500:
                problems.append(f"{route.name}: GET {response.status_code}")
            problems += [f"{route.name}: shows foreign marker {m}" for m in _leaks(response, forbidden)]
            continue
        model = getattr(route.view_class, "model", None)
        if model is None:
            problems.append(f"{route.name}: takes a pk but its view declares no model")
            continue
        try:
            builder = builder_for(model)
        except LookupError as exc:
            problems.append(f"{route.name}: {exc}")
            continue
        for agreement in foreign_agreements(user, matrix_world, model):
            member = agreement.memberships.filter(is_active=True).select_related("user").first().user
            obj = builder(agreement=agreement, user=member)
            url = reverse(route.name, kwargs={**extra, "pk": obj.pk})
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code not in DENIED:
                    problems.append(f"{route.name} {method.upper()} foreign {model.__name__} under "
                                    f"{agreement.reference}: {response.status_code}")
                problems += [f"{route.name}: shows foreign marker {m}" for m in _leaks(response, forbidden)]
    assert not problems, "\n".join(problems)


def test_isolation_anonymous_gets_login_or_404_everywhere(client, matrix_world):
    problems = []
    agreement = matrix_world["agreements"]["riverside"]
    member = agreement.memberships.filter(is_active=True).first().user
    for route in discover_routes():
        if route.name in PUBLIC_URL_NAMES:
            continue
        extra = _example_kwargs(route)
        if extra is None:
            continue  # reported by the role test
        if "pk" in route.kwargs:
            if getattr(route.view_class, "model", None) is None:
                continue  # reported by the role test
            obj = builder_for(route.view_class.model)(agreement=agreement, user=member)
            url = reverse(route.name, kwargs={**extra, "pk": obj.pk})
        else:
            url = reverse(route.name, kwargs=extra)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code not in DENIED:
                problems.append(f"{route.name} {method.upper()} anonymous: {response.status_code}")
            elif response.status_code == 302 and "/accounts/login/" not in response["Location"]:
                problems.append(f"{route.name}: anonymous redirected to {response['Location']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pso_key", ["pso", "pso_b"])
def test_isolation_every_api_route_for_a_psos_token(client, matrix_world, pso_key):
    """A PSO's API token, on every route of the read API: foreign records are 404 and lists hold only its own."""
    from reporting.tokens import api_token_create
    from tests.factories.reporting import build_storerecord, pso_staff_for

    pso = matrix_world[pso_key]
    _token, secret = api_token_create(by=pso_staff_for(pso), pso=pso, name="matrix", scopes=["records:read",
                                      "rollups:read"])  # fmt: skip
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    own, foreign = [], []
    for agreement in matrix_world["agreements"].values():
        member = agreement.memberships.filter(is_active=True).select_related("user").first().user
        (own if agreement.pso_id == pso.pk else foreign).append(build_storerecord(agreement=agreement, user=member))
    problems = []
    for route in discover_routes():
        if not route.name.startswith("api:") or route.name in PUBLIC_URL_NAMES:
            continue
        if "pk" not in route.kwargs:
            response = client.get(reverse(route.name), **auth)
            if response.status_code != 200:
                problems.append(f"{route.name}: GET {response.status_code}")
            elif route.name == "api:record-list":
                ids = {r["id"] for r in response.json()["results"]}
                if ids != {r.pk for r in own}:
                    problems.append(f"{route.name}: lists {sorted(ids)}, not its own {sorted(r.pk for r in own)}")
            continue
        for record in foreign:
            response = client.get(reverse(route.name, kwargs={"pk": record.pk}), **auth)
            if response.status_code != 404:
                problems.append(f"{route.name} foreign record {record.pk}: {response.status_code}")
        for record in own:
            if client.get(reverse(route.name, kwargs={"pk": record.pk}), **auth).status_code != 200:
                problems.append(f"{route.name} own record {record.pk}: not 200")
    assert own and foreign
    assert not problems, "\n".join(problems)

"""The read API: a token reads only its own PSO's store, within its scopes, is refused as soon as it is revoked,
writes nothing, pages in a constant number of queries, and is described by a valid OpenAPI schema; PSO staff make
and revoke tokens on their page, audited."""

import pytest
import yaml
from django.core.cache import caches
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practices.models import AuditEntry
from reporting.keys import pseudonym
from reporting.models import ApiToken
from reporting.search import EXPORT_FIELDS
from reporting.tokens import api_token_create, api_token_revoke
from tests.factories.reporting import pso_staff_for, push_record
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

LIST = reverse("api:record-list")
ROLLUPS = reverse("api:rollups")
TREND = reverse("api:trend")


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


def _token(pso, scopes=("records:read", "rollups:read")) -> tuple[ApiToken, str]:
    return api_token_create(by=pso_staff_for(pso), pso=pso, name="Reports", scopes=list(scopes))


def _auth(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _push(agreement, n, **fields):
    return push_record(agreement, event_key=pseudonym("event", f"api-{agreement.pk}-{n}"), **fields)


@pytest.fixture
def two_psos(world):
    riverside = world["agreements"]["riverside"]
    other = second_pso()
    mine = [_push(riverside, n, narrative=f"Couch shift {n} entered with the wrong sign.") for n in range(3)]
    theirs = [_push(other["agreement"], n, narrative="Bolus forgotten, theirsmarker.") for n in range(2)]
    return {"pso_a": world["pso"], "pso_b": other["pso"], "mine": mine, "theirs": theirs}


def test_token_of_pso_a_never_sees_pso_b(client, two_psos):
    _token_a, secret = _token(two_psos["pso_a"])
    response = client.get(LIST, **_auth(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {r["id"] for r in body["results"]} == {r.pk for r in two_psos["mine"]}
    assert "theirsmarker" not in response.content.decode()
    for record in two_psos["theirs"]:
        assert client.get(reverse("api:record-detail", args=[record.pk]), **_auth(secret)).status_code == 404
    assert client.get(LIST + "?q=bolus", **_auth(secret)).json()["count"] == 0
    rollups = client.get(ROLLUPS, **_auth(secret)).json()
    assert rollups["total"] == 3


def test_record_fields_equal_the_export_and_data_dictionary(client, two_psos):
    _token_a, secret = _token(two_psos["pso_a"])
    record = two_psos["mine"][0]
    body = client.get(reverse("api:record-detail", args=[record.pk]), **_auth(secret)).json()
    assert list(body) == ["id", "url", *EXPORT_FIELDS]
    assert body["narrative"] == record.narrative
    assert body["techniques"] == record.techniques
    assert body["url"].endswith(reverse("api:record-detail", args=[record.pk]))


def test_filters_and_search(client, world):
    riverside = world["agreements"]["riverside"]
    _push(riverside, 1, quarter="2026Q1", classification="near_miss", narrative="Wrong couch shift.")
    hit = _push(riverside, 2, quarter="2026Q2", classification="therapeutic", narrative="Bolus left off.")
    _token_a, secret = _token(world["pso"])
    for query, expected in (
        ("quarter=2026Q2", [hit.pk]),
        ("classification=therapeutic", [hit.pk]),
        ("q=bolus", [hit.pk]),
        ("technique=imrt_vmat&quarter_from=2026Q2", [hit.pk]),
    ):
        body = client.get(f"{LIST}?{query}", **_auth(secret)).json()
        assert [r["id"] for r in body["results"]] == expected, query
    bad = client.get(f"{LIST}?quarter=2026Q9&classification=nope", **_auth(secret))
    assert bad.status_code == 400
    assert set(bad.json()) == {"quarter", "classification"}
    trend = client.get(f"{TREND}?quarter_from=2026Q1", **_auth(secret)).json()
    assert trend["quarters"] == ["2026Q1", "2026Q2"] and trend["totals"] == [1, 1]


def test_revoked_token_is_refused_at_once(client, two_psos):
    token, secret = _token(two_psos["pso_a"])
    assert client.get(LIST, **_auth(secret)).status_code == 200
    api_token_revoke(by=pso_staff_for(two_psos["pso_a"]), token=token)
    response = client.get(LIST, **_auth(secret))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unauthenticated_and_bad_tokens_are_401(client, two_psos, users):
    assert client.get(LIST).status_code == 401
    assert client.get(LIST, **_auth("roils_not-a-token")).status_code == 401
    assert client.get(LIST, HTTP_AUTHORIZATION="Bearer a b").status_code == 401
    client.force_login(users["analyst.pso"])  # a session is no API credential
    assert client.get(LIST).status_code == 401


def test_a_token_without_the_scope_is_403(client, two_psos):
    _token_r, records_only = _token(two_psos["pso_a"], scopes=["records:read"])
    _token_s, rollups_only = _token(two_psos["pso_a"], scopes=["rollups:read"])
    assert client.get(ROLLUPS, **_auth(records_only)).status_code == 403
    assert client.get(TREND, **_auth(records_only)).status_code == 403
    assert client.get(LIST, **_auth(rollups_only)).status_code == 403
    assert client.get(ROLLUPS, **_auth(rollups_only)).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405(client, two_psos, method):
    _token_a, secret = _token(two_psos["pso_a"])
    detail = reverse("api:record-detail", args=[two_psos["mine"][0].pk])
    for url in (LIST, detail, ROLLUPS):
        assert getattr(client, method)(url, **_auth(secret)).status_code == 405, url


def test_each_use_is_counted_in_one_write(client, two_psos):
    token, secret = _token(two_psos["pso_a"])
    with CaptureQueriesContext(connections["default"]) as ctx:
        client.get(LIST, **_auth(secret))
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) == 1
    client.get(LIST, **_auth(secret))
    token.refresh_from_db()
    assert token.use_count == 2 and token.last_used_at is not None


def test_pagination_runs_a_constant_number_of_queries(client, world):
    riverside = world["agreements"]["riverside"]
    _token_a, secret = _token(world["pso"])

    def queries(url):
        with CaptureQueriesContext(connections["default"]) as main, CaptureQueriesContext(connections["pso"]) as pso:
            response = client.get(url, **_auth(secret))
        assert response.status_code == 200
        return len(main), len(pso), response.json()

    _push(riverside, 0)
    small = queries(LIST)
    for n in range(1, 8):
        _push(riverside, n)
    first = queries(LIST + "?page_size=3")
    last = queries(LIST + "?page_size=3&page=3")
    assert small[:2] == first[:2] == last[:2] == (1, 2)  # the token's UPDATE; COUNT and the page
    assert first[2]["count"] == 8 and len(first[2]["results"]) == 3 and first[2]["next"]
    assert len(last[2]["results"]) == 2 and last[2]["next"] is None
    assert client.get(LIST + "?page=9", **_auth(secret)).status_code == 404


def test_throttle_per_token_and_redis_outage(client, two_psos, settings):
    settings.ROILS_API_TOKEN_RATE = "2/min"
    _token_a, first = _token(two_psos["pso_a"])
    _token_b, second = _token(two_psos["pso_a"])
    assert [client.get(LIST, **_auth(first)).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(LIST, **_auth(second)).status_code == 200  # per token, not per PSO or address
    settings.CACHES = {
        "default": {
            "BACKEND": "foundation.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    caches["default"]  # the handler is rebuilt on the setting's change
    assert [client.get(LIST, **_auth(first)).status_code for _ in range(3)] == [200, 200, 200]  # misses: no limit


def test_schema_is_valid_openapi_and_docs_page_is_local(client, two_psos):
    from drf_spectacular.validation import validate_schema  # jsonschema against the OpenAPI 3.0 meta-schema

    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert {"/api/v1/records/", "/api/v1/records/{id}/", "/api/v1/rollups/", "/api/v1/rollups/trend/"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    assert b"curl -H" in docs.content and b"cdn" not in docs.content.lower()


# --- The staff page ---------------------------------------------------------------------------------------------

PAGE = reverse("reporting:apitoken-list")


def test_staff_create_shows_secret_once_and_audits(client, users, world):
    client.force_login(users["staff.pso"])
    response = client.post(PAGE, {"name": "Quarterly report", "pso": world["pso"].pk, "scopes": ["records:read"]})
    assert response.status_code == 201
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("roils_") and secret.encode() in response.content
    assert token.secret_hash != secret and secret not in str(ApiToken.objects.values().get())
    assert token.scopes == ["records:read"] and token.created_by == users["staff.pso"]
    assert AuditEntry.objects.filter(action="api_token_created", object_id=str(token.pk)).count() == 1
    listing = client.get(PAGE)
    assert b"Quarterly report" in listing.content and secret.encode() not in listing.content
    assert client.get(LIST, **_auth(secret)).status_code == 200


def test_staff_create_bad_input_is_a_form_error(client, users, world):
    client.force_login(users["staff.pso"])
    response = client.post(PAGE, {"name": "", "pso": world["pso"].pk, "scopes": ["admin:write"]})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"name", "scopes"}
    assert not ApiToken.objects.exists()


def test_staff_revoke_audits_and_other_psos_tokens_are_404(client, users, world):
    token, secret = _token(world["pso"])
    other = second_pso()
    foreign, _ = _token(other["pso"])
    client.force_login(users["staff.pso"])
    assert client.post(reverse("reporting:apitoken-revoke", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("reporting:apitoken-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == users["staff.pso"]
    assert AuditEntry.objects.filter(action="api_token_revoked", object_id=str(token.pk)).count() == 1
    assert client.get(LIST, **_auth(secret)).status_code == 401
    page = client.get(PAGE).content.decode()
    assert "Matrix" not in page and "Reports" in page and foreign.prefix not in page


def test_analysts_and_practice_users_have_no_token_page(client, users):
    for username in ("analyst.pso", "physicist.riverside"):
        client.force_login(users[username])
        assert client.get(PAGE).status_code == 404


def test_staff_page_queries_are_constant(client, users, world, django_assert_max_num_queries):
    client.force_login(users["staff.pso"])
    _token(world["pso"])
    with CaptureQueriesContext(connections["default"]) as one:
        client.get(PAGE)
    for _ in range(5):
        _token(world["pso"])
    with django_assert_max_num_queries(len(one)):
        client.get(PAGE)


def test_head_and_options_are_served(client, two_psos):
    _token_a, secret = _token(two_psos["pso_a"])
    assert client.head(LIST, **_auth(secret)).status_code == 200
    options = client.options(LIST, **_auth(secret))
    assert options.status_code == 200 and "GET" in options["Allow"] and "POST" not in options["Allow"]

"""Hostile input at every form and every id-taking URL: never a 500, never stored script that runs.

Forms are discovered from the pages themselves (every <form method=post> reachable by each role), so a
new form is fuzzed without anyone remembering.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tenancy.matrix import PUBLIC_URL_NAMES, builder_for, discover_routes

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

SCRIPT = "<script>roilsxss()</script>"
HOSTILE = st.one_of(
    st.just(SCRIPT),
    st.just('"><img src=x onerror=roilsxss()>'),
    st.just("'; DROP TABLE events_event; --"),
    st.just("1 OR 1=1"),
    st.just("a\x00b"),
    st.just("\x00"),
    st.just("x" * 1_000_000),
    st.just("2026-13-45"),
    st.just("31/02/2026"),
    st.just("-1"),
    st.just("99999999999999999999999"),
    st.just("null"),
    st.just("../../etc/passwd"),
    st.just("‮ṫëẍẗ 🙂 中文 العربية"),
    st.text(max_size=300),
    st.integers().map(str),
)
ROLES = ["reporter.riverside", "general.riverside", "physicist.riverside", "staff.pso", "analyst.pso"]
SKIP_FORMS = {"/accounts/logout/", "/accounts/logout/everywhere/"}


class _FormParser(HTMLParser):
    """Collects (action, field names) of every POST form on a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", set())
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name") not in (
            None, "csrfmiddlewaretoken"
        ):
            self._current[1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def _pages_for(user, world):
    """URLs of every page the role can open: list pages, and detail pages of objects of its own agreement."""
    own = world["agreements"]["riverside"]
    member = own.memberships.filter(is_active=True).select_related("user").first().user
    urls = []
    for route in discover_routes():
        if route.name in PUBLIC_URL_NAMES or route.name in ("logout", "logout-everywhere"):
            continue
        extra = getattr(route.view_class, "url_kwarg_examples", {}) or {}
        kwargs = {k: extra[k] for k in route.kwargs if k in extra}
        if "pk" in route.kwargs:
            model = getattr(route.view_class, "model", None)
            if model is None:
                continue
            kwargs["pk"] = builder_for(model)(agreement=own, user=member).pk
        if len(kwargs) != len(route.kwargs):
            continue
        urls.append(reverse(route.name, kwargs=kwargs))
    return urls + [reverse("practices:join"), reverse("login")]


def _forms_on(client, urls):
    forms = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _FormParser()
        parser.feed(response.content.decode(errors="replace"))
        for action, fields in parser.forms:
            target = urlparse(urljoin(url, action or url)).path
            if target not in SKIP_FORMS and fields:
                forms.setdefault(target, set()).update(fields)
    return forms


def _fuzz_form(client, user, target, field_list, failures):
    """Post hostile values into every field of one form, many times."""

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(values=st.lists(HOSTILE, min_size=len(field_list), max_size=len(field_list)))
    def post_hostile(values):
        client.force_login(user)
        response = client.post(target, dict(zip(field_list, values, strict=True)))
        if response.status_code >= 500:
            shown = {k: repr(v)[:40] for k, v in zip(field_list, values, strict=True)}
            failures.append(f"{target}: {response.status_code} for {shown}"[:400])

    post_hostile()


@pytest.mark.parametrize("username", ROLES)
def test_fuzz_every_form_for_role_never_500_never_stored_script(client, world, username):
    user = world["users"][username]
    client.force_login(user)
    pages = _pages_for(user, world)
    forms = _forms_on(client, pages)
    assert forms, f"no forms found for {username}"
    failures = []

    for target, fields in sorted(forms.items()):
        _fuzz_form(client, user, target, sorted(fields), failures)
    client.force_login(user)
    for url in pages:
        response = client.get(url)
        # A download (evidence of an action) streams; it is served as an attachment, never rendered.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        body = content.decode(errors="replace")
        if SCRIPT in body or "<img src=x onerror=roilsxss()>" in body:
            failures.append(f"{url}: renders stored script unescaped")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("pk", [0, -1, 2**31, 2**63 - 1, 2**63, 10**30])
def test_fuzz_id_urls_with_absurd_ids_give_404_not_500(client, world, pk):
    client.force_login(world["users"]["physicist.riverside"])
    for route in discover_routes():
        if "pk" not in route.kwargs or route.name in PUBLIC_URL_NAMES:
            continue
        extra = getattr(route.view_class, "url_kwarg_examples", {}) or {}
        url = reverse(route.name, kwargs={"pk": 1, **{k: extra.get(k, "x") for k in route.kwargs if k != "pk"}})
        url = url.replace("/1/", f"/{pk}/", 1) if pk >= 0 else url.replace("/1/", "/-1/", 1)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"

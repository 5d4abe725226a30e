"""Themes: written by the PSO's staff and analysts, read by the practices of that PSO only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.urls import reverse

from reporting.models import Theme
from reporting.themes import theme_create, theme_update, themes_for
from tests.factories.reporting import build_theme
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

DATA = {"title": "Time-outs that catch wrong shifts", "body": "Say the shift aloud.", "tags": ["setup"],
        "categories": ["human", "cp.detect.attention"]}  # fmt: skip


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    """These tests sign in with force_login; the two-factor step is proven by the browser and security tests."""
    settings.ROILS_ENFORCE_2FA = False


def test_theme_create_by_staff_or_analyst_of_the_pso(world, users):
    for username in ("staff.pso", "analyst.pso"):
        theme = theme_create(by=users[username], pso=world["pso"], data=DATA, publish=True)
        assert theme.author == users[username] and theme.published_at is not None


@pytest.mark.parametrize("username", ["physicist.riverside", "reporter.riverside"])
def test_theme_create_by_practice_user_denied(world, users, username):
    with pytest.raises(PermissionDenied):
        theme_create(by=users[username], pso=world["pso"], data=DATA, publish=True)


def test_theme_create_for_another_pso_denied(world, users):
    other = second_pso()
    with pytest.raises(PermissionDenied):
        theme_create(by=users["staff.pso"], pso=other["pso"], data=DATA, publish=True)


def test_themes_for_practice_users_own_pso_published_only(world, users):
    other = second_pso()
    mine = build_theme(agreement=world["agreements"]["riverside"])
    build_theme(agreement=world["agreements"]["riverside"], publish=False, title="Draft")
    build_theme(agreement=other["agreement"], title="Other PSO's theme")
    for username in ("reporter.riverside", "physicist.lakeside", "general.riverside", "analyst.pso"):
        assert list(themes_for(users[username])) == [mine], username
    assert list(themes_for(other["staff"])) == [Theme.objects.get(title="Other PSO's theme")]


def test_theme_update_publish_toggle_and_audit(world, users):
    theme = build_theme(agreement=world["agreements"]["riverside"], publish=False)
    assert theme.published_at is None
    theme = theme_update(by=users["analyst.pso"], theme=theme, data={**DATA, "title": "Renamed"}, publish=True)
    assert theme.title == "Renamed" and theme.published_at is not None
    from practices.models import AuditEntry

    entry = AuditEntry.objects.filter(action="theme.update").get()
    assert entry.changes["title"][1] == "Renamed" and entry.changes["published"] == [False, True]


def test_theme_views_practice_user_reads_but_cannot_write(client, world, users):
    theme = build_theme(agreement=world["agreements"]["riverside"])
    draft = build_theme(agreement=world["agreements"]["riverside"], publish=False, title="Draft")
    client.force_login(users["physicist.riverside"])
    assert client.get(reverse("reporting:theme-detail", args=[theme.pk])).status_code == 200
    assert client.get(reverse("reporting:theme-detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("reporting:theme-update", args=[theme.pk])).status_code == 404
    assert client.get(reverse("reporting:theme-create")).status_code == 404
    assert client.post(reverse("reporting:theme-create"), {"title": "x", "body": "y"}).status_code == 404


def test_theme_views_other_pso_theme_404(client, world, users):
    other = second_pso()
    foreign = build_theme(agreement=other["agreement"])
    for username in ("staff.pso", "analyst.pso", "physicist.riverside"):
        client.force_login(users[username])
        assert client.get(reverse("reporting:theme-detail", args=[foreign.pk])).status_code == 404
        assert client.get(reverse("reporting:theme-update", args=[foreign.pk])).status_code == 404


def test_theme_create_and_update_views_by_analyst(client, world, users):
    client.force_login(users["analyst.pso"])
    response = client.post(reverse("reporting:theme-create"), {
        "pso": world["pso"].pk, "title": "Laterality checks", "body": "Mark the side.", "tags": "laterality, time-out",
        "categories": ["human"], "publish": "on",
    })  # fmt: skip
    theme = Theme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:theme-detail", args=[theme.pk])
    assert theme.tags == ["laterality", "time-out"] and theme.published_at is not None
    client.force_login(users["staff.pso"])
    response = client.post(reverse("reporting:theme-update", args=[theme.pk]), {
        "title": "Laterality checks, revised", "body": "Mark the side.", "tags": "", "categories": [],
    })  # fmt: skip
    theme.refresh_from_db()
    assert response.status_code == 302
    assert (theme.title, theme.tags, theme.published_at) == ("Laterality checks, revised", [], None)
    assert client.get(reverse("reporting:theme-list")).status_code == 200


def test_latest_themes_tag_renders_own_pso_themes(world, users):
    build_theme(agreement=world["agreements"]["riverside"], title="Shown to Riverside")
    other = second_pso()
    build_theme(agreement=other["agreement"], title="Not for Riverside")
    template = Template("{% load themes %}{% latest_themes user %}")
    html = template.render(Context({"user": users["reporter.riverside"]}))
    assert "Shown to Riverside" in html and "Not for Riverside" not in html
    assert template.render(Context({"user": users["analyst.pso"]})).count("Not for Riverside") == 0


def test_latest_themes_card_shows_a_new_or_unpublished_theme_on_the_next_page(world, users):
    template = Template("{% load themes %}{% latest_themes user %}")
    first = build_theme(agreement=world["agreements"]["riverside"], title="First lesson")
    assert "First lesson" in template.render(Context({"user": users["reporter.riverside"]}))
    build_theme(agreement=world["agreements"]["riverside"], title="Second lesson")
    html = template.render(Context({"user": users["reporter.riverside"]}))
    assert "Second lesson" in html and "First lesson" in html
    theme_update(by=users["analyst.pso"], theme=first, data={**DATA, "title": "First lesson"}, publish=False)
    html = template.render(Context({"user": users["reporter.riverside"]}))
    assert "First lesson" not in html and "Second lesson" in html


def test_latest_themes_after_suspension_each_member_sees_what_scoping_allows_on_the_next_request(world, users):
    """The stale read of issue 19: a reviewer and a reporter of one agreement, the agreement suspended.

    The reviewer keeps read access through the retention period, so the queue still shows the PSO's themes; the
    reporter's own-rows access ends, so their page shows none, even right after the reviewer's page was drawn.
    """
    from django.test import Client

    from practices.choices import AgreementState
    from practices.services import agreement_transition

    build_theme(agreement=world["agreements"]["riverside"], title="Wrong-side blocks")
    reviewer, reporter = Client(), Client()
    reviewer.force_login(users["physicist.riverside"])
    reporter.force_login(users["reporter.riverside"])
    queue, submit = reverse("review:queue"), reverse("events:event-create")
    assert "Wrong-side blocks" in reviewer.get(queue).content.decode()
    assert "Wrong-side blocks" in reporter.get(submit).content.decode()

    agreement_transition(agreement=world["agreements"]["riverside"], by=users["staff.pso"],
                         to=AgreementState.SUSPENDED, note="lapsed")
    assert "Wrong-side blocks" in reviewer.get(queue).content.decode()  # drawn first, for the same agreement
    page = reporter.get(submit)
    assert page.status_code == 200 and not page.context["can_submit"]
    assert "Wrong-side blocks" not in page.content.decode()
    themes = reporter.get(reverse("reporting:theme-list"))
    assert themes.status_code == 200 and list(themes.context["themes"]) == []
    assert "Wrong-side blocks" in reviewer.get(queue).content.decode()

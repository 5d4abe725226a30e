"""The glossary page for every role, the Themes link in the practice menu, names rather than logins."""

import pytest
from django.urls import reverse

from practices.navigation import navigation_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


@pytest.mark.parametrize(
    "username", ["reporter.riverside", "general.riverside", "physicist.riverside", "staff.pso", "analyst.pso"]
)
def test_glossary_open_to_every_role_with_the_taxonomy_terms(client, users, username):
    client.force_login(users[username])
    response = client.get(reverse("glossary"))
    content = response.content.decode()
    assert response.status_code == 200
    for term in (
        "Near miss",
        "Severe harm",
        "Medical severity (AAPM 0–10)",
        "Deviation over 5% to 10%",
        "Human behavior",
        "High (hardware/software)",
        "Record &amp; verify system",
    ):
        assert term in content, term


def test_glossary_anonymous_is_sent_to_sign_in(client):
    assert client.get(reverse("glossary"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["reporter.riverside", "physicist.riverside", "staff.pso", "analyst.pso"])
def test_themes_in_the_menu_of_practice_and_pso_people(client, users, username):
    assert "Themes" in [item["label"] for item in navigation_for(users[username])]
    client.force_login(users[username])
    assert client.get(reverse("reporting:theme-list")).status_code == 200


def test_header_shows_the_persons_name_not_the_login(client, users):
    user = users["physicist.riverside"]
    client.force_login(user)
    content = client.get(reverse("practices:profile")).content.decode()
    assert user.get_full_name() and user.get_full_name() in content

"""Every demo role signs in through the browser and lands where it works."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]

# Where each role lands after signing in, and the heading it sees there.
ROLE_LANDING = {
    "reporter.riverside": ("/events/new/", "Submit a safety event"),
    "general.riverside": ("/events/new/", "Submit a safety event"),
    "physicist.riverside": ("/review/", "My review"),
    "director.riverside": ("/review/", "My review"),
    "physicist.lakeside": ("/review/", "My review"),
    "staff.pso": ("/enrolment/", "Enrolment queue"),
    "analyst.pso": ("/reporting/dashboard/", None),
}


@pytest.mark.parametrize("username", sorted(ROLE_LANDING))
def test_login_each_demo_role_lands_on_its_home(page, live_server, world, login, username):
    path, heading = ROLE_LANDING[username]
    login(page, username)
    assert page.url == f"{live_server.url}{path}"
    nav = page.get_by_role("navigation", name="Main navigation")
    from practices.models import User

    assert str(User.objects.get(username=username)) in nav.inner_text()  # the person's name, not their login
    if heading:
        assert page.get_by_role("heading", name=heading, level=1).is_visible()
    assert page.title().endswith("roils")


def test_login_wrong_password_shows_clear_error(page, live_server, world):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("reporter.riverside")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "/accounts/login/" in page.url

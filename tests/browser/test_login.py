"""Every demo role signs in through the browser and lands where it works."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_LANDING = {
    "reporter.riverside": "Submit",
    "general.riverside": "Submit",
    "physicist.riverside": "review",
    "director.riverside": "review",
    "physicist.lakeside": "review",
    "staff.pso": "Enrolment",
    "analyst.pso": "Aggregate",
}


@pytest.mark.parametrize("username", sorted(ROLE_LANDING))
def test_login_each_demo_role_lands_on_its_home(page, live_server, world, login, username):
    login(page, username)
    assert "/accounts/login/" not in page.url
    assert page.get_by_role("navigation", name="Main navigation").is_visible()
    assert username in page.content()
    assert page.title().endswith("roils")


def test_login_wrong_password_shows_clear_error(page, live_server, world):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("reporter.riverside")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "/accounts/login/" in page.url

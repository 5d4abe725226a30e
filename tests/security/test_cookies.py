"""A signed-in page sets no cookie but the session's and CSRF's, for every role, through its pages and its flows.

Each role signs in through the real form (2FA, lockout and rate limits on, CSRF checked) and walks every page of its
navigation, its profile, and its main write: a report (POST, redirect, confirmation), a review saved, a message on
an agreement. Nothing about the user, their device, their tenants, a receipt or a flash message rides in a cookie.
"""

import re

import pyotp
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from practices.demo import DEMO_TOTP_SECRET
from practices.models import Agreement
from tests.factories.events import build_event, form_post

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

ALLOWED = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
TOTP_ROLES = {"physicist.riverside", "staff.pso", "analyst.pso"}


class Browser:
    """A test client that checks CSRF like a browser and records the name of every cookie a response sets."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)
        self.set: dict[str, set[str]] = {}

    def _seen(self, method, url, response):
        self.set[f"{method} {url}"] = set(response.cookies)
        return response

    def get(self, url):
        return self._seen("GET", url, self.client.get(url))

    def post(self, url, data):
        token = self.client.cookies[settings.CSRF_COOKIE_NAME].value
        return self._seen("POST", url, self.client.post(url, {**data, "csrfmiddlewaretoken": token}))

    def foreign_cookies(self) -> dict[str, set[str]]:
        return {request: names - ALLOWED for request, names in self.set.items() if names - ALLOWED}


@pytest.fixture
def controls_on(settings):
    settings.ROILS_ENFORCE_2FA = True
    settings.AXES_ENABLED = True
    settings.RATELIMIT_ENABLE = True


def _sign_in(username, password) -> tuple[Browser, list[str]]:
    """Signed in through the form; returns the browser and the URLs of the landing page's navigation."""
    browser = Browser()
    assert browser.get(reverse("login")).status_code == 200
    data = {"username": username, "password": password}
    if username in TOTP_ROLES:
        data["otp_token"] = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    response = browser.post(reverse("login"), data)
    assert response.status_code == 302, username
    home = browser.get(response["Location"])
    landing = browser.get(home["Location"]) if home.status_code == 302 else home
    assert landing.status_code == 200
    return browser, [item["url"] for item in landing.context["nav"]]


def _walk(browser, urls) -> None:
    for url in [*urls, reverse("practices:profile"), reverse("password_change")]:
        assert browser.get(url).status_code == 200, url


def _sign_out(browser) -> None:
    assert browser.post(reverse("logout"), {}).status_code == 302


@pytest.mark.parametrize("username", ["reporter.riverside", "general.riverside"])
def test_cookies_reporter_and_shared_login_pages_and_submit_flow(world, password, controls_on, username):
    browser, nav = _sign_in(username, password)
    _walk(browser, nav)
    coverage = world["agreements"]["riverside"].coverages.first()
    posted = browser.post(reverse("events:event-create"), form_post(coverage))
    assert posted.status_code == 302
    confirmation = browser.get(posted["Location"])
    assert confirmation.status_code == 200 and confirmation.context["just_submitted"]
    assert browser.get(posted["Location"]).status_code == 200  # a later visit
    _sign_out(browser)
    assert browser.foreign_cookies() == {}


def test_cookies_full_access_pages_and_review_flow(world, password, controls_on):
    event = build_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    browser, nav = _sign_in("physicist.riverside", password)
    _walk(browser, nav)
    url = reverse("review:event-detail", args=[event.pk])
    assert browser.get(url).status_code == 200
    saved = browser.post(url, {"classification": "near_miss", "title": "Wrong plan loaded", "expected_version": 0,
                               "contributing_factors": ["pm.training"], "possibly_reportable": "unknown"})
    assert saved.status_code == 302
    page = browser.get(saved["Location"])
    assert "Review saved." in page.content.decode()  # the flash message came through the session
    _sign_out(browser)
    assert browser.foreign_cookies() == {}


def test_cookies_pso_staff_pages_and_agreement_message_flow(world, password, controls_on):
    browser, nav = _sign_in("staff.pso", password)
    _walk(browser, nav)
    agreement = Agreement.objects.get(pk=world["agreements"]["riverside"].pk)
    url = reverse("practices:agreement-detail", args=[agreement.pk])
    assert browser.get(url).status_code == 200
    sent = browser.post(reverse("practices:agreement-message", args=[agreement.pk]), {"body": "Training is booked."})
    assert sent.status_code == 302
    assert "Message recorded." in browser.get(sent["Location"]).content.decode()
    _sign_out(browser)
    assert browser.foreign_cookies() == {}


def test_cookies_pso_analyst_pages(world, password, controls_on):
    browser, nav = _sign_in("analyst.pso", password)
    assert any(re.search(r"dashboard", url) for url in nav)
    _walk(browser, nav)
    _sign_out(browser)
    assert browser.foreign_cookies() == {}

"""What a new user tripped over, proved in the browser: the seat badge, one access-log entry per view, the lockout
on wrong authenticator codes."""

import os

import pytest
from django.conf import settings
from playwright.sync_api import expect

from practices.models import AccessLog, Membership
from practices.services import invitation_create, membership_deactivate
from tests.browser.fixtures import totp_now
from tests.factories.review import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]
SHOTS = os.environ.get("POLISH_SHOTS_DIR")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_agreement_page_seat_offered_to_a_pending_invitation(page, live_server, world, login):
    riverside, users = world["agreements"]["riverside"], world["users"]
    membership_deactivate(
        by=users["physicist.riverside"],
        membership=Membership.objects.get(agreement=riverside, user=users["director.riverside"]),
    )
    invitation_create(
        by=users["physicist.riverside"],
        agreement=riverside,
        email="nr@riverside.example",
        username="new.reviewer",
        role="full_access",
        first_name="Nora",
        last_name="Reyes",
    )
    login(page, "physicist.riverside")
    page.goto(f"{live_server.url}/agreements/{riverside.pk}/")
    expect(page.locator("[data-seat='2']")).to_have_text("Seat 2: offered to Nora (invitation pending)")
    row = page.locator("[data-invitation='new.reviewer']")
    expect(row).to_contain_text("Full access (reviewer)")
    expect(row).not_to_contain_text("full_access")
    row.get_by_role("button", name="Copy link").click()
    assert "/invitation/" in page.locator("#invitation-link").input_value()
    _shot(page, "agreement-invitation-link")
    page.locator("[data-invitation='new.reviewer']").get_by_role("button", name="Revoke").click()
    expect(page.locator("[data-seat='2']")).to_have_text("Seat 2: free")


def test_access_log_one_entry_for_a_view_a_save_and_reloads(page, live_server, world, login):
    event = make_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    login(page, "physicist.riverside")
    page.goto(f"{live_server.url}/review/events/{event.pk}/")
    page.get_by_label("Title").fill("Mask stored on the wrong shelf")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_label("Title")).to_have_value("Mask stored on the wrong shelf")
    page.reload()
    page.reload()
    assert AccessLog.objects.filter(action="view", object_label=event.reference).count() == 1
    page.goto(f"{live_server.url}/access-log/")
    page.get_by_label("Event reference").fill(event.reference)
    page.get_by_label("Kind").select_option("view")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Viewed")
    _shot(page, "access-log-filtered")


def test_wrong_authenticator_codes_lock_the_sign_in(page, live_server, world, password):
    code = totp_now("physicist.riverside")
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("physicist.riverside")
        page.get_by_label("Password").fill(password)
        page.locator("#id_otp_token").fill(wrong)
        page.get_by_role("button", name="Sign in").click()
        if attempt < settings.AXES_FAILURE_LIMIT - 1:
            expect(page.get_by_role("alert")).to_contain_text("authenticator code is wrong")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("physicist.riverside")
    page.get_by_label("Password").fill(password)
    page.locator("#id_otp_token").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    assert "/review/" not in page.url


def test_unknown_address_shows_the_products_404_page(page, live_server, world):
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert "URLconf" not in page.content()
    assert "camera=()" in response.headers["permissions-policy"]

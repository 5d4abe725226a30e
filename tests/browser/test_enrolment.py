"""A practice walks through enrolment to its first login, as the PSO staff and the practice would."""

import re

import pyotp
import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]


def _apply(page, to_label, **fields):
    page.get_by_label("New state").select_option(label=to_label)
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")


def test_enrolment_join_to_first_login(page, browser, live_server, world, login):
    # The practice files the participation form.
    page.goto(f"{live_server.url}/join/")
    page.get_by_label("Practice name").fill("Harbor Radiation Therapy")
    page.get_by_label("Patient Safety Organization").select_option(label="Radiation Oncology Safety PSO")
    page.get_by_label("Street address").fill("77 Wharf Road")
    page.get_by_label("City").first.fill("Portland")
    page.locator("#id_state").select_option("ME")
    page.locator("#id_zip_code").fill("04101")
    page.get_by_label("Contact person").fill("Harper Quinn")
    page.get_by_label("Contact email").fill("harper@harbor.example")
    page.locator("#id_facility-0-name").fill("Harbor Main")
    page.get_by_role("button", name="Send participation form").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Participation form received").is_visible()
    reference = re.search(r"PSA-[0-9A-F]{6}", page.content()).group(0)

    # PSO staff take it from the queue through to activation, issuing the first login on the way.
    login(page, "staff.pso")
    assert "/enrolment/" in page.url
    page.get_by_role("link", name="Harbor Radiation Therapy").click()
    assert reference in page.content()
    _apply(page, "Agreement sent")
    page.get_by_label("Reply").fill("Please find the provider services agreement attached.")
    page.get_by_role("button", name="Send").click()
    _apply(page, "Executed", **{"Practice signatory": "Harper Quinn", "PSO signatory": "Pat Enrolment",
                                "Signed on": "2026-11-20"})
    assert page.get_by_text("The agreement is now 'Executed'.").is_visible()
    _apply(page, "Training completed")
    page.locator("#inv-username").fill("physicist.harbor")
    page.locator("#inv-email").fill("physics@harbor.example")
    page.locator("#inv-role").select_option("full_access")
    page.locator("#inv-first").fill("Hal")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Invitation sent to physics@harbor.example").is_visible()
    _apply(page, "Active")
    assert page.get_by_text("The agreement is now 'Active'.").is_visible()
    history = page.get_by_role("heading", name="History").locator("..").inner_text()
    assert "Agreement sent → Executed" in history or "agreement sent → executed" in history.lower()
    assert "trained → active" in history.lower()

    # The invitee opens the one-time link, sets a password and is in.
    link = re.search(r"http://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)
    invitee = browser.new_page()
    invitee.goto(link)
    invitee.locator("#id_password1").fill("Tide-lantern-Quartz-88")
    invitee.locator("#id_password2").fill("Tide-lantern-Quartz-88")
    invitee.get_by_role("button", name="Set password and sign in").click()
    invitee.wait_for_load_state("networkidle")
    # A reviewer must pair an authenticator before anything else.
    assert "/accounts/2fa/setup/" in invitee.url
    assert invitee.get_by_role("img", name="QR code for your authenticator app").is_visible()
    key = invitee.locator("code").inner_text().replace(" ", "")
    invitee.get_by_label("Authenticator code").fill(pyotp.TOTP(key).now())
    invitee.get_by_role("button", name="Confirm").click()
    invitee.wait_for_load_state("networkidle")
    assert "/accounts/2fa/" not in invitee.url
    invitee.goto(f"{live_server.url}/profile/")
    assert "Full access (reviewer) · Harbor Radiation Therapy" in invitee.locator("main").inner_text()
    # The link works once.
    again = browser.new_page()
    response = again.goto(link)
    assert response.status == 410
    assert again.get_by_text("already been used").is_visible()


def test_join_non_us_practice_gets_clear_message(page, live_server, world):
    page.goto(f"{live_server.url}/join/")
    page.get_by_label("Country").fill("Canada")
    page.get_by_role("button", name="Send participation form").click()
    assert page.get_by_text("Only practices in the United States can join").is_visible()

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


def test_event_page_status_panel_stays_in_reach_on_a_long_page(browser, live_server, world, login):
    event = make_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        login(page, "physicist.riverside")
        page.goto(f"{live_server.url}/review/events/{event.pk}/")
        assert page.evaluate("() => document.documentElement.scrollHeight") > 2000
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(200)
        box = page.locator(".status-panel").bounding_box()
        assert 0 <= box["y"] < 800, box  # still on screen at the bottom of the page
        expect(page.get_by_role("button", name="Start review")).to_be_in_viewport()
        _shot(page, "event-bottom-sticky-status-1280")
    finally:
        context.close()


def test_theme_categories_are_a_searchable_checkbox_picker(page, live_server, world, login):
    from reporting.models import Theme

    login(page, "staff.pso")
    page.goto(f"{live_server.url}/reporting/themes/new/")
    page.get_by_label("Title").fill("Time-outs that are read, not recited")
    page.get_by_label("Text").fill("Several practices reported time-outs done from memory.")
    page.get_by_label("Related categories").fill("human behav")
    option = page.get_by_label("Human behavior", exact=True)
    expect(option).to_be_visible()
    option.check()
    expect(page.locator("[data-picker-chips]")).to_contain_text("Human behavior")
    _shot(page, "theme-form-picker-1280")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Time-outs that are read, not recited")).to_be_visible()
    assert Theme.objects.get().categories == ["human"]


def test_pso_chart_labels_are_whole_and_distinct(page, live_server, world, login):
    from tests.factories.reporting import push_record

    riverside = world["agreements"]["riverside"]
    for score in (3, 4, 5, 6):
        push_record(riverside, classification="therapeutic", dosimetric_severity=score, narrative=f"Score {score}.")
    push_record(riverside, workflow_origin="treatment_planning", narrative="Planning.")
    login(page, "analyst.pso")
    page.goto(f"{live_server.url}/reporting/dashboard/")
    page.wait_for_function("() => window.Chart && document.querySelector('canvas[data-chart]')")
    labels = page.evaluate("""() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(c => {
        const chart = window.Chart.getChart(c);
        const axis = chart.options.indexAxis === 'y' ? chart.scales.y : chart.scales.x;
        return [c.dataset.chart, axis.ticks.map(t => [].concat(t.label).join(' '))];
    })""")
    by_key = dict(labels)
    for key, ticks in by_key.items():
        assert len(ticks) == len(set(ticks)), (key, ticks)
        assert not any(t.endswith("…") for t in ticks if len(t) < 120), (key, ticks)
    dosimetric = by_key["dosimetric_severity"]
    assert "3 – Deviation over 5% to 10%" in dosimetric and "4 – Deviation over 5% to 10%" in dosimetric
    _shot(page, "pso-dashboard-1280")


NEW_PAGES = {
    "physicist.riverside": [
        "/glossary/",
        "/access-log/",
        "/access-log/?kind=view",
        "/agreements/{riverside}/",
        "/review/",
    ],
    "staff.pso": ["/reporting/themes/new/", "/agreements/{riverside}/", "/reporting/participation/"],
}


@pytest.mark.parametrize("username", sorted(NEW_PAGES))
@pytest.mark.parametrize("width", [390, 1280])
def test_changed_pages_pass_axe_and_show_keyboard_focus(browser, live_server, world, login, username, width):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        login(page, username)
        for path in NEW_PAGES[username]:
            page.goto(live_server.url + path.format(riverside=world["agreements"]["riverside"].pk))
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, path
            violations = Axe().run(page).response["violations"]
            assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == [], path
        page.keyboard.press("Tab")  # the skip link, then the brand
        page.keyboard.press("Tab")
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none"), outline
        _shot(page, f"{username.split('.')[0]}-last-{width}")
    finally:
        context.close()

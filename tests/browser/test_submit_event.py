"""Submit Event in a real browser: named, shared and phone reporters, drafts, the privacy guard, axe-core."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from events.models import Draft, Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPICAL_NARRATIVE = (
    "Plan for the wrong site was loaded at the console. Caught at the time-out before beam on; "
    "the right plan was loaded."
)
SHOTS = "/tmp/shots"


class Effort:
    """Counts what the reporter does: clicks (taps) and keystrokes."""

    def __init__(self, page):
        self.page, self.clicks, self.keys = page, 0, 0

    def click(self, locator):
        locator.click()
        self.clicks += 1

    def tap(self, locator):
        locator.tap()
        self.clicks += 1

    def type(self, locator, text):
        locator.click()
        self.clicks += 1
        locator.press_sequentially(text)
        self.keys += len(text)

    def choose(self, locator, value):
        # Opening a drop-down and picking an option: two clicks or taps.
        locator.select_option(value)
        self.clicks += 2

    def press(self, key, times=1):
        for _ in range(times):
            self.page.keyboard.press(key)
        self.keys += times


def _report(capsys, title, **numbers):
    with capsys.disabled():
        print(f"\n[submit-event effort] {title}: " + ", ".join(f"{k}={v}" for k, v in numbers.items()))


def _open_form(page, live_server, login, username):
    login(page, username)
    page.goto(f"{live_server.url}/events/new/")
    expect(page.get_by_role("heading", name="Submit a safety event")).to_be_visible()


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def _fill_typical(effort, page, *, facility="Main Campus"):
    effort.click(page.get_by_text(facility, exact=True))
    effort.click(page.get_by_text("Near miss", exact=True))
    effort.type(page.get_by_label("What happened?"), TYPICAL_NARRATIVE)
    effort.click(page.get_by_text("IMRT/VMAT", exact=True))
    effort.choose(page.get_by_label("Your role"), "radiation_therapist")


def test_submit_event_reporter_riverside_typical_report(page, live_server, world, login, capsys):
    _open_form(page, live_server, login, "reporter.riverside")
    required = page.locator("[data-required='1']").count()
    prefilled = page.locator("#id_event_date").input_value() != ""
    effort = Effort(page)
    _fill_typical(effort, page)
    required_clicks, required_keys = effort.clicks, effort.keys
    effort.choose(page.get_by_label("Patient age range"), "60_69")
    effort.choose(page.get_by_label("Patient sex"), "female")
    effort.click(page.get_by_role("button", name="Submit event"))
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    event = Event.objects.get()
    expect(page.locator("#event-reference")).to_have_text(event.reference)
    assert event.reference.startswith("RCC-") and str(event.pk) != event.reference
    assert event.submitted_by.username == "reporter.riverside" and event.reporter_name == "Sam Rivera"
    assert (event.age_range, event.patient_sex) == ("60_69", "female")
    assert not Draft.objects.exists()
    # The confirmation's deferred script drops the browser's draft; the heading can be visible just before it runs.
    page.wait_for_function("() => localStorage.length === 0", timeout=5_000)
    _report(capsys, "required questions", required=required, prefilled_date=prefilled,
            to_answer=required - int(prefilled))
    _report(capsys, "minimal report (required answers + submit)", clicks=required_clicks + 1,
            keystrokes=required_keys, narrative_chars=len(TYPICAL_NARRATIVE))
    _report(capsys, "typical report (+ age range and sex)", clicks=effort.clicks, keystrokes=effort.keys)
    page.get_by_role("link", name="My submissions").first.click()
    expect(page.get_by_role("table").get_by_role("link", name=event.reference)).to_be_visible()


def test_confirmation_clears_only_the_draft_of_its_own_report(page, live_server, world, login):
    """A reload of the confirmation while another report is being written (another tab) keeps that draft."""
    _open_form(page, live_server, login, "reporter.riverside")
    key = page.evaluate("() => JSON.parse(document.getElementById('event-form-config').textContent).storageKey")
    _fill_typical(Effort(page), page)
    page.get_by_role("button", name="Submit event").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    page.wait_for_function(f"() => localStorage.getItem({key!r}) === null", timeout=5_000)
    other = "{fields: {narrative: 'The next report, half written.', idempotency_key: 'k2'}, saved_at: Date.now()}"
    page.evaluate(f"() => localStorage.setItem({key!r}, JSON.stringify({other}))")
    page.reload()
    expect(page.locator("#event-reference")).to_have_text(Event.objects.get().reference)
    page.wait_for_timeout(300)  # the deferred script has run by now
    assert "half written" in page.evaluate(f"() => localStorage.getItem({key!r})")


def test_submit_event_general_riverside_is_anonymous(page, live_server, world, login):
    _open_form(page, live_server, login, "general.riverside")
    expect(page.locator("#shared-login-note")).to_contain_text("anonymous")
    expect(page.locator("#shared-login-note")).to_contain_text("only in this browser")
    assert page.locator("#id_reporter_name").count() == 0
    _fill_typical(Effort(page), page, facility="North Clinic")
    page.get_by_role("button", name="Submit event").click()
    expect(page.get_by_text("This report is anonymous")).to_be_visible()
    event = Event.objects.get()
    assert (event.is_anonymous, event.submitted_by_id, event.reporter_name) == (True, None, "")
    assert event.facility.name == "North Clinic"
    assert not Draft.objects.exists()


def test_submit_event_on_a_phone(browser, live_server, world, login, capsys):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    try:
        _open_form(page, live_server, login, "reporter.lakeside")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # The only facility is preselected; every choice card and field is a large touch target.
        expect(page.locator("#id_coverage_0")).to_be_checked()
        for selector in ("#id_classification_0", "#id_techniques_0", "#id_coverage_0"):
            card = page.locator(selector).locator("xpath=ancestor::div[contains(@class,'border')][1]")
            assert card.bounding_box()["height"] >= 44
        for selector in ("#id_event_date", "#id_reporter_role", "#submit-event", "#id_narrative"):
            assert page.locator(selector).bounding_box()["height"] >= 44
        widths = page.evaluate("""() => [...document.querySelectorAll('#event-form [data-question]')]
                                   .map(el => el.getBoundingClientRect().width)""")
        assert max(widths) <= 390
        page.screenshot(path=f"{SHOTS}/events_phone_form_top.png")
        effort = Effort(page)
        effort.tap(page.get_by_text("Unsafe condition", exact=True))
        effort.type(page.get_by_label("What happened?"), "Door interlock sometimes fails to register the door.")
        effort.tap(page.get_by_text("Not applicable", exact=True))
        effort.choose(page.get_by_label("Your role"), "medical_physicist")
        effort.tap(page.get_by_role("button", name="Submit event"))
        expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.screenshot(path=f"{SHOTS}/events_phone_done.png", full_page=True)
        event = Event.objects.get()
        assert event.reference.startswith("LRO-") and event.facility.name == "Lakeside Radiation Oncology"
        _report(capsys, "phone report (one facility preselected)", taps=effort.clicks, keystrokes=effort.keys)
    finally:
        context.close()


def test_submit_event_keyboard_only(page, live_server, world, login, capsys):
    _open_form(page, live_server, login, "reporter.riverside")
    effort = Effort(page)

    def tab_to(element_id, limit=60):
        for _ in range(limit):
            if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
                return
            effort.press("Tab")
        raise AssertionError(f"Tab never reached #{element_id}")

    tab_to("id_coverage_0")
    effort.press("Space")  # Main Campus
    tab_to("id_classification_0")
    effort.press("Space")
    effort.press("ArrowDown", 2)  # Near miss
    tab_to("id_narrative")
    page.keyboard.type(TYPICAL_NARRATIVE)
    effort.keys += len(TYPICAL_NARRATIVE)
    tab_to("id_techniques_2")
    effort.press("Space")  # IMRT/VMAT
    tab_to("id_reporter_role")
    page.keyboard.type("Radiation t")
    effort.keys += len("Radiation t")
    tab_to("submit-event")
    effort.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    event = Event.objects.get()
    assert (event.facility.name, event.classification, event.technique_values, event.reporter_role) == (
        "Main Campus", "near_miss", ["imrt_vmat"], "radiation_therapist"
    )
    _report(capsys, "keyboard only (Tab, Space, arrows, typing)", keystrokes=effort.keys, clicks=0)


def test_submit_event_reload_restores_draft_from_server(page, live_server, world, login):
    _open_form(page, live_server, login, "reporter.riverside")
    page.get_by_text("North Clinic", exact=True).click()
    page.get_by_text("Unsafe condition", exact=True).click()
    page.get_by_label("What happened?").fill("Half-written report about the mask storage shelf.")
    expect(page.locator("#draft-status")).to_contain_text("on the server", timeout=10_000)
    assert Draft.objects.get().data["fields"]["narrative"].startswith("Half-written")
    page.evaluate("() => localStorage.clear()")  # prove the server copy alone restores it
    page.reload()
    expect(page.get_by_label("What happened?")).to_have_value("Half-written report about the mask storage shelf.")
    expect(page.locator("#id_coverage_1")).to_be_checked()
    expect(page.locator("#id_classification_3")).to_be_checked()
    expect(page.locator("#draft-status")).to_contain_text("restored")


def test_submit_event_session_timeout_then_login_restores_local_draft(page, live_server, world, login):
    _open_form(page, live_server, login, "general.riverside")
    page.get_by_text("Main Campus", exact=True).click()
    page.get_by_label("What happened?").fill("Written before my session ran out.")
    page.get_by_text("Electrons", exact=True).click()
    page.context.clear_cookies(name="sessionid")  # the session times out while the page is open
    page.get_by_role("button", name="Submit event").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/events/new/"))
    page.get_by_label("Username").fill("general.riverside")
    page.get_by_label("Password").fill("roils-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/events/new/$"))
    expect(page.get_by_label("What happened?")).to_have_value("Written before my session ran out.")
    expect(page.locator("#id_techniques_5")).to_be_checked()
    expect(page.locator("#draft-status")).to_contain_text("restored")
    assert not Draft.objects.exists() and not Event.objects.exists()


def test_submit_event_expired_local_draft_is_dropped_not_restored(page, live_server, world, login, settings):
    settings.DRAFT_RETENTION_DAYS = 30
    _open_form(page, live_server, login, "general.riverside")  # a shared console: drafts live in the browser only
    key = page.evaluate("() => JSON.parse(document.getElementById('event-form-config').textContent).storageKey")
    day = 24 * 3600 * 1000
    page.evaluate(f"() => localStorage.setItem({key!r}, JSON.stringify("
                  f"{{fields: {{narrative: 'Left on the console a month ago.'}}, saved_at: Date.now() - 31 * {day}}}))")
    page.reload()
    expect(page.get_by_label("What happened?")).to_have_value("")
    assert page.evaluate(f"() => localStorage.getItem({key!r})") is None
    page.evaluate(f"() => localStorage.setItem({key!r}, JSON.stringify("
                  f"{{fields: {{narrative: 'Written yesterday.'}}, saved_at: Date.now() - {day}}}))")
    page.reload()
    expect(page.get_by_label("What happened?")).to_have_value("Written yesterday.")
    expect(page.locator("#draft-status")).to_contain_text("restored")


def test_submit_event_validation_error_keeps_answers(page, live_server, world, login):
    _open_form(page, live_server, login, "reporter.riverside")
    page.get_by_label("What happened?").fill("Answers must survive an error.")
    page.get_by_role("button", name="Submit event").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_label("What happened?")).to_have_value("Answers must survive an error.")
    assert _serious(page) == []
    page.goto(f"{live_server.url}/events/new/")
    expect(page.get_by_label("What happened?")).to_have_value("Answers must survive an error.")


def test_submit_event_identifier_warning_live_and_on_submit(page, live_server, world, login):
    _open_form(page, live_server, login, "reporter.riverside")
    effort = Effort(page)
    _fill_typical(effort, page)
    narrative = page.get_by_label("What happened?")
    narrative.fill("")
    narrative.press_sequentially("Patient DOB 03/14/1956 had the wrong mask.")
    expect(page.locator("#identifier-live")).to_contain_text("date", timeout=5_000)
    expect(page.locator("#identifier-live")).to_contain_text("03/14/1956")
    page.get_by_role("button", name="Submit event").click()
    warning = page.locator("#identifier-warning")
    expect(warning).to_contain_text("A date (possibly a date of birth)")
    expect(warning).to_contain_text("03/14/1956")
    assert not Event.objects.exists()
    page.get_by_label("I checked: no patient identifiers").check()
    page.get_by_role("button", name="Submit event").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    assert Event.objects.count() == 1


def test_submit_event_double_click_creates_one_event(page, live_server, world, login):
    _open_form(page, live_server, login, "reporter.riverside")
    _fill_typical(Effort(page), page)
    page.get_by_role("button", name="Submit event").dblclick()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    assert Event.objects.count() == 1


@pytest.mark.parametrize("username", ["reporter.riverside", "general.riverside"])
def test_submit_event_pages_have_no_serious_axe_violations(page, live_server, world, login, username):
    _open_form(page, live_server, login, username)
    assert _serious(page) == []
    _fill_typical(Effort(page), page)
    page.get_by_role("button", name="Submit event").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    assert _serious(page) == []
    page.goto(f"{live_server.url}/events/mine/")
    assert _serious(page) == []


def test_submit_event_discard_after_validation_error_discards_at_first_click(page, live_server, world, login):
    _open_form(page, live_server, login, "reporter.riverside")
    page.get_by_label("What happened?").fill("A report I will throw away.")
    page.get_by_role("button", name="Submit event").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page.get_by_label("What happened?").press_sequentially(" More.")
    expect(page.locator("#draft-status")).to_contain_text("on the server", timeout=10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard draft and start over").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    expect(page.get_by_label("What happened?")).to_have_value("")
    expect(page.locator("#draft-status")).not_to_contain_text("restored")
    assert not Draft.objects.exists()
    page.reload()
    expect(page.get_by_label("What happened?")).to_have_value("")

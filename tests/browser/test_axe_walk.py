"""Every page of every role passes axe-core (no serious or critical violation), and keyboard focus is visible."""

import datetime as dt
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve
from django.utils import timezone

from review.services import action_item_add
from tests.factories.reporting import build_safetysignal, build_theme, push_record
from tests.factories.review import make_event, ready_event, review_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]

ROLES = [
    "reporter.riverside",
    "general.riverside",
    "physicist.riverside",
    "director.riverside",
    "reporter.lakeside",
    "physicist.lakeside",
    "staff.pso",
    "analyst.pso",
    pytest.param(None, id="signed-out"),  # sign-in, password reset, join, the glossary, the 404 page
]
MAX_PAGES = 40
# Links that sign out, download files or change state are not pages to walk.
SKIP = re.compile(
    r"logout|export|\.csv|\.xlsx|\.jsonl|^/analytics/attachments/|evidence|format=|^/admin|toggle|transition|delete"
    r"|remove|revoke|resend|unflag|discussed|/link/|^/api/schema/"  # the OpenAPI schema is a YAML download
)
SERIOUS = ("serious", "critical")
FOCUSED_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return {tag: el.tagName + (el.id ? '#' + el.id : ''), visible: outline || s.boxShadow !== 'none'};
}"""


@pytest.fixture
def content(world):
    """Enough data that each role's pages have rows: events in review, an action item, store records, a theme."""
    riverside, lakeside, users = world["agreements"]["riverside"], world["agreements"]["lakeside"], world["users"]
    event = make_event(agreement=riverside, user=users["reporter.riverside"])
    review_event(event)
    physicist = users["physicist.riverside"]
    action_item_add(event=event, by=physicist, action_type="hw.forcing_function", owner=physicist,
                    description="Console refuses plans that are not the approved version.",
                    due_date=timezone.localdate() + dt.timedelta(days=14))  # fmt: skip
    ready_event(agreement=riverside, user=users["reporter.riverside"])
    make_event(agreement=lakeside, user=users["reporter.lakeside"])
    push_record(riverside, classification="therapeutic", harm="mild", medical_severity=1,
                narrative="Riverside: the couch shift was entered with the wrong sign.")  # fmt: skip
    push_record(lakeside, classification="unsafe_condition", narrative="Lakeside: door interlock sticky.")
    build_theme(agreement=riverside)
    build_safetysignal(agreement=riverside)
    return {**world, "event": event}


def _pattern(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or not parts.path:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(path):
            paths.append(path)
    return paths


def _walk(page, origin: str, starts: list[str]) -> tuple[list[str], list[str]]:
    """Breadth first from the start pages, one page per URL pattern; the pages walked and the violations found."""
    seen_patterns, walked, found = set(), [], []
    queue = deque(starts)
    axe = Axe()
    while queue and len(walked) < MAX_PAGES:
        path = queue.popleft()
        pattern = _pattern(path.split("?")[0])
        if pattern is None and path in starts:
            pattern = "404"
        if pattern is None or pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(origin + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 400 and path not in starts:
            continue
        walked.append(path)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in SERIOUS:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                found.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} [{targets}]")
        queue.extend(_links(page, origin))
    return walked, found


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_the_role_passes_axe(page, live_server, content, login, username, capsys):
    page.set_viewport_size({"width": 1280, "height": 900})
    starts = ["/"]
    if username is None:
        starts += ["/accounts/login/", "/no-such-page/"]
    else:
        login(page, username)
    if username == "reporter.riverside":  # reached only by submitting the form
        starts.append(f"/events/{content['event'].pk}/submitted/")
    walked, found = _walk(page, live_server.url, starts)
    with capsys.disabled():
        print(f"\n[axe walk] {username}: {len(walked)} pages: {' '.join(walked)}")
    assert len(walked) >= 3, walked
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("reporter.riverside", ["/", "/events/new/"]),
        ("physicist.riverside", ["/review/", "/analytics/"]),
        ("analyst.pso", ["/reporting/dashboard/"]),
    ],
)
def test_keyboard_focus_is_visible(page, live_server, content, login, username, paths):
    """Each of the first few Tab stops shows an outline or a focus ring."""
    login(page, username)
    hidden = []
    for path in paths:
        page.goto(live_server.url + path)
        for _ in range(4):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED_STYLE)
            if focused and not focused["visible"]:
                hidden.append(f"{path}: {focused['tag']}")
    assert hidden == []

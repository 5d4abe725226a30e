"""Virtual users of the load test ("a busy Monday"), run by bench/load/run.py with locust headless.

Reporter (50): signs in once, then loops GET /events/new/ -> POST the form -> follow the redirect to the
confirmation page, and records each reference number shown there (an acknowledged submission). The form
is read from the HTML on every pass (field names, choices, CSRF token, hidden idempotency key), so the
virtual user keeps working while the form changes. One post in twenty is sent twice (a double click).
Reviewer (10): signs in once with password and TOTP code, then loops over the review queue with filters,
search and pages, and opens event pages linked from it.
CeilingUser (60): signs in with password and TOTP through the app's login form, then the same GET -> POST ->
confirmation loop against the bare ceiling view, which admits only a verified user.
With LOAD_PACE_RPS set (the paced phase), each user keeps to that many requests per second on average instead
of starting its next loop at once.

Measurement: every user signs in first; when the last one is in, the statistics are reset and a window of
LOAD_SECONDS starts. At its end no new loop starts, loops in flight finish (bounded), and the samples of the
window, the acknowledgements and the posted keys are written to LOAD_OUT. Targets are 127.0.0.1 only.
"""

from __future__ import annotations

import html
import json
import os
import random
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
import pyotp
from formparse import (
    EVENT_LINK,
    EVENT_REFERENCE,
    PAGE_LINK,
    REFERENCE,
    csrf_of,
    error_summary,
    fill,
    parse_form,
    value_of,
)
from gevent.event import Event as Flag
from locust import FastHttpUser, events, task
from locust.exception import StopUser

OUT = Path(os.environ.get("LOAD_OUT", "/tmp/roils-load"))
PHASE = os.environ.get("LOAD_PHASE", "app")  # names this phase's files
KIND = os.environ.get("LOAD_KIND", PHASE)  # what it runs: app, paced, ceiling or ceiling-after (a pair's phases)
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
DRAIN_SECONDS = 30  # loops in flight at the end of the window get this long to finish
READY_TIMEOUT = 180  # sign-ins must be done by then, or the window starts without the stragglers
DOUBLE_POST_SHARE = 0.05
CREDENTIALS = json.loads((OUT / "credentials.json").read_text()) if (OUT / "credentials.json").exists() else {}
FORM_URL = {"app": "/events/new/", "paced": "/events/new/", "submit": "/events/new/", "ceiling": "/bench-ceiling/",
            "ceiling-after": "/bench-ceiling/"}
# Paced phase: each user sends this many requests per second on average (0: closed loop, no think time).
PACE_RPS = float(os.environ.get("LOAD_PACE_RPS", "0"))
THINK_SECONDS = float(os.environ.get("LOAD_THINK_SECONDS", "0"))
SEARCH_WORDS = ["bolus", "interlock", "couch", "plan", "cutout", "contour", "source strength", "mask"]
QUEUE_FILTERS = [
    {}, {}, {"status": "open"}, {"status": "new"}, {"classification": "near_miss"}, {"technique": "imrt_vmat"},
    {"ordering": "-date"}, {"ordering": "severity"}, {"status": "reported"}, {"view": "location"},
    {"date_from": "2026-01-01"},
]


class Window:
    """The measurement window, shared by all users of this locust process."""

    expected = 0
    ready = 0
    started = Flag()
    stopping = False
    start = end = None
    in_flight = 0
    samples: dict[str, list] = {}  # request name -> [[ms, ok], ...] completed inside the window
    failures: dict[str, int] = {}  # "name: reason" -> count, for the report
    acks: list[dict] = []  # acknowledged submissions (reference shown on the confirmation page)
    posted: list[dict] = []  # every key that was posted, acknowledged or not
    logins: list[float] = []  # sign-in times (ms), before the window
    written = False


def keep_page(kind: str, text: str | None) -> None:
    """Keep the first unexpected page of each kind in LOAD_OUT, to see what went wrong."""
    path = OUT / f"unexpected-{PHASE}-{kind}.html"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        path.write_text(text or "")


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--load-seconds", type=float, default=SECONDS, help="measurement window after sign-in")


@events.test_start.add_listener
def _test_start(environment, **_kwargs):
    Window.expected = environment.parsed_options.num_users


@events.request.add_listener
def _sample(request_type, name, response_time, response_length, exception=None, **_kwargs):
    if Window.start is None or Window.stopping:
        if name.startswith("login"):
            Window.logins.append(response_time)
        return
    Window.samples.setdefault(name, []).append([round(response_time, 2), exception is None])
    if exception is not None:
        reason = f"{name}: {str(exception)[:120]}"
        Window.failures[reason] = Window.failures.get(reason, 0) + 1


def _arrived(environment) -> None:
    """One more user is signed in; the last one opens the window."""
    Window.ready += 1
    if Window.ready == Window.expected and not Window.started.is_set():
        _open(environment)


def _open(environment) -> None:
    environment.stats.reset_all()
    Window.start = time.time()
    Window.started.set()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{PHASE}-window-open").write_text(str(Window.start))  # run.py starts the optional profiler on it
    gevent.spawn_later(environment.parsed_options.load_seconds, _close, environment)


def _close(environment) -> None:
    Window.end = time.time()
    Window.stopping = True
    deadline = time.monotonic() + DRAIN_SECONDS
    while Window.in_flight and time.monotonic() < deadline:
        gevent.sleep(0.1)
    _write()
    environment.runner.quit()


@events.quitting.add_listener
def _quitting(environment, **_kwargs):
    if Window.end is None:
        Window.end = time.time()
    _write()


def _write() -> None:
    if Window.written:
        return
    Window.written = True
    OUT.mkdir(parents=True, exist_ok=True)
    result = {
        "phase": PHASE, "window_start": Window.start, "window_end": Window.end, "users": Window.expected,
        "ready": Window.ready, "samples": Window.samples, "failures": Window.failures, "logins": Window.logins,
        "acks": Window.acks, "posted": Window.posted,
    }
    (OUT / f"{PHASE}-locust.json").write_text(json.dumps(result))


class BenchUser(FastHttpUser):
    """Common plumbing: sign in, wait for the window, stop cleanly at its end."""

    abstract = True
    host = "http://127.0.0.1:8000"
    network_timeout = 30.0
    connection_timeout = 10.0
    role = ""
    index_counter: dict[str, int] = {}

    def on_start(self):
        number = BenchUser.index_counter.get(self.role, 0)
        BenchUser.index_counter[self.role] = number + 1
        self.rng = random.Random(f"{self.role}-{number}")
        self.number = number
        self.sent = 0
        send = self.client.request

        def counted(*args, **kwargs):  # FastHttpSession.get/post go through request()
            self.sent += 1
            return send(*args, **kwargs)

        self.client.request = counted
        self.sign_in()
        _arrived(self.environment)
        Window.started.wait(timeout=READY_TIMEOUT)
        if not Window.started.is_set():  # a user failed to sign in: measure the others anyway
            _open(self.environment)
        if PACE_RPS > 0:
            gevent.sleep(self.rng.random() * 3 / PACE_RPS)  # users start out of step, as people do
            self.paced_from, self.paced_base = time.monotonic(), self.sent

    def wait_time(self):
        """Closed loop (no wait) unless paced: then the next loop starts when this user's average rate allows."""
        if PACE_RPS <= 0:
            return THINK_SECONDS
        due = self.paced_from + (self.sent - self.paced_base) / PACE_RPS
        return max(0.0, due - time.monotonic())

    def sign_in(self):
        pass

    def begin(self):
        if Window.stopping:
            raise StopUser()
        Window.in_flight += 1

    def end(self):
        Window.in_flight -= 1

    def login(self, username: str, password: str, otp_token=None) -> bool:
        """Sign in (bounded retries: a refused or failed attempt is tried again, at most three times)."""
        for _attempt in range(3):
            page = self.client.get("/accounts/login/", name="login: GET")
            controls = parse_form(page.text or "", want_id="login-form")
            if controls is None and page.status_code == 200 and 'name="password"' not in (page.text or ""):
                return True  # an attempt that timed out had signed in after all: the login page sends us on
            controls = controls or []
            data = {"csrfmiddlewaretoken": csrf_of(controls), "username": username, "password": password}
            if otp_token is not None:
                data["otp_token"] = otp_token()
            with self.client.post("/accounts/login/", data=urlencode(data), name="login: POST", catch_response=True,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
                if response.status_code == 200 and 'name="password"' not in (response.text or ""):
                    return True
                response.failure(f"sign-in refused for {username} (HTTP {response.status_code})")
            # A TOTP code is good once: if the refused attempt had used it, wait for the next 30 s step.
            gevent.sleep((30 - time.time() % 30 + 1) if otp_token is not None else 1 + self.rng.random())
        return False

    def submit_loop(self, group: str):
        """GET the form, POST plausible answers, follow the redirect; record the acknowledged reference."""
        url = FORM_URL[KIND]
        page = self.client.get(url, name=f"{group}: GET form")
        controls = parse_form(page.text or "")
        keyed = KIND.startswith("ceiling") or any(c["name"] == "idempotency_key" for c in controls)
        if not controls or not keyed:
            # Recorded as one more failed request of zero duration: the page was not the Submit Event form.
            self.environment.events.request.fire(request_type="GET", name=f"{group}: GET form", response_time=0,
                                                 response_length=0, exception=RuntimeError("not the form page"))
            keep_page(f"{group}-form", page.text)
            gevent.sleep(1)  # do not spin on a broken page
            return
        pairs = fill(controls, self.rng)
        key = value_of(pairs, "idempotency_key")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        double = bool(key) and self.rng.random() < DOUBLE_POST_SHARE
        Window.posted.append({"key": key, "user": getattr(self, "username", ""), "double": double})
        for attempt in range(3):  # a privacy warning or a fresh key can ask for one more post
            with self.client.post(url, data=urlencode(pairs), name=f"{group}: POST", headers=headers,
                                  allow_redirects=False, catch_response=True) as response:
                if response.status_code == 302:
                    location = response.headers.get("Location", "")
                    if location.startswith("/accounts/login/"):
                        response.failure("signed out")
                        return
                    break
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")
                    return
                again = parse_form(response.text or "") or []
                confirm = next((c for c in again if c["name"] == "confirm_no_identifiers" and c["kind"] == "checkbox"),
                               None)
                if confirm is None or attempt == 2:
                    response.failure(error_summary(response.text or ""))
                    keep_page(f"{group}-post", response.text)
                    return
                response.success()  # the privacy guard asked to confirm: a second post follows
                pairs = [(k, v) for k, v in pairs if k not in ("confirm_no_identifiers", "csrfmiddlewaretoken")]
                pairs += [("confirm_no_identifiers", confirm["value"]), ("csrfmiddlewaretoken", csrf_of(again))]
        if double:
            with self.client.post(url, data=urlencode(pairs), name=f"{group}: POST (same form again)",
                                  headers=headers, allow_redirects=False, catch_response=True) as again:
                if again.status_code != 302 or again.headers.get("Location", "") != location:
                    again.failure(f"double post answered {again.status_code} {again.headers.get('Location', '')}")
        with self.client.get(location, name=f"{group}: GET confirmation", catch_response=True) as done:
            match = REFERENCE.search(done.text or "")
            if done.status_code != 200 or not match:
                done.failure(f"no reference number (HTTP {done.status_code})")
                keep_page(f"{group}-confirmation", done.text)
                return
            Window.acks.append({"key": key, "reference": match.group(1), "path": urlsplit(location).path,
                                "user": getattr(self, "username", ""), "double": double, "at": time.time()})


class Reporter(BenchUser):
    """A front-line reporter submitting events, one after another."""

    fixed_count = int(os.environ.get("LOAD_REPORTERS", "50"))
    role = "reporter"

    def sign_in(self):
        logins = CREDENTIALS["reporters"]
        account = logins[self.number % len(logins)]
        self.username = account["username"]
        self.login(account["username"], account["password"])

    @task
    def submit(self):
        self.begin()
        try:
            self.submit_loop("submit")
        finally:
            self.end()


class Reviewer(BenchUser):
    """A full-access reviewer browsing the review queue and opening events."""

    fixed_count = int(os.environ.get("LOAD_REVIEWERS", "10"))
    role = "reviewer"

    def sign_in(self):
        account = CREDENTIALS["reviewers"][self.number % len(CREDENTIALS["reviewers"])]
        self.username = account["username"]
        # django-otp refuses a code its device already accepted: each reviewer signs in exactly once.
        # A fresh code per attempt; if a retry falls in the same 30 s step, django-otp refuses it and we retry.
        self.login(account["username"], account["password"], pyotp.TOTP(account["totp_secret"]).now)

    @task
    def browse(self):
        self.begin()
        try:
            params = dict(self.rng.choice(QUEUE_FILTERS))
            name = "browse: queue" if not params else "browse: queue filtered"
            if self.rng.random() < 0.15:
                params = {"q": self.rng.choice(SEARCH_WORDS), "status": "open"}
                name = "browse: queue search"
            with self.client.get("/review/" + (f"?{urlencode(params)}" if params else ""), name=name,
                                 catch_response=True) as queue:
                text = queue.text or ""
                links = EVENT_LINK.findall(text)
                if queue.status_code == 200 and not links and not params:
                    queue.failure("queue page without event links")
                    keep_page("queue", text)
            pages = [html.unescape(q) for q in PAGE_LINK.findall(text)]
            if pages and self.rng.random() < 0.4:  # the reviewer pages on, as a person would: by the link shown
                with self.client.get("/review/?" + pages[-1], name="browse: queue next page",
                                     catch_response=True) as more:
                    links = EVENT_LINK.findall(more.text or "") or links
            for link in self.rng.sample(links, k=min(len(links), self.rng.choice([1, 1, 2]))):
                with self.client.get(link, name="browse: event page", catch_response=True) as page:
                    if page.status_code == 200 and not EVENT_REFERENCE.search(page.text or ""):
                        page.failure("event page without a reference number")
                        keep_page("event-page", page.text)
        finally:
            self.end()


class CeilingUser(BenchUser):
    """The ceiling: the same submit loop against the bare Django view, signed in with password and TOTP first."""

    fixed_count = int(os.environ.get("LOAD_CEILING_USERS", "60"))
    role = "ceiling"

    def sign_in(self):
        # Through the app's own login form, with a fresh code: the view refuses an unverified user.
        account = CREDENTIALS["ceiling"][self.number % len(CREDENTIALS["ceiling"])]
        self.username = account["username"]
        self.login(account["username"], account["password"], pyotp.TOTP(account["totp_secret"]).now)
        with self.client.get(FORM_URL[KIND], name="warm-up: GET form", catch_response=True) as page:
            if 'id="event-form"' not in (page.text or ""):
                page.failure("ceiling form refused after sign-in")
                keep_page("ceiling-sign-in", page.text)

    @task
    def submit(self):
        self.begin()
        try:
            self.submit_loop("ceiling")
        finally:
            self.end()

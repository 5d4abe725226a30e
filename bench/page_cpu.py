"""CPU per request of the pages with the most form markup: Submit Event (blank, and refused), the review queue and
a reviewed event's page (its review form: five grouped checkbox pickers and a dozen selects, some 250 options).

Runs each page through the full middleware stack in-process (Django's test client, signed in with force_login),
with production settings (DEBUG off, templates cached, static files from a manifest), against a database that
has both migrations and `seed_demo`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_markup \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_markup_pso REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python bench/page_cpu.py [--requests 200] [--rounds 5] [--instructions]

For each page it prints the queries of one request and the CPU time of this Python process per request
(time.process_time over --requests requests; PostgreSQL's and Redis's own work is not in it): the median and
the lowest of --rounds rounds, the pages taking turns so that a slow spell of the machine hits them all alike.
On a busy shared machine those times drift by 20% or more; --instructions instead counts the CPU instructions of
a request with valgrind's callgrind (Debian package valgrind; a few minutes per page), within a few percent on
every run. Static files are collected once into var/bench/staticfiles. The event page writes an
access-log row per view.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roils.settings.base")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
os.environ.setdefault("SECURE", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench" / "staticfiles"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
for name in ("ROILS_ENFORCE_2FA", "AXES_ENABLED", "RATELIMIT_ENABLE"):
    os.environ.setdefault(name, "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from practices.models import Coverage, User  # noqa: E402
from review.models import Review  # noqa: E402

REPORTER, REVIEWER = "reporter.riverside", "physicist.riverside"
COLD = ", fragment cache emptied before each"
COUNTED = 30  # requests per page counted by --instructions, after 5 not counted


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def reviewed_event(reviewer: User) -> int:
    """An open event of the reviewer's agreement whose review ticks options in several pickers."""
    review = (Review.objects.filter(event__agreement__memberships__user=reviewer, event__status="in_review")
              .exclude(contributing_factors=[]).exclude(barriers_failed=[]).order_by("event_id").first())
    if review is None:
        raise SystemExit("no reviewed open event: run `manage.py seed_demo` on this database first")
    return review.event_id


def refused_post(reporter: User) -> dict:
    """A Submit Event post that the form refuses: no classification, technique or role."""
    coverage = Coverage.objects.filter(agreement__memberships__user=reporter, is_current=True).order_by("pk").first()
    return {"coverage": str(coverage.pk), "narrative": "The couch was moved after imaging; caught at the time-out.",
            "event_date": timezone.localdate().isoformat(), "age_range": "unknown", "patient_sex": "unknown",
            "idempotency_key": str(uuid.uuid4())}


def pages() -> dict:
    reporter, reviewer = signed_in(REPORTER), signed_in(REVIEWER)
    event = reviewed_event(User.objects.get(username=REVIEWER))
    refused = refused_post(User.objects.get(username=REPORTER))
    detail = reverse("review:event-detail", args=[event])

    def post():
        response = reporter.post("/events/new/", refused)
        assert response.status_code == 200 and b"error-summary" in response.content, response.status_code
        return response

    return {
        "GET /events/new/ (reporter)": lambda: reporter.get("/events/new/"),
        "POST /events/new/ refused (3 errors)": post,
        "GET /review/ (25 rows)": lambda: reviewer.get("/review/"),
        f"GET {detail} (reviewed, 5 pickers)": lambda: reviewer.get(detail),
    }


def clear_fragments() -> None:
    """Empty the per-process fragment cache, where this version of the code has one (a first view of each page)."""
    if "fragments" in settings.CACHES:
        from django.core.cache import caches

        caches["fragments"].clear()


def cpu_per_request(request, count: int, *, cold: bool) -> float:
    spent = 0.0
    for _ in range(count):
        if cold:
            clear_fragments()
        start = time.process_time()
        response = request()
        spent += time.process_time() - start
        assert response.status_code == 200, response.status_code
    return spent / count * 1000


def count_inside(page: int, cold: bool, count: int) -> None:
    """Inside valgrind: warm the page up, then count the instructions of `count` requests."""
    request = list(pages().values())[page]
    for _ in range(5):
        request()
    # Every page starts counting from the same state of the collector, and what exists by now (the app, its caches)
    # is left out of later full collections: an occasional scan of those few hundred thousand objects would add more
    # to one request than its markup costs, depending only on when it falls.
    gc.collect()
    gc.freeze()
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
    for _ in range(count):
        if cold:
            clear_fragments()
        request()
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True, check=True)


def instructions(page: int, cold: bool, count: int) -> float:
    """Million instructions per request of one page, counted by callgrind in a child process."""
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out.name}",
                        sys.executable, __file__, "--inside", str(page), "--requests", str(count)]
                       + (["--cold"] if cold else []), capture_output=True, check=True)
        totals = [line for line in Path(out.name).read_text().splitlines() if line.startswith("totals:")]
    return int(totals[0].split()[1]) / count / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true",
                        help=f"count instructions ({COUNTED} requests per page) instead of timing")
    parser.add_argument("--inside", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside is not None:
        count_inside(args.inside, args.cold, args.requests)
        return
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    requests = pages()
    modes = [False, True] if "fragments" in settings.CACHES else [False]
    if args.instructions:
        print("| page | million instructions per request |\n|---|---:|")
        for index, name in enumerate(requests):
            for cold in modes:
                print(f"| {name}{COLD if cold else ''} | {instructions(index, cold, COUNTED):.1f} |", flush=True)
        return
    samples: dict[tuple[str, bool], list[float]] = {}
    for name, request in requests.items():
        for _ in range(20):  # templates compiled, connections open, caches warm
            assert request().status_code == 200, name
        for cold in modes:
            if cold:
                clear_fragments()
            with CaptureQueriesContext(connection) as queries:
                size = len(request().content)
            print(f"{name}{COLD if cold else ''}: {len(queries)} queries, {size:,} bytes", flush=True)
    for _ in range(args.rounds):
        for name, request in requests.items():
            for cold in modes:
                samples.setdefault((name, cold), []).append(cpu_per_request(request, args.requests, cold=cold))
    print(f"\n| page | CPU ms/request, median of {args.rounds} | lowest |\n|---|---:|---:|")
    for (name, cold), values in samples.items():
        print(f"| {name}{COLD if cold else ''} | {statistics.median(values):.2f} | {min(values):.2f} |")


if __name__ == "__main__":
    main()

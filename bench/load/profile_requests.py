"""Where a request's time goes, one request at a time: SQL queries, SQL time and Python CPU per step of each loop.

Runs the load test's loops in-process through the full middleware stack (Django's test client, CSRF checks on)
against the load database that bench/load/run.py left behind, so the numbers do not depend on how busy the
machine is the way throughput does. Prints a table and, with --sql, the statements of one request per step.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_load \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_load_pso REDIS_URL=redis://127.0.0.1:6379/5 \\
    PYTHONPATH=bench/load .venv/bin/python bench/load/profile_requests.py var/load/<run> [--sql]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings_ceiling")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "profile-only-" + "x" * 50)
os.environ.setdefault("SECURE", "0")
os.environ.setdefault("RATELIMIT_ENABLE", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"

import django  # noqa: E402

django.setup()

import pyotp  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from formparse import EVENT_LINK, REFERENCE, csrf_of, fill, parse_form  # noqa: E402


class Recorder:
    """Counts and times the SQL statements of the request in progress."""

    def __init__(self):
        self.count, self.seconds, self.statements = 0, 0.0, []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - start
            self.count += 1
            self.seconds += took
            self.statements.append((took * 1000, sql))


STATS: dict[str, list[tuple[int, float, float, float]]] = defaultdict(list)
SQL: dict[str, list[tuple[float, str]]] = {}
PROFILES: dict[str, cProfile.Profile] = {}  # --cprofile: one profile per step, over all its loops
PROFILING = False


def timed(name: str, call):
    recorder = Recorder()
    profile = PROFILES.setdefault(name, cProfile.Profile()) if PROFILING else None
    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(recorder):
        response = profile.runcall(call) if profile else call()
    STATS[name].append((recorder.count, recorder.seconds * 1000, (time.process_time() - cpu) * 1000,
                        (time.perf_counter() - wall) * 1000))
    SQL[name] = recorder.statements  # the last request of each step: warm caches
    return response


def sign_in(client: Client, accounts: list[dict], totp: bool) -> None:
    """Sign in with the first account that works (a TOTP code already used by its device is refused)."""
    for account in accounts:
        page = client.get("/accounts/login/")
        data = {"csrfmiddlewaretoken": csrf_of(parse_form(page.content.decode()) or []),
                "username": account["username"], "password": account["password"]}
        if totp:
            data["otp_token"] = pyotp.TOTP(account["totp_secret"]).now()
        if client.post("/accounts/login/", data).status_code == 302:
            return
    raise SystemExit("no account could sign in")


def submit_loop(client: Client, url: str, group: str, rng: random.Random) -> None:
    page = timed(f"{group}: GET form", lambda: client.get(url))
    pairs = fill(parse_form(page.content.decode()) or [], rng)
    data: dict[str, list[str]] = defaultdict(list)
    for key, value in pairs:
        data[key].append(value)
    response = timed(f"{group}: POST", lambda: client.post(url, data))
    if response.status_code != 302:
        raise SystemExit(f"{group}: POST answered {response.status_code}")
    done = timed(f"{group}: GET confirmation", lambda: client.get(response["Location"]))
    if not REFERENCE.search(done.content.decode()):
        raise SystemExit(f"{group}: no reference on the confirmation")


def browse_loop(client: Client, rng: random.Random) -> None:
    queue = timed("browse: queue", lambda: client.get("/review/"))
    timed("browse: queue filtered", lambda: client.get("/review/?status=open&technique=imrt_vmat"))
    timed("browse: queue search", lambda: client.get("/review/?q=bolus&status=open"))
    links = EVENT_LINK.findall(queue.content.decode())
    timed("browse: event page", lambda: client.get(rng.choice(links)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a run folder of bench/load/run.py (for credentials.json)")
    parser.add_argument("--loops", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="print the statements of one request per step")
    parser.add_argument("--cprofile", type=Path, metavar="DIR",
                        help="write a cProfile file per step to DIR (times are then inflated by the profiler)")
    args = parser.parse_args()
    credentials = json.loads((args.out / "credentials.json").read_text())
    rng = random.Random(1)
    reporter, reviewer, ceiling = (Client(enforce_csrf_checks=True) for _ in range(3))
    sign_in(reporter, credentials["reporters"], totp=False)
    sign_in(reviewer, rng.sample(credentials["reviewers"], len(credentials["reviewers"])), totp=True)
    sign_in(ceiling, rng.sample(credentials["ceiling"], len(credentials["ceiling"])), totp=True)  # as in the run
    for _ in range(3):  # warm-up: templates compiled, connections open
        submit_loop(reporter, "/events/new/", "warm", rng)
        submit_loop(ceiling, "/bench-ceiling/", "warm", rng)
        browse_loop(reviewer, rng)
    STATS.clear()
    SQL.clear()
    global PROFILING
    PROFILING = bool(args.cprofile)
    for _ in range(args.loops):
        # The floor of any signed-in request: a JSON view with one query of its own (the reporter's draft).
        timed("floor: signed-in JSON (GET /events/draft/)", lambda: reporter.get("/events/draft/"))
        submit_loop(reporter, "/events/new/", "submit", rng)
        browse_loop(reviewer, rng)
        submit_loop(ceiling, "/bench-ceiling/", "ceiling", rng)
    print(f"one request at a time ({args.loops} loops of each kind, in-process through the full middleware "
          "stack, CSRF checks on; medians):\n")
    print("| step | SQL queries | SQL ms | Python CPU ms | wall ms |")
    print("|---|---:|---:|---:|---:|")
    for name in sorted(STATS):
        rows = STATS[name]
        print(f"| {name} | {statistics.median(r[0] for r in rows):.0f} | {statistics.median(r[1] for r in rows):.1f} | "
              f"{statistics.median(r[2] for r in rows):.1f} | {statistics.median(r[3] for r in rows):.1f} |")
    for group in ("submit", "ceiling"):
        rows = [STATS[n] for n in STATS if n.startswith(f"{group}:")]
        per_loop = [sum(r[i][2] for r in rows) for i in range(args.loops)]
        queries = [sum(r[i][0] for r in rows) for i in range(args.loops)]
        print(f"\n{group}: one loop (3 requests) = {statistics.median(per_loop):.1f} ms Python CPU, "
              f"{statistics.median(queries):.0f} SQL queries")
    if args.cprofile:
        args.cprofile.mkdir(parents=True, exist_ok=True)
        for name, profile in PROFILES.items():
            profile.dump_stats(args.cprofile / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".prof"))
        print(f"\ncProfile files in {args.cprofile}/ (read them with python -m pstats or snakeviz)")
    if args.sql:
        for name, statements in sorted(SQL.items()):
            print(f"\n### {name} ({len(statements)} statements)")
            for took, sql in statements:
                print(f"  {took:6.1f} ms  " + re.sub(r"\s+", " ", sql)[:200])


if __name__ == "__main__":
    main()

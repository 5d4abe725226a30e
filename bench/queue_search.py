"""The review queue's search when the events table holds a million rows of other tenants.

A reviewer's queue shows their own agreement's events, but the events table holds every practice's. This
grows the other agreements of the demo world to --rows events (a bulk INSERT in SQL, narratives drawn from
a small vocabulary, so a word like "bolus" matches about one event in eight), then times the queue searched
and filtered, and the status counts it shows, as physicist.riverside, whose own agreement stays small:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_q \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_q_pso \\
    .venv/bin/python bench/queue_search.py [--rows 1000000] [--repeat 7]

The database needs migrations and `seed_demo`. Rows already there count towards --rows.
"""

# ruff: noqa: S608  -- the SQL is built from constants of this file and model metadata, never input

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roils.settings.base")
for name in ("ROILS_ENFORCE_2FA", "AXES_ENABLED", "RATELIMIT_ENABLE"):
    os.environ.setdefault(name, "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from events.models import Event  # noqa: E402
from practices.models import Agreement, User  # noqa: E402

WORDS = ["bolus", "couch", "shift", "plan", "gantry", "imaging", "wedge", "collimator", "dose", "fraction",
         "setup", "tattoo", "mask", "interlock", "contour", "prescription"]
SEARCHES = [("search", {"q": "bolus"}), ("search, open", {"q": "bolus", "status": "open"}),
            ("no search, open", {"status": "open"})]


def grow(rows: int, reviewer: User) -> int:
    """Add events to every agreement except the reviewer's until the table holds `rows`; returns the count."""
    have = Event.objects.count()
    if have >= rows:
        return have
    own = set(reviewer.memberships.values_list("agreement_id", flat=True))
    others = list(Agreement.objects.exclude(pk__in=own).filter(coverages__isnull=False)
                  .values_list("pk", "coverages__facility_id"))
    if not others:
        raise SystemExit("the demo world has no other agreement to grow")
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    pairs = "ARRAY[" + ",".join(f"ARRAY[{a},{f}]" for a, f in others) + "]"
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {table} (agreement_id, facility_id, sub_location, reference, classification, narrative,
                event_date, workflow_step_noticed, age_range, patient_sex, reporter_role, reporter_name,
                is_anonymous, status, revision, idempotency_key, invalid_reason, created_at, updated_at,
                last_activity_at, notified_at)
            SELECT ({pairs})[1 + mod(n, %s)][1], ({pairs})[1 + mod(n, %s)][2], '', 'BQ-' || n, 'near_miss',
                   'The ' || ({words})[1 + mod(n, 16)] || ' and the ' || ({words})[1 + mod(n / 16, 16)]
                       || ' were checked at the ' || ({words})[1 + mod(n / 256, 16)] || ' step.',
                   current_date - mod(n, 700)::int, '', 'unknown', 'unknown', 'radiation_therapist', '', true,
                   (ARRAY['new', 'in_review', 'closed', 'reported'])[1 + mod(n, 4)], 0, gen_random_uuid(), '',
                   now() - make_interval(mins => n::int), now(), now(), now()
            FROM generate_series(%s::bigint, %s::bigint) AS n
        """, [len(others), len(others), have + 1, rows])
        cursor.execute(f"ANALYZE {table}")
    return Event.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    reviewer = User.objects.get(username="physicist.riverside")
    started = time.perf_counter()
    total = grow(args.rows, reviewer)
    print(f"events in the table: {total:,} (grown in {time.perf_counter() - started:.0f} s)")
    setup_test_environment()  # so that responses carry their template context
    client = Client()
    client.force_login(reviewer)
    print("\n| queue as physicist.riverside | events shown | queries | median ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for name, params in SEARCHES:
        client.get("/review/", params)  # warm: templates compiled, caches filled
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get("/review/", params)
                times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        shown = response.context["paginator"].count
        print(f"| {name} | {shown:,} | {len(queries)} | {statistics.median(times):.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()

"""The local dashboard (analytics) at 10,000 and 100,000 local events of one practice.

Each page is a full Django request through the test client (middleware, session, templates) signed in as
physicist.riverside; the events (with reviews, techniques, actions, monthly volumes and the dashboard's local
facts) are written in bulk by analytics.demo.local_history. Needs PostgreSQL and migrated databases:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_x \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_x_pso \\
    .venv/bin/python bench/local_dashboard.py [--sizes 10000,100000] [--repeat 5]

It deletes the benchmark's own events (reference prefix BENCH) first, so it can be run again.
"""

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

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from analytics.demo import local_history  # noqa: E402
from events.models import Event  # noqa: E402
from practices.demo import seed_world  # noqa: E402

PREFIX = "BENCH"


def _median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(world: dict, repeat: int) -> list[tuple[str, float, int]]:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(world["users"]["physicist.riverside"])
    facility = world["facilities"]["riverside"][0]
    today = timezone.localdate()
    year = f"date_from={today.replace(year=today.year - 1).isoformat()}&date_to={today.isoformat()}"
    pages = [
        ("dashboard, last 12 months", "/analytics/"),
        ("dashboard, one location, 1 year", f"/analytics/?facility={facility.pk}&{year}"),
        ("dashboard, 10 years", f"/analytics/?date_from={today.replace(year=today.year - 10).isoformat()}"),
        ("CSV cross-table", f"/analytics/?{year}&format=csv&table=crosstab"),
        ("drill-down, one cell", f"/analytics/cell/?{year}&origin=treatment_planning&detected=treatment_delivery"),
    ]
    results = []
    for label, url in pages:

        def request(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            request()
        results.append((label, _median_ms(request, repeat), len(ctx)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--measure-only", action="store_true", help="measure the events as they are, no seeding")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/local_dashboard.py needs PostgreSQL (set DATABASE_URL).")
    world = seed_world()
    riverside = world["agreements"]["riverside"]
    if args.measure_only:
        for label, ms, queries in measure(world, args.repeat):
            print(f"{label:34} {ms:8.1f} ms  {queries:3d} queries", flush=True)
        return
    Event.objects.filter(agreement=riverside, reference__startswith=PREFIX).delete()
    have, table = 0, []
    for size in [int(s) for s in args.sizes.split(",")]:
        start = time.perf_counter()
        local_history(agreement=riverside, count=size - have, days=3650, owner=world["users"]["physicist.riverside"],
                      prefix=PREFIX, seed=size)  # fmt: skip
        print(f"== seeded {size - have:,} events in {time.perf_counter() - start:.1f} s", flush=True)
        have = size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for label, ms, queries in measure(world, args.repeat):
            table.append((size, label, ms, queries))
            print(f"{size:>9,}  {label:34} {ms:8.1f} ms  {queries:3d} queries", flush=True)
    print("\n| local events | page | median (ms) | queries |\n|---:|---|---:|---:|")
    for size, label, ms, queries in table:
        print(f"| {size:,} | {label} | {ms:.1f} | {queries} |")


if __name__ == "__main__":
    main()

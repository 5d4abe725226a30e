"""Dashboard pages at 10k, 100k and 1M store records, beside the raw SQL GROUP BY over StoreRecord.

Each page is a full Django request through the test client (middleware, session, templates), signed in as
analyst.pso or physicist.riverside; the reference is the plain SQL that computes the same breakdowns
straight from reporting_storerecord (no rollups). Needs PostgreSQL (the reference SQL uses jsonb):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_d \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_d_pso \\
    .venv/bin/python bench/dashboards.py [--sizes 10000,100000,1000000] [--repeat 7]

It clears the demo PSO's store, then grows it with `seed_bench` to each size in turn (the outbox gets the
same number of rows, for the participation page). Migrations must have been applied to both databases.
"""

# ruff: noqa: S608  -- the reference SQL is built from constants of this file and model metadata, never input

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
# The test client signs in with force_login: the sign-in controls are for the login form, not measured here.
for name in ("ROILS_ENFORCE_2FA", "AXES_ENABLED", "RATELIMIT_ENABLE"):
    os.environ.setdefault(name, "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from foundation.taxonomy.review import CONTRIBUTING_FACTORS, aapm_category  # noqa: E402
from practices.demo import seed_world  # noqa: E402
from reporting.keys import pseudonym  # noqa: E402
from reporting.models import StoreRecord, Submission  # noqa: E402
from reporting.rollups import LIST_DIMENSIONS, SINGLE_DIMENSIONS  # noqa: E402

STORE = "reporting_storerecord"


def _breakdowns_sql(where: str) -> str:
    """Every breakdown of the analyst dashboard computed from the raw store (UNION ALL of GROUP BYs)."""
    parts = [f"SELECT 'total', 'all', count(*) FROM {STORE} WHERE {where}"]
    for dimension, column in SINGLE_DIMENSIONS.items():
        parts.append(
            f"SELECT '{dimension}', coalesce({column}::text, ''), count(*) FROM {STORE} WHERE {where} GROUP BY 2"
        )
    for dimension, column in LIST_DIMENSIONS.items():
        parts.append(
            f"SELECT '{dimension}', v, count(*) FROM {STORE}, jsonb_array_elements_text({column}) v "
            f"WHERE {where} GROUP BY 2"
        )
    mapping = ", ".join(f"('{n.code}', '{aapm_category(n.code)}')" for n in CONTRIBUTING_FACTORS)
    parts.append(
        f"SELECT 'cf_category', m.category, count(DISTINCT s.id) FROM {STORE} s "
        f"CROSS JOIN jsonb_array_elements_text(s.contributing_factors) v JOIN (VALUES {mapping}) m(code, category) "
        f"ON m.code = v WHERE {where.replace('pso_id', 's.pso_id')} GROUP BY 2"
    )
    parts.append(f"SELECT 'trend', quarter || classification, count(*) FROM {STORE} WHERE {where} GROUP BY 2")
    return " UNION ALL ".join(parts)


def _benchmark_sql(pso_id: int, practice_key: str, extra: str = "") -> str:
    """The practice's own breakdowns plus the PSO-wide ones with their contributing-practice counts."""
    own = _breakdowns_sql(f"pso_id = {pso_id} AND practice_key = '{practice_key}'{extra}")
    wide = []
    for dimension, column in SINGLE_DIMENSIONS.items():
        wide.append(
            f"SELECT '{dimension}', coalesce({column}::text, ''), count(*), count(DISTINCT practice_key) "
            f"FROM {STORE} WHERE pso_id = {pso_id}{extra} GROUP BY 2"
        )
    for dimension, column in LIST_DIMENSIONS.items():
        wide.append(
            f"SELECT '{dimension}', v, count(*), count(DISTINCT practice_key) FROM {STORE}, "
            f"jsonb_array_elements_text({column}) v WHERE pso_id = {pso_id}{extra} GROUP BY 2"
        )
    return f"{own}; " + " UNION ALL ".join(wide)


def _run_sql(sql: str) -> None:
    with connections["pso"].cursor() as cursor:
        for statement in sql.split("; "):
            cursor.execute(statement)
            cursor.fetchall()


def _median_ms(func, repeat: int) -> float:
    func()  # warm the caches: we compare steady states
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _seed_outbox(world: dict, count: int) -> None:
    """Outbox rows for the participation page: one per record, spread over the store's ten years."""
    import random

    rng = random.Random(count)
    agreements = list(world["agreements"].values())
    now = timezone.now()
    columns = ["pso_id", "agreement_id", "event_key", "revision", "record", "created_at", "pushed_at", "attempts",
               "last_error", "next_attempt_at"]  # fmt: skip

    def rows():
        for _ in range(count):
            agreement = rng.choice(agreements)
            created = now - timezone.timedelta(days=rng.uniform(0, 3650))
            yield (agreement.pso_id, agreement.pk, f"{rng.getrandbits(128):032x}", 1, {}, created, created, 1, "",
                   created)  # fmt: skip

    connection = connections["default"]
    table = Submission._meta.db_table
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        import json

        for row in rows():
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")


def measure(world: dict, repeat: int) -> list[tuple[str, float, int, float]]:
    pso = world["pso"]
    riverside = world["agreements"]["riverside"]
    practice_key = pseudonym("practice", riverside.practice_id)
    facility = world["facilities"]["riverside"][0]
    facility_key = pseudonym("facility", facility.pk)
    record_pk = StoreRecord.objects.using("pso").filter(pso_id=pso.pk).order_by("-id").values_list(
        "pk", flat=True
    ).first()
    year = str(timezone.now().year - 1)
    users = world["users"]
    clients = {}
    for username in ("analyst.pso", "physicist.riverside", "staff.pso"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[username])
        clients[username] = client
    base = f"pso_id = {pso.pk}"
    filtered = f"{base} AND techniques @> '[\"imrt_vmat\"]' AND classification = 'near_miss' AND quarter >= '2020Q1'"
    human_codes = ",".join(n.code for n in CONTRIBUTING_FACTORS if aapm_category(n.code) == "human")
    human = f"contributing_factors ?| '{{{human_codes}}}'::text[]"
    pages = [
        ("analyst: PSO dashboard", "analyst.pso", "/reporting/dashboard/", _breakdowns_sql(base)),
        ("analyst: dashboard, 3 filters", "analyst.pso",
         "/reporting/dashboard/?technique=imrt_vmat&classification=near_miss&quarter_from=2020Q1",
         _breakdowns_sql(filtered)),
        ("analyst: CSV contributing factors", "analyst.pso", "/reporting/dashboard/?format=csv&dimension=cf_item",
         f"SELECT v, count(*) FROM {STORE}, jsonb_array_elements_text(contributing_factors) v WHERE {base} GROUP BY 1"),
        ("analyst: records, page 1", "analyst.pso", "/reporting/records/",
         f"SELECT * FROM {STORE} WHERE {base} ORDER BY id DESC LIMIT 25; "
         f"SELECT count(*) FROM {STORE} WHERE {base}"),
        ("analyst: records, drill-down", "analyst.pso", "/reporting/records/?dimension=cf_category&value=human",
         f"SELECT * FROM {STORE} WHERE {base} AND ({human}) ORDER BY id DESC LIMIT 25; "
         f"SELECT count(*) FROM {STORE} WHERE {base} AND ({human})"),
        ("analyst: record detail", "analyst.pso", f"/reporting/records/{record_pk}/",
         f"SELECT * FROM {STORE} WHERE id = {record_pk}"),
        ("practice: dashboard, all time", "physicist.riverside", "/reporting/practice/",
         _benchmark_sql(pso.pk, practice_key)),
        ("practice: one location, one year", "physicist.riverside",
         f"/reporting/practice/?facility={facility_key}&period={year}",
         _benchmark_sql(pso.pk, practice_key, f" AND quarter LIKE '{year}%' AND facility_key = '{facility_key}'")),
        ("staff: participation", "staff.pso", "/reporting/participation/", None),
    ]
    results = []
    for label, username, url, sql in pages:
        client = clients[username]

        def request(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        reset_queries()  # the capture counts from the log, which is full after seeding
        with CaptureQueriesContext(connections["default"]) as a, CaptureQueriesContext(connections["pso"]) as b:
            request()
        page_ms = _median_ms(request, repeat)
        raw_ms = _median_ms(lambda sql=sql: _run_sql(sql), repeat) if sql else float("nan")
        results.append((label, page_ms, len(a) + len(b), raw_ms))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--measure-only", action="store_true", help="measure the store as it is, no seeding")
    args = parser.parse_args()
    if connections["pso"].vendor != "postgresql":
        sys.exit("bench/dashboards.py needs PostgreSQL (set DATABASE_URL and PSO_DATABASE_URL).")
    world = seed_world()
    pso = world["pso"]
    if args.measure_only:
        size = StoreRecord.objects.using("pso").filter(pso_id=pso.pk).count()
        _print_table([(size, *row) for row in measure(world, args.repeat)])
        return
    Submission.objects.filter(pso=pso, record={}).delete()
    StoreRecord.objects.using("pso").filter(pso_id=pso.pk)._raw_delete("pso")
    table = []
    have = 0
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"\n== seeding to {size:,} records", flush=True)
        call_command("seed_bench", events=size - have, pso_id=pso.pk, verbosity=0)
        _seed_outbox(world, size - have)
        have = size
        for label, page_ms, queries, raw_ms in measure(world, args.repeat):
            table.append((size, label, page_ms, queries, raw_ms))
            print(f"{size:>9,}  {label:36} {page_ms:8.1f} ms  {queries:3d} q   raw {raw_ms:8.1f} ms", flush=True)
    _print_table(table)


def _print_table(table: list[tuple]) -> None:
    print("\nrecords    page                                  page (ms)  queries  raw SQL (ms)  page/raw")
    for size, label, page_ms, queries, raw_ms in table:
        ratio = f"{page_ms / raw_ms:8.2f}" if raw_ms == raw_ms else "       –"
        raw = f"{raw_ms:12.1f}" if raw_ms == raw_ms else "           –"
        print(f"{size:>9,}  {label:36} {page_ms:10.1f} {queries:8d} {raw}  {ratio}")


if __name__ == "__main__":
    main()

"""PSO push throughput: de-identified records delivered per second by one real Celery worker.

Enqueues N records through `submission_enqueue` (the review path) while no worker runs, so the messages
wait in Redis; then starts one worker (`celery -A roils worker -P solo`, or --pool prefork --concurrency
N) and times the deliveries from the first `pushed_at` to the last. Each delivery is the production path:
claim, store upsert with rollups, mark pushed, receipt signal. Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_c \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_c_pso \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/push_throughput.py [--records 2000]

It migrates both databases, seeds the demo world, and uses fresh event keys on every run (the store grows).
The broker queue of REDIS_URL is purged first: point it at a Redis database of your own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roils.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Max, Min  # noqa: E402

from practices.demo import seed_world  # noqa: E402
from reporting.keys import pseudonym  # noqa: E402
from reporting.models import Submission  # noqa: E402
from reporting.services import submission_enqueue  # noqa: E402
from roils.celery import app  # noqa: E402


def _record(agreement, key: str) -> dict:
    """A review-shaped raw record (every allowlisted field) with a realistic narrative."""
    return {
        "event_key": pseudonym("event", key), "practice_key": pseudonym("practice", agreement.practice_id),
        "facility_key": pseudonym("facility", agreement.practice_id), "revision": 1, "pso_id": agreement.pso_id,
        "quarter": "2026Q3", "classification": "near_miss", "techniques": ["imrt_vmat"],
        "workflow_noticed": "treatment_delivery", "workflow_origin": "treatment_planning",
        "workflow_detected": "pretreatment_review", "problem_type": "position_setup",
        "problem_types_secondary": ["imaging"], "patients_affected": "none", "harm": "", "medical_severity": 1,
        "dosimetric_severity": None, "dose_deviation_percent": None,
        "contributing_factors": ["pm.human_resources", "cp.failure_to_detect"], "barriers_failed": [],
        "barriers_caught": ["hw.record_verify"], "corrective_actions": ["hw.new_interlock"],
        "ameliorating_actions": [], "equipment_related": False, "equipment_manufacturer": "", "equipment_model": "",
        "software_version": "", "age_range": "60_69", "sex": "female", "reporter_role": "radiation_therapist",
        "possibly_reportable": False,
        "narrative": "Isocenter shift entered in the wrong direction at simulation; caught at the physics chart "
                     "check before the first fraction. Plan corrected and re-approved.",
        "lessons_learned": "Compare shifts with the plan report before approval.", "taxonomy_version": "2026.1",
    }  # fmt: skip


def _worker(pool: str, concurrency: int) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "0")}
    env.setdefault("SECRET_KEY", "bench-" + uuid.uuid4().hex * 2)
    command = [sys.executable, "-m", "celery", "-A", "roils", "worker", "-P", pool, "-c", str(concurrency),
               "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
               "-n", f"bench-{os.getpid()}@%h"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--pool", default="solo", choices=["solo", "prefork", "threads"])
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if not settings.REDIS_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Set DATABASE_URL / PSO_DATABASE_URL (PostgreSQL) and REDIS_URL.")
    call_command("migrate", verbosity=0)
    call_command("migrate", database="pso", verbosity=0)
    agreements = list(seed_world()["agreements"].values())
    app.control.purge()

    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    ids = []
    for start in range(0, args.records, 100):
        with transaction.atomic():  # published after each commit, like review_finalize
            for n in range(start, min(start + 100, args.records)):
                agreement = agreements[n % len(agreements)]
                record = _record(agreement, f"bench-{run}-{n}")
                ids.append(submission_enqueue(record=record, agreement_id=agreement.pk).pk)
    enqueue_seconds = time.perf_counter() - started
    rows = Submission.objects.filter(pk__in=ids)

    worker = _worker(args.pool, args.concurrency)
    started = time.perf_counter()
    try:
        while rows.filter(pushed_at__isnull=True).exists():
            if time.perf_counter() - started > args.timeout or worker.poll() is not None:
                sys.exit(f"gave up: {rows.filter(pushed_at__isnull=True).count()} undelivered")
            time.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(30)
    span = rows.aggregate(first=Min("pushed_at"), last=Max("pushed_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    retried = rows.filter(attempts__gt=1).count()
    print(f"records: {args.records}  worker: {args.pool} x{args.concurrency}  broker: {settings.CELERY_BROKER_URL}")
    print(f"enqueue (review path, incl. de-identification): {args.records / enqueue_seconds:,.0f} records/s")
    print(f"delivery, first to last push: {(args.records - 1) / seconds:,.0f} records/s ({seconds:.1f} s)")
    print(f"wall clock from worker start: {wall:.1f} s   rows delivered more than once: {retried}")


if __name__ == "__main__":
    main()

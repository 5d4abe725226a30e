"""PSO push throughput: de-identified records delivered per second by one real Celery worker, in batches.

Two measurements, each with one worker (`celery -A roils worker -P solo`, or --pool prefork --concurrency N)
started only once the work waits in Redis:

* throughput: N records enqueued through `submission_enqueue` (the review path), --per-transaction of them
  per transaction (each transaction's rows go out as one batch message); delivery is timed from the
  worker's start to the last `pushed_at`;
* backlog (--backlog 100000): the outbox an outage leaves behind, undelivered rows whose messages were lost
  (written with bulk_create, de-identified as the review path does), then drained as in production: the
  beat sweeper (`submission_sweep`, called here every 60 s) re-publishes them in batches and the worker
  delivers them. The drain time runs from the first sweep to the last `pushed_at`.

Each delivery is the production path: claim, one store transaction per batch (upserts and rollups), mark
pushed, receipt signal. Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_c \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_c_pso \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/push_throughput.py [--records 2000] [--backlog 100000]

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
from datetime import timedelta
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
from django.utils import timezone  # noqa: E402

from practices.demo import seed_world  # noqa: E402
from reporting.deidentify import deidentify  # noqa: E402
from reporting.keys import pseudonym  # noqa: E402
from reporting.models import Submission  # noqa: E402
from reporting.services import BATCH_SIZE, submission_enqueue, submission_sweep  # noqa: E402
from roils.celery import app  # noqa: E402

QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")
PROBLEMS = ("position_setup", "dose_calculation", "imaging", "treatment_delivery_other", "prescription")


def _record(agreement, key: str, n: int = 0) -> dict:
    """A review-shaped raw record (every allowlisted field) with a realistic narrative; `n` varies the codes."""
    return {
        "event_key": pseudonym("event", key), "practice_key": pseudonym("practice", agreement.practice_id),
        "facility_key": pseudonym("facility", agreement.practice_id), "revision": 1, "pso_id": agreement.pso_id,
        "quarter": QUARTERS[n % 5], "classification": ("near_miss", "unsafe_condition")[n % 2],
        "techniques": [("imrt_vmat", "srs_sbrt", "electrons")[n % 3]], "workflow_noticed": "treatment_delivery",
        "workflow_origin": "treatment_planning", "workflow_detected": "pretreatment_review",
        "problem_type": PROBLEMS[n % 5],
        "problem_types_secondary": ["imaging"], "patients_affected": "none", "harm": "",
        "medical_severity": n % 4, "dosimetric_severity": None, "dose_deviation_percent": None,
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


def _wait_delivered(rows, worker: subprocess.Popen, started: float, timeout: float) -> float:
    """Seconds from `started` until every row is pushed, sweeping as the beat would (every 60 s); at the timeout,
    the seconds so far (the caller reports how many were delivered)."""
    next_sweep = started + 60
    while rows.filter(pushed_at__isnull=True).exists():
        now = time.perf_counter()
        if worker.poll() is not None:
            sys.exit("the worker died")
        if now - started > timeout:
            print(f"timed out after {timeout:.0f} s: {rows.filter(pushed_at__isnull=True).count():,} undelivered")
            return now - started
        if now >= next_sweep:
            submission_sweep()
            next_sweep += 60
        time.sleep(0.2)
    return time.perf_counter() - started


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc): a measure the machine's other load leaves alone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(worker: subprocess.Popen) -> float:
    """Stop the worker; returns the CPU seconds it used."""
    cpu = _cpu_seconds(worker.pid)
    worker.terminate()
    worker.wait(30)
    return cpu


def throughput(args, agreements) -> None:
    """Enqueue through the review path, then time one worker delivering the queued batches."""
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    ids = []
    for start in range(0, args.records, args.per_transaction):
        with transaction.atomic():  # published after each commit, like review_finalize
            for n in range(start, min(start + args.per_transaction, args.records)):
                agreement = agreements[n % len(agreements)]
                record = _record(agreement, f"bench-{run}-{n}", n)
                ids.append(submission_enqueue(record=record, agreement_id=agreement.pk).pk)
    enqueue_seconds = time.perf_counter() - started
    rows = Submission.objects.filter(pk__in=ids)
    worker = _worker(args.pool, args.concurrency)
    started = time.perf_counter()
    try:
        wall = _wait_delivered(rows, worker, started, args.timeout)
    finally:
        cpu = _stop(worker)
    span = rows.aggregate(first=Min("pushed_at"), last=Max("pushed_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    retried = rows.filter(attempts__gt=1).count()
    workers = args.concurrency if args.pool != "solo" else 1
    print(f"records: {args.records}  worker: {args.pool} x{args.concurrency}  per transaction: "
          f"{args.per_transaction}  batch: {BATCH_SIZE}  broker: {settings.CELERY_BROKER_URL}")  # fmt: skip
    print(f"enqueue (review path, incl. de-identification): {args.records / enqueue_seconds:,.0f} records/s")
    print(f"delivery, worker start to last push: {args.records / wall:,.0f} records/s "
          f"({args.records / wall / workers:,.0f} per worker process; {wall:.1f} s incl. worker start-up)")  # fmt: skip
    print(f"delivery, first to last batch marked: {seconds:.1f} s   rows delivered more than once: {retried}")
    print(f"worker CPU: {cpu:.1f} s, {args.records / cpu:,.0f} records per CPU second of the worker "
          f"(its rate when not starved of CPU; the load average was {os.getloadavg()[0]:.1f})")  # fmt: skip


def backlog(args, agreements) -> None:
    """An outage's undelivered outbox (messages lost), drained by the sweeper and one worker."""
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    templates = {}
    for n in range(50):  # de-identify (scrub) each distinct narrative once; every row differs in its key
        agreement = agreements[n % len(agreements)]
        templates[n] = (agreement, deidentify(_record(agreement, f"tmpl-{run}-{n}", n)))
    past = timezone.now() - timedelta(hours=1)
    rows = []
    for n in range(args.backlog):
        agreement, clean = templates[n % 50]
        key = pseudonym("event", f"backlog-{run}-{n}")
        rows.append(Submission(pso_id=agreement.pso_id, agreement_id=agreement.pk, event_key=key, revision=1,
                               record={**clean, "event_key": key}, next_attempt_at=past))  # fmt: skip
    Submission.objects.bulk_create(rows, batch_size=2000)
    print(f"backlog of {args.backlog:,} undelivered rows written in {time.perf_counter() - started:.0f} s")
    pending = Submission.objects.filter(pushed_at__isnull=True, created_at__gte=rows[0].created_at)
    worker = _worker(args.pool, args.concurrency)
    time.sleep(5)  # the worker is up before the first sweep, as it would be when the outage ends
    started = time.perf_counter()
    try:
        sent = submission_sweep()
        print(f"first sweep re-published {sent:,} rows in {time.perf_counter() - started:.1f} s")
        drain = _wait_delivered(pending, worker, started, args.timeout)
    finally:
        cpu = _stop(worker)
    ours = Submission.objects.filter(created_at__gte=rows[0].created_at)
    retried = ours.filter(attempts__gt=1).count()
    delivered = ours.filter(pushed_at__isnull=False).count()
    workers = args.concurrency if args.pool != "solo" else 1
    print(f"backlog: {delivered:,} of {args.backlog:,} delivered in {drain:.0f} s ({drain / 60:.1f} min): "
          f"{delivered / drain:,.0f} records/s, {delivered / drain / workers:,.0f} per worker process; "
          f"rows delivered more than once: {retried}")  # fmt: skip
    print(f"worker CPU: {cpu:.0f} s, {delivered / cpu:,.0f} records per CPU second of the worker "
          f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000, help="throughput run (0: skip)")
    parser.add_argument("--per-transaction", type=int, default=BATCH_SIZE)
    parser.add_argument("--backlog", type=int, default=0, help="backlog drain run (e.g. 100000; 0: skip)")
    parser.add_argument("--pool", default="solo", choices=["solo", "prefork", "threads"])
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    if not settings.REDIS_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Set DATABASE_URL / PSO_DATABASE_URL (PostgreSQL) and REDIS_URL.")
    call_command("migrate", verbosity=0)
    call_command("migrate", database="pso", verbosity=0)
    agreements = list(seed_world()["agreements"].values())
    app.control.purge()
    if args.records:
        throughput(args, agreements)
    if args.backlog:
        app.control.purge()
        backlog(args, agreements)


if __name__ == "__main__":
    main()

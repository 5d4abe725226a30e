"""Delivery survives real faults: a Celery worker SIGKILLed mid-run, the broker restarted empty, and the
worker's database connections cut (as by a database restart). The store ends with exactly one record per
event: no loss, no duplicate.

Runs a private redis-server on a free port (never the shared one: it is killed and restarted here) and
a real worker subprocess pointed at pytest's test databases.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from reporting.models import StoreRecord, Submission
from reporting.services import submission_enqueue, submission_sweep

from .outbox_records import raw_record, real_broker, second_pso

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]

EVENTS = 1000
WORKER_APP_NAME = "roils-fault-worker"  # lets the test find (and cut) the worker's database connections


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{worker.log_tail() if worker else ''}")


class PrivateRedis:
    """A throwaway redis-server without persistence: killing it loses every queued message."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def ping():
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False

        _wait(ping, 10, "the private redis-server")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def _database_url(alias: str) -> str:
    db = connections[alias].settings_dict  # during the test: the test database (test_<name>)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}?application_name={WORKER_APP_NAME}"


class Worker:
    """`celery -A roils worker -P solo` as a subprocess, configured as production would be (not eager)."""

    def __init__(self, broker_url: str, log_path: Path):
        self.log_path = log_path
        self.process = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "roils.settings.base",
            "DEBUG": "0",
            "SECRET_KEY": "fault-test-" + "k" * 60,
            "DATABASE_URL": _database_url("default"),
            "PSO_DATABASE_URL": _database_url("pso"),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": broker_url,
        }

    def start(self):
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "roils", "worker", "-P", "solo", "--loglevel=WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"faults-{os.getpid()}@%h"],
            cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def worker(private_redis, tmp_path):
    process = Worker(private_redis.url, tmp_path / "worker.log")
    yield process
    process.kill()


def _stored() -> int:
    return StoreRecord.objects.count()


def _cut_worker_connections(sessions: int = 3, within: float = 5.0) -> int:
    """Terminate the worker's sessions on both test databases, as a database restart would, until `sessions`
    were cut (the worker opens fresh ones for every task, so a single sweep may find none)."""
    cut, deadline = 0, time.monotonic() + within
    while cut < sessions and time.monotonic() < deadline:
        for alias in ("default", "pso"):
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s AND datname = current_database()",
                    [WORKER_APP_NAME],
                )
                cut += cursor.fetchone()[0]
        time.sleep(0.005)
    return cut


def test_worker_faults_sigkill_broker_restart_connection_cut_exactly_one_record_per_event(
    world, private_redis, worker
):
    other = second_pso()
    agreements = [world["agreements"]["riverside"], world["agreements"]["lakeside"], other["agreement"]]
    expected = set()
    with real_broker(private_redis.url):
        worker.start()
        for batch in range(EVENTS // 100):
            with transaction.atomic():  # like review_finalize: many rows, published after commit
                for i in range(100):
                    n = batch * 100 + i
                    agreement = agreements[n % 3]
                    submission = submission_enqueue(record=raw_record(agreement=agreement, n=n),
                                                    agreement_id=agreement.pk)
                    expected.add((agreement.pso_id, submission.event_key))
        assert len(expected) == EVENTS

        # 1. The worker dies mid-run (SIGKILL: no warm shutdown, its current message is never acked).
        _wait(lambda: _stored() >= 150, 60, "the worker to deliver 150 records", worker)
        worker.kill()
        at_kill = _stored()
        assert at_kill < EVENTS, "the worker finished before it could be killed"

        # 2. The broker restarts empty: every queued message is lost.
        private_redis.kill()
        private_redis.start()

        # 3. The worker comes back; the sweeper re-sends what the outbox still holds (looking past the lease).
        undelivered = Submission.objects.filter(pushed_at__isnull=True).count()
        worker.start()
        assert submission_sweep(now=timezone.now() + timedelta(hours=2), limit=2 * EVENTS) == undelivered > 0

        # 4. Mid-way, the worker's database sessions are cut; its deliveries fail, retry and resume.
        _wait(lambda: _stored() >= at_kill + 100, 60, "deliveries to resume", worker)
        assert _cut_worker_connections() > 0

        _wait(lambda: not Submission.objects.filter(pushed_at__isnull=True).exists(), 240,
              "every submission to be delivered", worker)

    assert StoreRecord.objects.count() == EVENTS
    assert set(StoreRecord.objects.values_list("pso_id", "event_key")) == expected
    assert set(StoreRecord.objects.values_list("revision", flat=True)) == {1}
    theirs = {key for key in expected if key[0] == other["pso"].pk}
    assert set(StoreRecord.objects.filter(pso_id=other["pso"].pk).values_list("pso_id", "event_key")) == theirs

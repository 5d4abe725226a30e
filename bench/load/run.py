"""The load test of issue 8 ("a busy Monday"), in one command:

    .venv/bin/python bench/load/run.py            # 10-20 minutes; writes bench/results/load.md

1. Recreates the PostgreSQL pair roils_load / roils_load_pso, migrates both, collects static files, runs
   `seed_demo --force` and bench/load/seed.py (5 bench agreements: 10 reviewers with TOTP, 50 reporter logins,
   1,000 reviewed history events). Redis database 5 is flushed and receives the queued Celery tasks.
2. Ceiling phase: gunicorn serves the bare ceiling view (bench/load/ceiling, installed only by
   settings_ceiling.py) to 60 users for 60 s against the same PostgreSQL, closed loop.
3. App phase: the same gunicorn configuration serves roils.wsgi (DEBUG=0, production settings; rate limits off,
   lockout on) and locust drives 50 reporters submitting events and 10 reviewers browsing the review queue for
   60 s, closed loop (saturated).
4. Paced phase: the same 60 users, each sending requests at a steady rate so that together they offer half the
   ceiling's requests/s: the goal's load, where p99 is judged.
5. Ceiling again: the machine's speed drifts within minutes (a VM shares its host), so the ceiling is measured
   before and after the app phases, and the ratios use the mean of the two.
6. Alternating pairs: short ceiling and app windows back to back, in alternating order, whose median ratio the
   drift moves less; each pair also has a window of the app's submit loop alone (60 reporters), the like-for-like
   counterpart of the ceiling's loop.
7. Checks that every acknowledged submission is in the database exactly once, prints the table and writes it
   to bench/results/load.md.

Only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import cpu_by_view
import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
PG = "postgres://postgres@127.0.0.1:5432"
DB, PSO_DB = "roils_load", "roils_load_pso"
REDIS = "redis://127.0.0.1:6379/5"
# "submit" runs only the app's submit loop with the ceiling's 60 users: the like-for-like comparison with the ceiling's
# loop (a window of each alternating pair; the goal is judged on "app", which also has reviewers browsing).
USERS = {"app": {"Reporter": 50, "Reviewer": 10}, "paced": {"Reporter": 50, "Reviewer": 10},
         "ceiling": {"CeilingUser": 60}, "ceiling-after": {"CeilingUser": 60}, "submit": {"Reporter": 60}}
GROUPS = {"app": ["submit", "browse"], "paced": ["submit", "browse"], "ceiling": ["ceiling"],
          "ceiling-after": ["ceiling"], "submit": ["submit"]}
PREFIX = {"paced": "paced ", "ceiling-after": "after "}  # how a phase's groups are named in the summary
P99_GOAL_MS = 200
PACED_SHARE = 0.5  # the paced phase is offered this share of the ceiling's requests/s
RATIO_GOAL = 0.60  # issue 19: median app/ceiling ratio over the alternating pairs
QUIET_BUSY_PERCENT = 20


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


def base_env(out: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PSO_", "LOAD_"))}
    env.update(
        DATABASE_URL=f"{PG}/{DB}", PSO_DATABASE_URL=f"{PG}/{PSO_DB}", REDIS_URL=REDIS, DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48), ALLOWED_HOSTS="127.0.0.1,localhost", SECURE="0",
        RATELIMIT_ENABLE="0", AXES_ENABLED="1", LOG_LEVEL="WARNING", SITE_URL="http://127.0.0.1",
        PYTHONPATH=f"{HERE}{os.pathsep}{ROOT}", DJANGO_SETTINGS_MODULE="settings_ceiling", LOAD_OUT=str(out),
    )
    return env


def run(cmd: list[str], env: dict, *, timeout: int = 600, capture: bool = False) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, timeout=timeout, check=False, text=True,
                            capture_output=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"failed ({result.returncode}): {' '.join(cmd)}")
    return result.stdout if capture else ""


def recreate_databases() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for name in (DB, PSO_DB):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(out: Path, env: dict, events: int) -> dict:
    log("recreating roils_load / roils_load_pso and flushing Redis db 5")
    recreate_databases()
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    manage = [PY, "manage.py"]
    log("migrating both databases, collecting static files")
    run([*manage, "migrate", "--noinput"], env)
    run([*manage, "migrate", "--database", "pso", "--noinput"], env)
    run([*manage, "collectstatic", "--noinput"], env)
    log("seed_demo --force, then the bench world")
    run([*manage, "seed_demo", "--force"], env)
    seeded = json.loads(run([PY, str(HERE / "seed.py"), str(out), "--events", str(events)], env,
                            capture=True).strip().splitlines()[-1])
    log(f"seeded: {seeded}")
    # A database in steady state has been vacuumed and analysed by autovacuum; a freshly loaded one has not, and
    # its planner skips the full-text GIN indexes (search took 44 ms instead of 3 ms per query before this).
    import psycopg

    for name in (DB, PSO_DB):
        with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            # The seed's writes are flushed now, not by the checkpointer during the first phase.
            conn.execute("CHECKPOINT")
    return seeded


def wait_quiet(limit: int) -> float:
    """Other work on this 2-core machine skews every number: wait (bounded) until the CPUs are mostly idle."""
    deadline = time.monotonic() + limit
    busy = psutil.cpu_percent(interval=5)
    while busy >= QUIET_BUSY_PERCENT and time.monotonic() < deadline:
        busy = psutil.cpu_percent(interval=5)
    log(f"CPU busy {busy:.0f}% over the last 5 s" + ("" if busy < QUIET_BUSY_PERCENT else
                                                     f" (not quiet after {limit} s: measuring anyway)"))
    return busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CpuSampler(threading.Thread):
    """Cumulative CPU seconds per process group, once a second, to tell where the two cores went."""

    def __init__(self, gunicorn_pid: int):
        super().__init__(daemon=True)
        self.gunicorn_pid = gunicorn_pid
        self.samples: list[tuple[float, dict]] = []
        self.groups: dict[int, str | None] = {}
        self.halt = threading.Event()

    def group_of(self, proc: psutil.Process) -> str | None:
        try:
            if proc.pid == self.gunicorn_pid or self.gunicorn_pid in [p.pid for p in proc.parents()]:
                return "gunicorn"
            name, cmdline = proc.name(), " ".join(proc.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return None
        if "locust" in cmdline:
            return "locust"
        if name.startswith("postgres") and f" {DB} " in f" {cmdline} ":
            return "postgres (load db)"
        if name.startswith("postgres"):
            return "postgres (other)"
        if name.startswith("redis"):
            return "redis"
        return None

    def snapshot(self) -> dict:
        totals: dict[str, float] = {}
        for proc in psutil.process_iter():
            if proc.pid not in self.groups:  # a process keeps its group: classify it once
                self.groups[proc.pid] = self.group_of(proc)
            group = self.groups[proc.pid]
            if group is None:
                continue
            try:
                times = proc.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            totals[group] = totals.get(group, 0.0) + times.user + times.system
        cpu = psutil.cpu_times()
        totals["machine busy"] = cpu.user + cpu.system + cpu.nice + getattr(cpu, "irq", 0) + getattr(cpu, "softirq", 0)
        return totals

    def run(self):
        self.samples.append((time.time(), self.snapshot()))
        while not self.halt.wait(1.0):
            self.samples.append((time.time(), self.snapshot()))

    def between(self, start: float, end: float) -> dict:
        """CPU cores used per group between two moments (1.0 = one core busy all the time)."""
        before = [s for s in self.samples if s[0] <= start + 0.5] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= end - 0.5] or self.samples[-1:]
        if not before or not after or after[0][0] <= before[-1][0]:
            return {}
        (t0, a), (t1, b) = before[-1], after[0]
        # Processes that ended meanwhile are missing from `b`; processes started meanwhile count from zero.
        used = {k: round((b.get(k, 0.0) - a.get(k, 0.0)) / (t1 - t0), 2) for k in b if b.get(k, 0.0) >= a.get(k, 0.0)}
        ours = sum(v for k, v in used.items() if k not in ("machine busy", "postgres (other)"))
        used["everything else"] = round(max(0.0, used.get("machine busy", 0.0) - ours), 2)
        return used


def start_gunicorn(env: dict, settings: str, port: int, workers: int, threads: int, out: Path, phase: str):
    env = {**env, "DJANGO_SETTINGS_MODULE": settings}
    cmd = [str(BIN / "gunicorn"), "roils.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads), "--worker-class", "gthread" if threads > 1 else "sync", "--backlog", "2048",
           "--timeout", "60", "--keep-alive", "5", "--error-logfile", str(out / f"gunicorn-{phase}.log")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return proc, cmd
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            break
    stop(proc)
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{port}; see {out / f'gunicorn-{phase}.log'}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def window_seconds(record: dict) -> float:
    return record["window_end"] - record["window_start"]


def window_rps(record: dict) -> float:
    seconds = window_seconds(record)
    return sum(len(v) for v in record["samples"].values()) / seconds if seconds else 0.0


def run_phase(phase: str, env: dict, out: Path, args, pace_rps: float = 0.0, *, kind: str = "",
              seconds: float = 0.0) -> dict:
    """One phase: gunicorn and locust for `seconds` (default --seconds). `kind` is what it runs (default: its name)."""
    kind, seconds = kind or phase, seconds or args.seconds
    port = free_port()
    settings = "settings_ceiling" if kind.startswith("ceiling") else "settings_load"
    log(f"{phase} phase: gunicorn {args.workers} workers x {args.threads} threads ({settings}) on 127.0.0.1:{port}")
    # cpu_by_view.py (first middleware of both settings) counts Django's CPU per page during the window.
    server_env = {**env, "LOAD_CPU_BY_VIEW": str(out / f"cpu-{phase}"),
                  "LOAD_WINDOW_OPEN": str(out / f"{phase}-window-open"),
                  "LOAD_WINDOW_CLOSED": str(out / f"{phase}-locust.json")}
    proc, cmd = start_gunicorn(server_env, settings, port, args.workers, args.threads, out, phase)
    sampler = CpuSampler(proc.pid)
    sampler.start()
    users = USERS[kind]
    locust_env = {**env, "LOAD_PHASE": phase, "LOAD_KIND": kind, "LOAD_REPORTERS": str(users.get("Reporter", 0)),
                  "LOAD_REVIEWERS": str(users.get("Reviewer", 0)),
                  "LOAD_CEILING_USERS": str(users.get("CeilingUser", 0)), "LOAD_PACE_RPS": f"{pace_rps:.4f}"}
    total = sum(users.values())
    # Bound: sign-ins (at most 180 s), the window, the drain (30 s) and a margin.
    cmd_locust = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--users", str(total),
                  "--spawn-rate", str(total), "--run-time", f"{int(seconds) + 260}s", "--stop-timeout", "30",
                  "--host", f"http://127.0.0.1:{port}", "--load-seconds", str(seconds), "--only-summary",
                  "--loglevel", "WARNING", *users.keys()]
    log(f"{phase} phase: locust {total} users ({', '.join(f'{n} {k}' for k, n in users.items())}), "
        f"{seconds:g} s after sign-in")
    profiler = None
    try:
        with open(out / f"{phase}-locust.log", "w") as logfile:
            locust = subprocess.Popen(cmd_locust, cwd=ROOT, env=locust_env, stdout=logfile, stderr=subprocess.STDOUT)
            if args.profile:
                profiler = start_profiler(proc.pid, out / f"{phase}-pyspy.txt", out / f"{phase}-window-open",
                                          seconds)
            locust.wait(timeout=seconds + 400)
    finally:
        sampler.halt.set()
        if profiler is not None:
            profiler.wait(timeout=seconds + 60)
        stop(proc)
    record = json.loads((out / f"{phase}-locust.json").read_text())
    record["cpu"] = sampler.between(record["window_start"], record["window_end"])
    record["cpu_by_view"] = cpu_by_view.collect(out / f"cpu-{phase}")
    record["pace_rps_per_user"] = pace_rps
    record["gunicorn"] = " ".join(c if not c.startswith(str(ROOT)) else os.path.relpath(c, ROOT) for c in cmd)
    return record


def start_profiler(master_pid: int, target: Path, marker: Path, seconds: float) -> subprocess.Popen | None:
    """py-spy samples every gunicorn worker for the middle of the window (collapsed stacks, for a look)."""
    deadline = time.monotonic() + 240
    while not marker.exists() and time.monotonic() < deadline:  # written by the locustfile when the window opens
        time.sleep(0.5)
    if not marker.exists():
        return None
    time.sleep(seconds * 0.2)
    return subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(master_pid), "--subprocesses", "--rate", "50",
                             "--duration", str(int(seconds * 0.6)), "--format", "raw", "--output", str(target),
                             "--nonblocking"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(samples: dict, names: list[str], seconds: float, users: int) -> dict:
    times = [ms for name in names for ms, _ok in samples.get(name, [])]
    errors = sum(1 for name in names for _ms, ok in samples.get(name, []) if not ok)
    return {"users": users, "requests": len(times), "rps": len(times) / seconds if seconds else 0.0,
            "p50": percentile(times, 50), "p95": percentile(times, 95), "p99": percentile(times, 99),
            "errors": errors}


def row(label: str, s: dict) -> str:
    return (f"| {label} | {s['users']} | {s['requests']:,} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | "
            f"{s['p99']:.0f} | {s['errors']} |")


def code_version() -> str:
    """The commit the run measures, and whether tracked files differed from it."""
    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    # The results file is this script's own output: a run after a run changes it, not the code measured.
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results")
    return git("rev-parse", "--short", "HEAD") + (" plus uncommitted changes" if dirty else "")


def _server_ms(record: dict) -> float:
    """Server-side CPU milliseconds per request of a whole window (gunicorn, the load database, Redis)."""
    cores = sum(record["cpu"].get(k, 0.0) for k in ("gunicorn", "postgres (load db)", "redis"))
    rps = window_rps(record)
    return 1000 * cores / rps if rps else 0.0


def pair_lines(pairs: list[dict]) -> list[str]:
    """The alternating pairs: each pair's ratios, then their medians."""
    if not pairs:
        return []
    seconds = window_seconds(pairs[0]["app"])
    like_for_like = all("submit" in pair for pair in pairs)
    if like_for_like:
        lines = ["", f"Alternating pairs: {len(pairs)} groups of three windows of {seconds:.0f} s each, back to back: "
                 "the app (50 reporters and 10 reviewers, as above), the ceiling, and the app's submit loop alone "
                 "(60 reporters: the same GET form → POST → confirmation loop as the ceiling's 60 users, like for "
                 "like), the ceiling always in the middle, next to both, and the order reversed in even pairs. "
                 "Phases minutes apart see a machine that runs up to 20% faster or slower; a window's neighbours are a "
                 "minute away.", "",
                 "| pair | order | ceiling req/s | app req/s | ratio | server CPU/request, app vs ceiling (ratio) | "
                 "submit loop alone req/s | its ratio |",
                 "|---|---|---:|---:|---:|---:|---:|---:|"]
    else:
        lines = ["", f"Alternating pairs: {len(pairs)} pairs of a ceiling window and an app window of {seconds:.0f} s "
                 "each, back to back, ceiling first in odd pairs and app first in even ones. Phases minutes apart see "
                 "a machine that runs up to 20% faster or slower; a pair's two windows are a minute apart.", "",
                 "| pair | order | ceiling req/s | app req/s | ratio | server CPU/request, app vs ceiling (ratio) |",
                 "|---|---|---:|---:|---:|---:|"]
    ratios, cpu_ratios, submit_ratios = [], [], []
    for number, pair in enumerate(pairs, 1):
        ceiling, app = window_rps(pair["ceiling"]), window_rps(pair["app"])
        ceiling_ms, app_ms = _server_ms(pair["ceiling"]), _server_ms(pair["app"])
        ratio = app / ceiling if ceiling else 0.0
        cpu_ratio = ceiling_ms / app_ms if app_ms else 0.0
        ratios.append(ratio)
        cpu_ratios.append(cpu_ratio)
        line = (f"| {number} | {' then '.join(pair['order'])} | {ceiling:.1f} | {app:.1f} | {ratio:.2f} | "
                f"{app_ms:.1f} vs {ceiling_ms:.1f} ms ({cpu_ratio:.2f}) |")
        if like_for_like:
            submit = window_rps(pair["submit"])
            submit_ratios.append(submit / ceiling if ceiling else 0.0)
            line += f" {submit:.1f} | {submit_ratios[-1]:.2f} |"
        lines.append(line)
    median = statistics.median(ratios)
    lines += ["", f"- **Median ratio over the pairs: {median:.2f}** (range {min(ratios):.2f}–"
              f"{max(ratios):.2f}; goal {RATIO_GOAL:.2f}: {'met' if median >= RATIO_GOAL else 'missed'}); "
              f"server CPU per request, median ratio {statistics.median(cpu_ratios):.2f}. Both sides sign in first: "
              "the ceiling's users with password and TOTP through the app's login form, and its view admits only a "
              "verified user."]
    if like_for_like:
        lines.append(
            f"- Like for like, the app's submit loop alone against the ceiling's loop: median ratio "
            f"**{statistics.median(submit_ratios):.2f}** (range {min(submit_ratios):.2f}–{max(submit_ratios):.2f}). "
            "The gap between the two ratios is the reviewers' pages (queue and event page), which the ceiling has "
            "no counterpart of.")
    return [*lines, ""]


def report(records: dict, check: dict, seeded: dict, args, started: float, code: str,
           pairs: list[dict] | None = None) -> str:
    lines, detail, summary = [], [], {}
    for phase, record in records.items():
        seconds = window_seconds(record)
        samples = record["samples"]
        prefix = PREFIX.get(phase, "")
        for group in GROUPS[phase]:
            names = sorted(n for n in samples if n.startswith(f"{group}:"))
            users = USERS[phase].get({"submit": "Reporter", "browse": "Reviewer"}.get(group, "CeilingUser"), 0)
            summary[prefix + group] = summarize(samples, names, seconds, users)
            for name in names:
                detail.append(row(prefix + name, summarize(samples, [name], seconds, users)))
        if phase in ("app", "paced"):
            summary[f"{phase} total"] = summarize(samples, list(samples), seconds, sum(USERS[phase].values()))
        summary[f"{phase} seconds"] = seconds
    head = ["| | users | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines.append("## Results")
    lines += head
    labels = {"submit": "submit", "browse": "browse", "app total": "app total (saturated)", "ceiling": "ceiling",
              "after ceiling": "ceiling again, after the app phases",
              "paced submit": "paced: submit", "paced browse": "paced: browse",
              "paced total": "paced: app total at half the ceiling's rate"}
    for label, text in labels.items():
        if label in summary:
            lines.append(row(text, summary[label]))
    lines.append("")
    ceilings = [summary[k]["rps"] for k in ("ceiling", "after ceiling") if k in summary and summary[k]["rps"]]
    ceiling_rps = sum(ceilings) / len(ceilings) if ceilings else 0.0
    if len(ceilings) == 2:
        lines.append(
            f"- **Ceiling before and after the app phases: {ceilings[0]:.1f} and {ceilings[1]:.1f} req/s** "
            f"({100 * (ceilings[1] / ceilings[0] - 1):+.0f}%: the machine's speed drifts). The ratios below use "
            f"their mean, {ceiling_rps:.1f} req/s; the paced phase was offered half of the first.")
    if "paced total" in summary and ceiling_rps:
        paced, target = summary["paced total"], PACED_SHARE * summary["ceiling"]["rps"]
        kept_up = paced["rps"] >= 0.97 * target
        ok = kept_up and paced["p99"] < P99_GOAL_MS and paced["errors"] == 0
        lines.append(
            f"- **Goal (half the ceiling's throughput with p99 < {P99_GOAL_MS} ms): {'met' if ok else 'missed'}.** "
            f"Offered {target:.1f} req/s (half of the ceiling's {summary['ceiling']['rps']:.1f}) at a steady rate, "
            f"the app served {paced['rps']:.1f} req/s ({paced['rps'] / ceiling_rps:.2f} of the "
            f"ceiling) with p50 {paced['p50']:.0f} ms, p95 {paced['p95']:.0f} ms, p99 {paced['p99']:.0f} ms and "
            f"{paced['errors']} errors.")
    if ceiling_rps and "submit" in summary:
        ratio_total = summary["app total"]["rps"] / ceiling_rps
        ratio_submit = summary["submit"]["rps"] / ceiling_rps
        p99s = " and ".join(f"{summary[k]['p99']:.0f} ms" for k in ("ceiling", "after ceiling") if k in summary)
        lines += [
            f"- **Saturated ratio app / ceiling throughput: {ratio_total:.2f}** (closed loop, all 60 users' "
            f"requests/s: {summary['app total']['rps']:.1f} vs {ceiling_rps:.1f}). At saturation every request "
            f"waits behind the others (60 users, no think time), so p99 there is queueing: app "
            f"{summary['app total']['p99']:.0f} ms, ceiling {p99s}.",
            f"- Submit requests/s (50 users) / ceiling requests/s (60 users): {ratio_submit:.2f}.",
        ]
    stack = {phase: _server_ms(record) for phase, record in records.items()}
    ceiling_stacks = [stack[p] for p in ("ceiling", "ceiling-after") if stack.get(p)]
    if stack.get("app") and ceiling_stacks:
        ceiling_ms = sum(ceiling_stacks) / len(ceiling_stacks)
        lines.append(
            f"- CPU per request on the server side (gunicorn + PostgreSQL of the load database + Redis): app "
            f"{stack['app']:.1f} ms, ceiling {' and '.join(f'{ms:.1f}' for ms in ceiling_stacks)} ms, so per "
            f"core-second of server CPU the app serves **{ceiling_ms / stack['app']:.2f}** of the ceiling's "
            f"requests (this ratio does not depend on how much CPU other work on the machine took).")
    if pairs:
        lines += pair_lines(pairs)
    if "app" in check:
        c = check["app"]
        pair_seconds = sum(window_seconds(p[kind]) for p in pairs or [] for kind in ("app", "submit") if kind in p)
        acked_rate = c["acknowledged"] / (summary.get("app seconds", 0) + summary.get("paced seconds", 0)
                                          + pair_seconds)
        lines += [
            f"- **{c['acknowledged']:,} acknowledged, {c['lost']} lost, {c['duplicated']} duplicated** "
            f"({acked_rate:.1f} submissions/s; {c['double_posts']} of them posted twice as a double click; "
            f"{c['posted']:,} forms posted, {c['events_created_during_run']:,} events created during the run, "
            f"{c['stored_without_acknowledgement']} stored without an acknowledgement).",
        ]
    if "ceiling" in check:
        c = check["ceiling"]
        seconds = (summary["ceiling seconds"] + summary.get("ceiling-after seconds", 0)
                   + sum(window_seconds(p["ceiling"]) for p in pairs or []))
        lines.append(f"- Ceiling: {c['acknowledged']:,} rows acknowledged ({c['acknowledged'] / seconds:.1f}/s), "
                     f"{c['lost']} lost, {c['duplicated']} duplicated.")
    lines += ["", "Per request (latency of each HTTP request; a submission is GET form + POST + GET confirmation):",
              "", *head, *detail, ""]
    lines.append("CPU during each window, in cores (the machine has 2; locust shares them with the server):")
    lines.append("")
    groups = sorted({k for r in records.values() for k in r["cpu"]})
    lines.append("| phase | " + " | ".join(groups) + " |")
    lines.append("|---|" + "---:|" * len(groups))
    for phase, record in records.items():
        lines.append(f"| {phase} | " + " | ".join(f"{record['cpu'].get(g, 0):.2f}" for g in groups) + " |")
    lines.append("")
    lines += cpu_by_view_lines(records)
    failures = {k: v for r in records.values() for k, v in r["failures"].items()}
    if failures:
        lines.append("Errors seen: " + "; ".join(f"{k} ({v}×)" for k, v in sorted(failures.items())[:10]))
        lines.append("")
    logins = records.get("app", {}).get("logins", [])
    if logins:
        lines.append(f"Sign-ins before the window (not measured above): {len(logins)} requests, p50 "
                     f"{percentile(logins, 50):.0f} ms, max {max(logins):.0f} ms.")
        lines.append("")
    gunicorn = records.get("app", records.get("ceiling"))["gunicorn"]
    lines += [
        "Setup:",
        "",
        f"- `{gunicorn}` (DEBUG=0, SECURE=0 for plain http on 127.0.0.1, CONN_MAX_AGE=600, "
        f"RATELIMIT_ENABLE=0, AXES_ENABLED=1, REDIS_URL → Redis db 5, no Celery worker).",
        f"- Closed loop: no think time, each user starts its next loop when the last one ends; "
        f"window {args.seconds:g} s per phase, after every user has signed in.",
        f"- Data: seed_demo plus {seeded['agreements']} bench agreements, {seeded['history_events']:,} reviewed "
        f"history events; {seeded['reporters']} reporter logins (one shared per agreement), "
        f"{seeded['reviewers']} reviewers with TOTP.",
        f"- Machine: {psutil.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL and Redis on "
        f"127.0.0.1; commit {code}; run at "
        f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}; CPU busy in the 5 s before each phase: "
        + ", ".join(f"{phase} {r['busy_before']:.0f}%" for phase, r in records.items()) + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="The load test of issue 8 (see bench/README.md).")
    parser.add_argument("--seconds", type=float, default=60)
    # The shipped server command (Dockerfile, docker-compose.yml): 4 sync workers. With gthread workers and
    # keep-alive, each virtual user's connection sticks to one worker, and an unlucky spread leaves a worker idle
    # while another queues (seen: 20% of the CPU unused at the paced rate); behind a proxy that is not the case.
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LOAD_WORKERS", 4)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("LOAD_THREADS", 1)))
    parser.add_argument("--events", type=int, default=200, help="history events per bench agreement")
    parser.add_argument("--phases", default="ceiling,app,paced,ceiling-after",
                        help="ceiling: the bare view, closed loop; app: roils, closed loop (saturated); paced: roils "
                             "offered half the ceiling's requests/s at a steady rate (needs ceiling first); "
                             "ceiling-after: the ceiling again, to see how far the machine drifted")
    parser.add_argument("--pairs", type=int, default=3,
                        help="after the phases, this many short ceiling/app pairs back to back, in alternating order: "
                             "a ratio that the machine's drift moves less (0: none)")
    parser.add_argument("--no-like-for-like", dest="like_for_like", action="store_false",
                        help="pairs without their third window, the app's submit loop alone (60 reporters)")
    parser.add_argument("--pair-seconds", type=float, default=20, help="window of each pair's phases")
    parser.add_argument("--profile", action="store_true",
                        help="also sample the gunicorn workers with py-spy (collapsed stacks in var/load/<run>/)")
    parser.add_argument("--quiet-wait", type=int, default=300,
                        help="wait up to this many seconds for the machine's CPUs to be less than 20%% busy")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "load.md")
    parser.add_argument("--report-from", type=Path, help="rewrite the report from a finished run folder, run nothing")
    args = parser.parse_args()
    if args.report_from:
        saved = json.loads((args.report_from / "summary.json").read_text())
        args.seconds = saved["seconds"]
        write_report(saved["records"], saved["check"], saved["seeded"], saved["profile"], args, saved["started"],
                     saved.get("code", "not recorded (a run folder from before 2026-11-27)"), saved.get("pairs", []))
        return
    started, code = time.time(), code_version()
    out = ROOT / "var" / "load" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    env = base_env(out)
    seeded = prepare(out, env, args.events)
    records = {}
    for phase in args.phases.split(","):
        pace = 0.0
        if phase == "paced":  # the goal's load: half the ceiling's throughput, offered at a steady rate
            if "ceiling" not in records:
                raise SystemExit("the paced phase needs the ceiling phase first (--phases ceiling,app,paced)")
            pace = PACED_SHARE * window_rps(records["ceiling"]) / sum(USERS["paced"].values())
        busy = wait_quiet(args.quiet_wait)
        records[phase] = run_phase(phase, env, out, args, pace)
        records[phase]["busy_before"] = busy
    pairs = []
    for number in range(1, args.pairs + 1):
        # The ceiling in the middle, next to both app windows; app first, then submit first, and so on: over two pairs
        # a steady drift of the machine's speed cancels.
        if args.like_for_like:
            order = ("app", "ceiling", "submit") if number % 2 else ("submit", "ceiling", "app")
        else:
            order = ("ceiling", "app") if number % 2 else ("app", "ceiling")
        pair = {"order": list(order)}
        for kind in order:
            busy = wait_quiet(args.quiet_wait)
            pair[kind] = run_phase(f"pair{number}-{kind}", env, out, args, kind=kind, seconds=args.pair_seconds)
            pair[kind]["busy_before"] = busy
        pairs.append(pair)
    log("checking acknowledged submissions against the database")
    check = json.loads(run([PY, str(HERE / "check.py"), str(out), str(started)], env, capture=True)
                       .strip().splitlines()[-1])
    log("one request at a time: SQL queries and CPU per step (profile_requests.py)")
    profile = run([PY, str(HERE / "profile_requests.py"), str(out), "--loops", "20"], env, capture=True)
    (out / "summary.json").write_text(json.dumps({"check": check, "seeded": seeded, "records": records,
                                                  "profile": profile, "started": started, "seconds": args.seconds,
                                                  "code": code, "pairs": pairs}))
    write_report(records, check, seeded, profile, args, started, code, pairs)
    log(f"raw samples in {os.path.relpath(out, ROOT)}")


def cpu_by_view_lines(records: dict) -> list[str]:
    """Where the app's and the ceiling's CPU went under load, page by page (bench/load/cpu_by_view.py)."""
    lines = []
    for phase in ("app", "ceiling"):
        totals = records.get(phase, {}).get("cpu_by_view")
        if not totals:
            continue  # a run from before 2026-11-27 (third session) did not count it
        requests, seconds = sum(n for n, _s in totals.values()), sum(s for _n, s in totals.values())
        if not lines:
            lines += ["Django's CPU per page under load (the thread's CPU time inside the middleware stack, counted in "
                      "each worker during the window; gunicorn's HTTP work, PostgreSQL and Redis are not in it):", ""]
        lines += [f"| {phase}: view | requests | share of requests | CPU ms per request | share of CPU |",
                  "|---|---:|---:|---:|---:|"]
        for key, (count, cpu) in sorted(totals.items(), key=lambda item: -item[1][1]):
            lines.append(f"| {key} | {count:,} | {count / requests:.0%} | {cpu / count * 1000:.2f} | "
                         f"{cpu / seconds:.0%} |")
        lines += [f"| all | {requests:,} | | {seconds / requests * 1000:.2f} | |", ""]
    return lines


def write_report(records: dict, check: dict, seeded: dict, profile: str, args, started: float, code: str,
                 pairs: list[dict]) -> None:
    text = report(records, check, seeded, args, started, code, pairs) + "\nWhere the time goes, " + profile
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text("# Load test: a busy Monday (issue 8)\n\nWritten by `bench/load/run.py`; see "
                            "bench/README.md, section Load test.\n\n" + text)
    print("\n" + text)
    log(f"written to {os.path.relpath(args.results, ROOT)}")

if __name__ == "__main__":
    main()

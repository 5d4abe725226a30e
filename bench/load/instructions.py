"""CPU instructions per request, counted by valgrind (callgrind): the same number on every run.

On a shared 2-core VM the load test's requests/s and even its CPU-per-request drift by 15-25% between
runs, which hides changes of a few percent. An instruction count does not drift: it is repeatable for the
same code and data whatever else the machine is doing. This script counts the instructions of the Python
process only (not PostgreSQL's or Redis's work, nor the kernel's), for each step of the load test's loops,
in-process through the full middleware stack as bench/load/profile_requests.py runs them, against the
database that the last bench/load/run.py left behind.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_load \\
    PSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roils_load_pso REDIS_URL=redis://127.0.0.1:6379/5 \\
    PYTHONPATH=bench/load .venv/bin/python bench/load/instructions.py var/load/<run> [--loops 5] [--steps ...]

Needs valgrind (Debian package valgrind). Each step runs under its own valgrind (about 20 s each).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = {
    "floor": "signed-in JSON (GET /events/draft/), the cost of any signed-in request",
    "form": "submit: GET form",
    "submit": "submit: one loop (GET form, POST, GET confirmation)",
    "post": "submit: POST (the form GET before it not counted)",
    "confirmation": "submit: GET confirmation (the GET form and POST before it not counted)",
    "ceiling": "ceiling: one loop (GET form, POST, GET confirmation)",
    "queue": "browse: queue",
    "queue-filtered": "browse: queue filtered",
    "queue-search": "browse: queue search",
    "event": "browse: event page, seen before",
    "event-new": "browse: event page of a new event (not reviewed yet), first view; another new one opened before",
    "event-reported": "browse: event page of an event reported to the PSO (its review can no longer be edited)",
}


def run_step(run: Path, step: str, loops: int) -> None:
    """Inside valgrind: warm up, switch instrumentation on, run the step `loops` times, switch it off."""
    import profile_requests as pr

    credentials = json.loads((run / "credentials.json").read_text())
    rng = random.Random(1)
    reporter, reviewer, ceiling = (pr.Client(enforce_csrf_checks=True) for _ in range(3))
    pr.sign_in(reporter, credentials["reporters"], totp=False)
    pr.sign_in(reviewer, rng.sample(credentials["reviewers"], len(credentials["reviewers"])), totp=True)
    pr.sign_in(ceiling, rng.sample(credentials["ceiling"], len(credentials["ceiling"])), totp=True)  # as in the run
    for _ in range(2):  # templates compiled, connections open, caches warm
        pr.submit_loop(reporter, "/events/new/", "warm", rng)
        pr.submit_loop(ceiling, "/bench-ceiling/", "warm", rng)
        pr.browse_loop(reviewer, rng)
    event = rng.choice(pr.EVENT_LINK.findall(reviewer.get("/review/").content.decode()))
    # What a reviewer mostly opens under load: events submitted a moment ago, each for the first time (page 2:
    # the warm-up above opened events of page 1).
    new_events = iter(pr.EVENT_LINK.findall(reviewer.get("/review/?status=new&page=2").content.decode()))
    reported = rng.choice(pr.EVENT_LINK.findall(reviewer.get("/review/?status=reported").content.decode()))

    def counted(on: bool) -> None:
        subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], capture_output=True,
                       check=False)

    def submit_part(part: str) -> None:
        """One submission, counting only its POST or only its confirmation page."""
        page = reporter.get("/events/new/")
        data: dict[str, list[str]] = {}
        for key, value in pr.fill(pr.parse_form(page.content.decode()) or [], rng):
            data.setdefault(key, []).append(value)
        counted(part == "post")
        response = reporter.post("/events/new/", data)
        counted(part == "confirmation")
        reporter.get(response["Location"])
        counted(False)

    actions = {
        "floor": lambda: reporter.get("/events/draft/"),
        "form": lambda: reporter.get("/events/new/"),
        "submit": lambda: pr.submit_loop(reporter, "/events/new/", "submit", rng),
        "post": lambda: submit_part("post"),
        "confirmation": lambda: submit_part("confirmation"),
        "ceiling": lambda: pr.submit_loop(ceiling, "/bench-ceiling/", "ceiling", rng),
        "queue": lambda: reviewer.get("/review/"),
        "queue-filtered": lambda: reviewer.get("/review/?status=open&technique=imrt_vmat"),
        "queue-search": lambda: reviewer.get("/review/?q=bolus&status=open"),
        "event": lambda: reviewer.get(event),
        "event-new": lambda: reviewer.get(next(new_events)),  # 25 on the page: enough for the loops
        "event-reported": lambda: reviewer.get(reported),
    }
    action = actions[step]
    action()
    if step in ("post", "confirmation"):  # these switch counting on and off themselves
        for _ in range(loops):
            action()
        return
    counted(True)
    for _ in range(loops):
        action()
    counted(False)


def count(run: Path, step: str, loops: int) -> float:
    """Millions of instructions per run of `step`."""
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out.name}",
                        sys.executable, __file__, str(run), "--inside", step, "--loops", str(loops)],
                       capture_output=True, check=True)
        totals = [line for line in Path(out.name).read_text().splitlines() if line.startswith("totals:")]
    return int(totals[0].split()[1]) / loops / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run folder of bench/load/run.py (for credentials.json)")
    parser.add_argument("--loops", type=int, default=5)
    parser.add_argument("--steps", nargs="*", default=list(STEPS), choices=list(STEPS))
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        sys.argv = sys.argv[:1]
        sys.path[:0] = [str(HERE.parents[1]), str(HERE)]
        run_step(args.run, args.inside, args.loops)
        return
    print("| step | million instructions |\n|---|---:|")
    for step in args.steps:
        print(f"| {STEPS[step]} | {count(args.run, step, args.loops):.1f} |", flush=True)


if __name__ == "__main__":
    main()

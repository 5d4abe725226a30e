"""Django's CPU per page under load: the load settings put this middleware first, in every gunicorn worker.

The in-process profile (profile_requests.py) runs one request at a time against warm caches; under load the
pages meet other caches (an event page is mostly opened while it is new). This counts, per view and method,
the requests served while the load window is open and the CPU time of this thread inside the middleware stack
(gunicorn's own HTTP work is not in it), and writes them to LOAD_CPU_BY_VIEW/<pid>.json for run.py to add up.
Without LOAD_CPU_BY_VIEW set it removes itself (MiddlewareNotUsed).
"""

from __future__ import annotations

import atexit
import json
import os
import time
from pathlib import Path

from django.core.exceptions import MiddlewareNotUsed

WRITE_EVERY = 50  # requests between two writes of a worker's totals (the last write also happens at exit)


class CPUByView:
    def __init__(self, get_response):
        target = os.environ.get("LOAD_CPU_BY_VIEW")
        if not target:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.target = Path(target)
        self.opened = Path(os.environ["LOAD_WINDOW_OPEN"])  # written by the locustfile when the window opens
        self.closed = Path(os.environ["LOAD_WINDOW_CLOSED"])  # written by the locustfile after the window
        self.is_open = False
        self.totals: dict[str, list] = {}  # "view METHOD" -> [requests, CPU seconds]
        self.unwritten = 0
        atexit.register(lambda: self.unwritten and self._write())  # gunicorn stops its workers with a clean exit

    def __call__(self, request):
        start = time.thread_time()
        response = self.get_response(request)
        took = time.thread_time() - start
        if self._in_window():
            match = getattr(request, "resolver_match", None)
            key = f"{match.view_name if match else 'not found'} {request.method}"
            entry = self.totals.setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += took
            self.unwritten += 1
            if self.unwritten >= WRITE_EVERY:
                self._write()
        elif self.unwritten:
            self._write()  # the window closed: the rest of this worker's totals
        return response

    def _in_window(self) -> bool:
        if not self.is_open:
            self.is_open = self.opened.exists()
            return self.is_open
        return not self.closed.exists()

    def _write(self) -> None:
        self.target.mkdir(parents=True, exist_ok=True)
        path = self.target / f"{os.getpid()}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.totals))
        temporary.replace(path)
        self.unwritten = 0


def collect(target: Path) -> dict[str, list]:
    """Every worker's totals added up: {"view METHOD": [requests, CPU seconds]}."""
    totals: dict[str, list] = {}
    for path in sorted(target.glob("*.json")) if target.exists() else []:
        for key, (count, seconds) in json.loads(path.read_text()).items():
            entry = totals.setdefault(key, [0, 0.0])
            entry[0] += count
            entry[1] += seconds
    return totals

"""After the load: is every acknowledged submission in the database exactly once? Prints one JSON object.

Reads the virtual users' records (<out>/app-locust.json and paced-locust.json: acknowledged reference numbers with
their idempotency keys, and every key that was posted) and compares them with the events and ceiling rows in the
load database:

- lost: an acknowledged key with no event, or whose event has another reference or id than the page showed;
- duplicated: a key with more than one event, a reference used twice in one agreement, or an event created
  during the run from a key that no virtual user posted (a second row for one report);
- stored without acknowledgement: a posted key whose response never showed the confirmation (not an error
  of the app when the response itself failed; reported so nothing is hidden).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings_ceiling")

import django  # noqa: E402

django.setup()

from ceiling.models import CeilingReport  # noqa: E402
from django.db.models import Count  # noqa: E402

from events.models import Event  # noqa: E402


def check_app(record: dict, since: dt.datetime) -> dict:
    """Acknowledged events against the events table."""
    acks = record["acks"]
    posted_keys = {p["key"] for p in record["posted"] if p["key"]}
    ack_keys = [a["key"] for a in acks]
    rows = {str(k): (pk, ref) for k, pk, ref in
            Event.objects.filter(idempotency_key__in=ack_keys).values_list("idempotency_key", "pk", "reference")}
    lost = [a for a in acks if a["key"] not in rows]
    mismatched = [a for a in acks if a["key"] in rows and (
        rows[a["key"]][1] != a["reference"] or a["path"].rstrip("/").split("/")[-2] != str(rows[a["key"]][0]))]
    per_key = Event.objects.filter(idempotency_key__in=posted_keys).values("idempotency_key").annotate(
        n=Count("id")).filter(n__gt=1).count()
    run_events = Event.objects.filter(created_at__gte=since)
    run_keys = {str(k) for k in run_events.values_list("idempotency_key", flat=True)}
    foreign = run_keys - posted_keys
    repeated_refs = Event.objects.values("agreement_id", "reference").annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "acknowledged": len(acks),
        "acknowledged_distinct": len(set(ack_keys)),
        "double_posts": sum(1 for a in acks if a["double"]),
        "lost": len(lost) + len(mismatched),
        "lost_examples": (lost + mismatched)[:5],
        "duplicated": per_key + repeated_refs + len(foreign) + (len(ack_keys) - len(set(ack_keys))),
        "posted": len(posted_keys),
        "events_created_during_run": len(run_keys),
        "stored_without_acknowledgement": len((run_keys & posted_keys) - set(ack_keys)),
    }


def check_ceiling(record: dict) -> dict:
    """Acknowledged ceiling rows against the ceiling table (no keys there: ids only)."""
    ids = [int(a["path"].rstrip("/").split("/")[-1]) for a in record["acks"]]
    found = set(CeilingReport.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return {"acknowledged": len(ids), "lost": len(set(ids) - found), "duplicated": len(ids) - len(set(ids)),
            "rows": CeilingReport.objects.count(), "posted": len(record["posted"])}


def merged_records(out: Path, phases: tuple[str, ...]) -> dict | None:
    """The acknowledgements and posted keys of the phases that ran, as one record (None if none ran)."""
    records = [json.loads((out / f"{phase}-locust.json").read_text()) for phase in phases
               if (out / f"{phase}-locust.json").exists()]
    if not records:
        return None
    return {"acks": [a for r in records for a in r["acks"]], "posted": [p for r in records for p in r["posted"]]}


if __name__ == "__main__":
    out = Path(sys.argv[1])
    since = dt.datetime.fromtimestamp(float(sys.argv[2]), tz=dt.UTC)
    result = {}
    # Phases that write to the same table are checked together: the app phases, saturated, paced and those of the
    # alternating pairs (events), and every ceiling phase (ceiling rows).
    pairs = sorted(path.name.removesuffix("-locust.json") for path in out.glob("pair*-locust.json"))
    app_phases = ("app", "paced", *(p for p in pairs if p.endswith(("-app", "-submit"))))
    ceiling_phases = ("ceiling", "ceiling-after", *(p for p in pairs if p.endswith("-ceiling")))
    if (app := merged_records(out, app_phases)) is not None:
        result["app"] = check_app(app, since)
    if (ceiling := merged_records(out, ceiling_phases)) is not None:
        result["ceiling"] = check_ceiling(ceiling)
    print(json.dumps(result))

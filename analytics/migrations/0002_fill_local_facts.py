"""Fill events.LocalFact (events migration 0010) for the events that exist: the local dashboard reads only the facts.

The logic is a frozen copy of events.facts.local_fact_for (a migration must not follow later code changes);
`manage.py rebuild_local_facts` does the same with the current code.
"""

from django.db import migrations

REACHED_PATIENT = ("therapeutic", "other_safety")
LIST_KINDS = {"detected_roles": "d", "barriers_caught": "c", "barriers_failed": "f"}
BATCH = 2000


def fill(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Review = apps.get_model("review", "Review")
    LocalFact = apps.get_model("events", "LocalFact")
    last = 0
    while True:
        events = list(Event.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not events:
            return
        last = events[-1].pk
        reviews = {r.event_id: r for r in Review.objects.filter(event_id__in=[e.pk for e in events])}
        facts = []
        for event in events:
            review = reviews.get(event.pk)
            codes = []
            if review is not None:
                for name, kind in LIST_KINDS.items():
                    codes += [f"{kind}:{code}" for code in (getattr(review, name) or [])]
            facts.append(LocalFact(
                event_id=event.pk, agreement_id=event.agreement_id, facility_id=event.facility_id,
                event_date=event.event_date, classification=event.classification, is_anonymous=event.is_anonymous,
                submitted_by_id=event.submitted_by_id, created_at=event.created_at,
                review_started_at=event.review_started_at, review_closed_at=event.review_closed_at,
                workflow_origin=(review.workflow_origin or "") if review else "",
                workflow_detected=(review.workflow_detected or "") if review else "",
                caught_partway=review is not None and event.classification in REACHED_PATIENT
                and review.barriers_caught != [],
                codes=codes,
            ))  # fmt: skip
        LocalFact.objects.bulk_create(facts, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("events", "0010_local_fact"),
        ("review", "0005_investigators_actions_deadlines"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

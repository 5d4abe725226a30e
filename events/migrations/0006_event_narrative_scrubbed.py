"""The scrubbed copy of each narrative that lists and exports show, filled for the events already stored.

The fill uses the scrubber of the code that runs the migration; a later scrubber version re-scrubs through
events.services.narratives_rescrub (the nightly task or `manage.py rescrub_narratives`).
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    from foundation.scrubber import VERSION, scrub

    Event = apps.get_model("events", "Event")
    db = schema_editor.connection.alias
    last_id = 0
    while True:
        rows = list(Event.objects.using(db).filter(pk__gt=last_id).order_by("pk").only("pk", "narrative")[:500])
        if not rows:
            return
        for event in rows:
            event.narrative_scrubbed = scrub(event.narrative)
            event.scrubbed_with = VERSION
        Event.objects.using(db).bulk_update(rows, ["narrative_scrubbed", "scrubbed_with"])
        last_id = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("events", "0005_event_narrative_tsv")]

    operations = [
        migrations.AddField(
            model_name="event", name="narrative_scrubbed",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.AddField(
            model_name="event", name="scrubbed_with",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=16),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

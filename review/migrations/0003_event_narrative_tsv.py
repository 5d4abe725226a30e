"""Once added the narrative's search column to the events table; that is now events migration 0005's job.

Kept, empty, so that databases which applied it keep a consistent migration history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_search_indexes"),
        ("events", "0002_event_notified_at_draft_referencecounter"),
    ]

    operations = []

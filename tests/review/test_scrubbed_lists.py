"""Lists shown in the practice show the scrubbed narrative; the event page keeps the narrative as written."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from events.models import Event
from events.services import narratives_rescrub
from foundation.scrubber import VERSION, scrub
from practices.models import AuditEntry
from tests.factories.review import make_event

pytestmark = pytest.mark.django_db

NARRATIVE = "Pt John Okonkwo, MRN 48812345, DOB 3/14/41: wrong bolus on TrueBeam 2 at fx 3/25; 180 cGy x 28 fx."


def test_event_submit_stores_the_scrubbed_copy_with_the_scrubber_version(riverside):
    event = make_event(agreement=riverside, narrative=NARRATIVE)
    assert event.narrative == NARRATIVE
    assert event.narrative_scrubbed == scrub(NARRATIVE)
    assert "Okonkwo" not in event.narrative_scrubbed and "48812345" not in event.narrative_scrubbed
    assert "180 cGy x 28 fx" in event.narrative_scrubbed and event.scrubbed_with == VERSION


def test_queue_summary_shows_the_scrubbed_narrative(client_for, riverside):
    make_event(agreement=riverside, narrative=NARRATIVE)
    page = client_for("physicist.riverside").get(reverse("review:queue")).content.decode()
    assert "[NAME]" in page and "[MRN]" in page
    assert "Okonkwo" not in page and "48812345" not in page


def test_event_page_shows_the_narrative_and_similar_events_show_it_scrubbed(client_for, riverside):
    earlier = make_event(agreement=riverside, narrative=NARRATIVE)
    later = make_event(agreement=riverside, narrative="Wrong bolus on TrueBeam 2 again at fx 3/25; 180 cGy x 28 fx.")
    client = client_for("physicist.riverside")
    own = client.get(reverse("review:event-detail", args=[earlier.pk])).content.decode()
    assert "Okonkwo" in own  # the event page (access-logged) keeps the narrative as written
    page = client.get(reverse("review:event-detail", args=[later.pk])).content.decode()
    assert earlier.reference in page  # listed among the similar earlier events ...
    assert "Okonkwo" not in page and "48812345" not in page  # ... scrubbed


def test_export_shows_the_scrubbed_narrative_unless_full_text_is_asked(client_for, riverside):
    event = make_event(agreement=riverside, narrative=NARRATIVE)
    client = client_for("physicist.riverside")
    rows = list(csv.reader(io.StringIO(
        client.get(reverse("review:queue-export", args=["csv"])).content.decode("utf-8-sig")
    )))
    column = rows[0].index("Narrative (identifiers masked)")
    assert rows[1][column] == event.narrative_scrubbed and "Okonkwo" not in rows[1][column]
    full = client.get(reverse("review:queue-export", args=["xlsx"]), {"full": "1"})
    sheet = list(load_workbook(io.BytesIO(full.content)).active.iter_rows(values_only=True))
    assert sheet[1][sheet[0].index("Narrative")] == NARRATIVE
    audits = AuditEntry.objects.filter(action="export").order_by("pk")
    assert [a.changes["full_text"] for a in audits] == [[None, False], [None, True]]


def test_narratives_rescrub_updates_only_copies_of_another_version(riverside):
    current = make_event(agreement=riverside, narrative=NARRATIVE)
    stale = make_event(agreement=riverside, narrative=NARRATIVE)
    Event.objects.filter(pk=stale.pk).update(narrative_scrubbed=NARRATIVE, scrubbed_with="1")
    assert narratives_rescrub(batch=1) == 1
    stale.refresh_from_db()
    assert stale.narrative_scrubbed == scrub(NARRATIVE) and stale.scrubbed_with == VERSION
    assert narratives_rescrub() == 0
    current.refresh_from_db()
    assert current.scrubbed_with == VERSION

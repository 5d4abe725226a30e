"""The analyst's coding: tags and notes on store records, kept per PSO, and saved searches."""

import pytest
from django.urls import reverse

from practices.models import AuditEntry
from reporting.models import RecordNote, RecordTag, SavedSearch
from tests.factories.reporting import build_savedsearch, push_record
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

LIST = reverse("reporting:record-list")


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


@pytest.fixture
def analyst(client, users):
    client.force_login(users["analyst.pso"])
    return client


def _tag(client, record, label):
    return client.post(reverse("reporting:record-tag-add", args=[record.pk]), {"label": label})


def test_tag_add_normalised_once_audited_and_shown(analyst, world):
    record = push_record(world["agreements"]["riverside"])
    assert _tag(analyst, record, "  Wrong  Shift ").status_code == 302
    _tag(analyst, record, "wrong shift")
    assert list(RecordTag.objects.values_list("label", "pso_id")) == [("wrong shift", record.pso_id)]
    assert AuditEntry.objects.filter(action="record_tagged").count() == 1
    body = analyst.get(reverse("reporting:record-detail", args=[record.pk])).content.decode()
    assert "wrong shift" in body


def test_tag_invalid_is_a_message_not_500(analyst, world):
    record = push_record(world["agreements"]["riverside"])
    response = _tag(analyst, record, "<script>")
    assert response.status_code == 302 and not RecordTag.objects.exists()
    page = analyst.get(response["Location"]).content.decode()
    assert "A tag is 1 to 40 letters" in page


def test_tag_remove_and_note_add(analyst, world):
    record = push_record(world["agreements"]["riverside"])
    _tag(analyst, record, "follow-up")
    tag = RecordTag.objects.get()
    assert analyst.post(reverse("reporting:recordtag-remove", args=[tag.pk])).status_code == 302
    assert not RecordTag.objects.exists()
    analyst.post(reverse("reporting:record-note-add", args=[record.pk]), {"body": "Ask about the shift sheet."})
    note = RecordNote.objects.get()
    assert (note.body, note.author_name, note.pso_id) == ("Ask about the shift sheet.", "analyst.pso", record.pso_id)
    assert analyst.post(reverse("reporting:record-note-add", args=[record.pk]), {"body": " "}).status_code == 302
    assert RecordNote.objects.count() == 1


def test_coding_other_pso_record_or_other_role_404(client, world, users):
    foreign = push_record(second_pso()["agreement"])
    client.force_login(users["analyst.pso"])
    assert _tag(client, foreign, "x").status_code == 404
    assert client.post(reverse("reporting:record-note-add", args=[foreign.pk]), {"body": "x"}).status_code == 404
    own = push_record(world["agreements"]["riverside"])
    for name in ("staff.pso", "physicist.riverside"):
        client.force_login(users[name])
        assert _tag(client, own, "x").status_code == 404
    assert not RecordTag.objects.exists()


def test_record_list_tag_filter_and_tags_shown(analyst, world):
    riverside = world["agreements"]["riverside"]
    tagged, plain = push_record(riverside), push_record(riverside)
    _tag(analyst, tagged, "bolus")
    response = analyst.get(LIST, {"tag": "bolus"})
    assert [r.pk for r in response.context["records"]] == [tagged.pk]
    assert response.context["total"] == 1
    assert plain.pk in [r.pk for r in analyst.get(LIST).context["records"]]


def test_saved_search_create_keeps_the_search_and_lists_it(analyst, world):
    pso = world["pso"]
    response = analyst.post(reverse("reporting:savedsearch-create"),
                            {"name": "Bolus", "query": "q=bolus&page=3&format=csv&tag=x", "pso": pso.pk})  # fmt: skip
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert (saved.name, saved.query) == ("Bolus", f"q=bolus&tag=x&pso={pso.pk}")
    assert "Bolus" in analyst.get(LIST).content.decode()
    analyst.post(reverse("reporting:savedsearch-delete", args=[saved.pk]))
    assert not SavedSearch.objects.exists()


def test_saved_search_other_pso_refused(analyst, world):
    other = second_pso()
    response = analyst.post(reverse("reporting:savedsearch-create"), {"name": "x", "query": "", "pso": other["pso"].pk})
    assert response.status_code == 302 and not SavedSearch.objects.exists()
    theirs = build_savedsearch(agreement=other["agreement"])
    assert analyst.post(reverse("reporting:savedsearch-delete", args=[theirs.pk])).status_code == 404
    assert "Factory search" not in analyst.get(LIST).content.decode()

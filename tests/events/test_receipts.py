"""The signed receipt cookie: it reaches the confirmation of an anonymous report, in that session only, once."""

import pytest
from django.test import Client
from django.urls import reverse

from events import receipts
from tests.factories.events import form_post

pytestmark = pytest.mark.django_db


def _submit(client, world) -> str:
    coverage = world["agreements"]["riverside"].coverages.first()
    response = client.post(reverse("events:event-create"), form_post(coverage))
    assert response.status_code == 302
    return response["Location"]


def test_shared_login_sees_its_anonymous_confirmation_then_draft_clearing_is_one_shot(world):
    client = Client()
    client.force_login(world["users"]["general.riverside"])
    done = _submit(client, world)
    first = client.get(done)
    assert first.status_code == 200 and first.context["just_submitted"]
    again = client.get(done)
    assert again.status_code == 200 and not again.context["just_submitted"]


def test_receipt_copied_into_another_session_opens_nothing(world):
    first, second = Client(), Client()
    first.force_login(world["users"]["general.riverside"])
    second.force_login(world["users"]["general.riverside"])
    done = _submit(first, world)
    second.cookies[receipts.COOKIE] = first.cookies[receipts.COOKIE].value
    assert second.get(done).status_code == 404


def test_tampered_receipt_is_ignored(world):
    client = Client()
    client.force_login(world["users"]["general.riverside"])
    done = _submit(client, world)
    client.cookies[receipts.COOKIE] = client.cookies[receipts.COOKIE].value.replace(":", ";", 1)
    assert client.get(done).status_code == 404

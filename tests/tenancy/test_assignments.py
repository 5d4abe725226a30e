"""The isolation matrix for work handed to one login and for follow-up links.

An investigator sees exactly the event they were asked to investigate, an action owner their actions, and a
follow-up link its own event's conversation: every URL of the project is walked with every other object, and
no page shows another event's marker word. A withdrawn assignment or a revoked login ends access at once.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from events.conversation import follow_up_link_issue
from events.models import Event
from practices.models import Membership
from review.models import ActionItem, ActionUpdate
from review.services import action_item_add, action_progress_add, investigator_assign, investigator_withdraw
from tests.factories.review import make_event

from .matrix import PUBLIC_URL_NAMES, discover_routes

pytestmark = pytest.mark.django_db
DENIED = {302, 401, 403, 404, 405, 410}  # 401: the read API, which answers a request without its token so
MODELS = {Event, ActionItem, ActionUpdate}


def _action(event, by, owner, marker):
    from django.utils import timezone

    return action_item_add(
        event=event,
        by=by,
        action_type="proc.checklists",
        description=f"Checklist {marker}",
        owner=owner,
        due_date=timezone.localdate(),
    )


@pytest.fixture
def work(world, users):
    """Riverside events with marker words: one investigated by the reporter, one with an action they own, others."""
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    physicist, director, reporter = (
        users["physicist.riverside"],
        users["director.riverside"],
        users["reporter.riverside"],
    )
    investigated = make_event(agreement=riverside, user=director, narrative="Couch shift kiwimark entered twice.")
    owned_on = make_event(agreement=riverside, user=director, narrative="Bolus emumark missing at fraction 3.")
    other = make_event(agreement=riverside, user=director, narrative="Wrong plan moamark loaded at console.")
    foreign = make_event(agreement=lakeside, narrative="Gantry tuimark collision near miss.")
    investigator_assign(event=investigated, by=physicist, user=reporter)
    mine = _action(owned_on, physicist, reporter, "ownedmark")
    others = _action(other, physicist, director, "takahemark")
    foreign_action = _action(foreign, users["physicist.lakeside"], users["physicist.lakeside"], "keamark")
    evidence = SimpleUploadedFile("e.txt", b"done\n")
    updates = [action_progress_add(item=i, by=i.owner, note="n", evidence=evidence) for i in (others, foreign_action)]
    return {
        "investigated": investigated,
        "owned_on": owned_on,
        "other": other,
        "foreign": foreign,
        "mine": mine,
        "others": others,
        "foreign_action": foreign_action,
        "updates": updates,
        # What the reporter may see: the investigated event's narrative and their own action; nothing else.
        "forbidden": {"emumark", "moamark", "tuimark", "takahemark", "keamark"},
    }


def _objects(work, model):
    if model is Event:
        return [work["owned_on"], work["other"], work["foreign"]]
    if model is ActionItem:
        return [work["others"], work["foreign_action"]]
    return work["updates"]


def _walk(client, work, *, forbidden, denied_objects=True) -> list[str]:
    problems, visited = [], set()
    for route in discover_routes():
        if route.name in PUBLIC_URL_NAMES or route.name == "logout":
            continue
        examples = getattr(route.view_class, "url_kwarg_examples", {}) or {}
        extra = {k: examples[k] for k in route.kwargs if k != "pk" and k in examples}
        model = getattr(route.view_class, "model", None)
        if "pk" not in route.kwargs:
            responses = [(route.name, client.get(reverse(route.name, kwargs=extra or None)))]
        elif model in MODELS:
            responses = []
            for obj in _objects(work, model):
                url = reverse(route.name, kwargs={**extra, "pk": obj.pk})
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    if denied_objects and response.status_code not in DENIED:
                        problems.append(
                            f"{route.name} {method.upper()} {model.__name__} {obj.pk}: {response.status_code}"
                        )
                    responses.append((route.name, response))
        else:
            continue
        for name, response in responses:
            visited.add(name)
            if response.status_code >= 500:
                problems.append(f"{name}: {response.status_code}")
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/"):
                body = response.content.decode(errors="replace")
                problems += [f"{name}: shows {m}" for m in sorted(forbidden) if m in body]
    wanted = {
        "review:my-work",
        "review:action-work",
        "review:action-verify",
        "review:evidence",
        "review:event-detail",
        "review:investigator-assign",
        "review:followup-ask",
        "events:event-conversation",
        "review:queue",
    }
    assert wanted <= visited, wanted - visited
    return problems


def test_investigator_and_owner_see_only_what_they_were_given(client, users, work):
    client.force_login(users["reporter.riverside"])
    assert not _walk(client, work, forbidden=work["forbidden"])
    page = client.get(reverse("review:event-detail", args=[work["investigated"].pk]))
    assert page.status_code == 200 and "kiwimark" in page.content.decode()
    action = client.get(reverse("review:action-work", args=[work["mine"].pk]))
    assert action.status_code == 200 and "ownedmark" in action.content.decode()
    assert "emumark" not in action.content.decode()  # the owner sees the action, not the event's narrative
    my_work = client.get(reverse("review:my-work")).content.decode()
    assert "ownedmark" in my_work and work["investigated"].reference in my_work
    assert work["other"].reference not in my_work


def test_investigator_cannot_reach_reviewer_only_pages_of_their_event(client, users, work):
    client.force_login(users["reporter.riverside"])
    event = work["investigated"]
    for name in (
        "review:event-transition",
        "review:event-report",
        "review:investigator-assign",
        "review:feedback-share",
    ):
        url = reverse(name, args=[event.pk])
        assert client.get(url).status_code in DENIED, name
        assert client.post(url, {"to": "invalid", "reason": "x", "withdraw": "1"}).status_code in DENIED, name
    for name in (
        "review:queue",
        "practices:accesslog-list",
        "practices:agreement-mine",
        "reporting:practice-dashboard",
    ):
        assert client.get(reverse(name)).status_code == 404, name


def test_withdrawn_or_revoked_assignment_ends_access_at_once(client, world, users, work):
    client.force_login(users["reporter.riverside"])
    event, mine = work["investigated"], work["mine"]
    investigator_withdraw(event=event, by=users["physicist.riverside"])
    forbidden = work["forbidden"] | {"kiwimark"}
    assert client.get(reverse("review:event-detail", args=[event.pk])).status_code == 404
    assert client.post(reverse("review:followup-ask", args=[event.pk]), {"body": "x"}).status_code == 404
    assert not _walk(client, work, forbidden=forbidden)
    assert client.get(reverse("review:action-work", args=[mine.pk])).status_code == 200
    Membership.objects.filter(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"]).update(
        is_active=False
    )
    assert client.get(reverse("review:action-work", args=[mine.pk])).status_code == 404
    assert "ownedmark" not in client.get(reverse("review:my-work")).content.decode()


def test_follow_up_link_opens_only_its_events_conversation(world, users):
    riverside = world["agreements"]["riverside"]
    general = users["general.riverside"]
    first = make_event(agreement=riverside, user=general, narrative="Anonymous report one.")
    second = make_event(agreement=riverside, user=general, narrative="Anonymous report two.")
    token_first, token_second = follow_up_link_issue(event_id=first.pk), follow_up_link_issue(event_id=second.pk)
    physicist = users["physicist.riverside"]
    from events.conversation import follow_up_ask

    follow_up_ask(event=first, by=physicist, body="Question firstmark?")
    follow_up_ask(event=second, by=physicist, body="Question secondmark?")
    client = Client()
    page = client.get(reverse("events:follow-up", args=[token_first])).content.decode()
    assert "firstmark" in page and "secondmark" not in page and second.reference not in page
    for bad in ("", "x" * 43, token_first[:-1], token_first + "a", "x" * 500):
        if bad:
            assert client.get(reverse("events:follow-up", args=[bad])).status_code == 404
            assert client.post(reverse("events:follow-up", args=[bad]), {"body": "x"}).status_code == 404
    assert client.post(reverse("events:follow-up", args=[token_first]), {"body": "Answer one"}).status_code == 302
    assert list(first.follow_up_messages.filter(from_reporter=True).values_list("body", flat=True)) == ["Answer one"]
    assert not second.follow_up_messages.filter(from_reporter=True).exists()
    # The link opens no page that needs a login, for this event or any other.
    for route in discover_routes():
        if route.name in PUBLIC_URL_NAMES or route.name == "logout" or route.kwargs not in ((), ("pk",)):
            continue
        url = reverse(route.name, kwargs={"pk": first.pk} if route.kwargs else None)
        response = client.get(url)
        assert response.status_code in DENIED, route.name
        assert token_second not in response.content.decode()

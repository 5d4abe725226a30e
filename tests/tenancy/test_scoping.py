"""The rules of practices/scoping.py: named unions of actions, PSO roles per model, and the published-only rule."""

import datetime as dt

import pytest
from django.utils import timezone

from practices.models import PSO, Agreement, Membership
from practices.scoping import ACTION_UNIONS
from reporting.models import Theme
from tests.factories.reporting import build_theme
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db

EVERYONE = ["staff.pso", "analyst.pso", "physicist.riverside", "director.riverside", "reporter.riverside",
            "general.riverside", "physicist.lakeside", "reporter.lakeside"]


@pytest.mark.parametrize("username", EVERYONE)
@pytest.mark.parametrize(("model", "union"), [(Agreement, "administer"), (Membership, "manage_logins")])
def test_action_union_is_exactly_the_union_of_its_actions(world, users, username, model, union):
    user = users[username]
    expected = set()
    for action in ACTION_UNIONS[union]:
        expected |= set(model.objects.for_user(user, action=action).values_list("pk", flat=True))
    assert set(model.objects.for_user(user, action=union).values_list("pk", flat=True)) == expected


def test_action_union_administer_agreement_page_reach(world, users):
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]

    def reach(username):
        return set(Agreement.objects.for_user(users[username], action="administer"))

    assert reach("staff.pso") == {riverside, lakeside}
    assert reach("physicist.riverside") == {riverside}
    assert reach("reporter.riverside") == reach("analyst.pso") == set()
    assert reach("staff.pso").isdisjoint(Agreement.objects.for_user(second_pso()["staff"], action="administer"))


def test_scope_condition_unknown_action_refused(world, users):
    with pytest.raises(ValueError, match="unknown scoping action"):
        Agreement.objects.for_user(users["staff.pso"], action="administrate")


def test_pso_for_user_per_role(world, users):
    pso = world["pso"]
    other = second_pso()["pso"]
    assert list(PSO.objects.for_user(users["staff.pso"], action="enrol")) == [pso]
    assert list(PSO.objects.for_user(users["staff.pso"], action="analyse")) == []
    assert list(PSO.objects.for_user(users["analyst.pso"], action="analyse")) == [pso]
    assert list(PSO.objects.for_user(users["analyst.pso"], action="enrol")) == []
    for username in ("staff.pso", "analyst.pso"):
        assert list(PSO.objects.for_user(users[username], action="manage")) == [pso]
    for username in ("physicist.riverside", "reporter.riverside"):
        for action in ("view", "enrol", "analyse", "manage"):
            assert not PSO.objects.for_user(users[username], action=action).exists()
    assert other not in PSO.objects.for_user(users["staff.pso"], action="manage")


def test_theme_scope_practice_users_published_only_pso_members_everything(world, users):
    riverside = world["agreements"]["riverside"]
    published = build_theme(agreement=riverside, title="Published")
    draft = build_theme(agreement=riverside, publish=False, title="Draft")
    scheduled = build_theme(agreement=riverside, title="Scheduled")
    Theme.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() + dt.timedelta(days=1))
    foreign = build_theme(agreement=second_pso()["agreement"], title="Other PSO")

    def reach(username, action):
        return set(Theme.objects.for_user(users[username], action=action))

    for username in ("physicist.riverside", "reporter.riverside", "general.riverside", "physicist.lakeside"):
        assert reach(username, "view") == {published}, username
        for action in ("manage", "submit", "review", "enrol", "analyse"):
            assert reach(username, action) == set(), (username, action)
    for username in ("staff.pso", "analyst.pso"):
        assert reach(username, "view") == reach(username, "manage") == {published, draft, scheduled}
        assert reach(username, "enrol") == reach(username, "analyse") == set()
    assert foreign not in Theme.objects.for_user(users["staff.pso"], action="view")


def test_theme_scope_one_row_per_theme_for_a_user_of_several_agreements(world, users):
    """A theme reaches practices through every agreement of its PSO: the scope must not repeat it."""
    from practices.choices import Role
    from practices.services import membership_grant

    riverside = world["agreements"]["riverside"]
    membership_grant(by=None, agreement=world["agreements"]["lakeside"], user=users["physicist.riverside"],
                     role=Role.REPORTER)  # a second agreement with the same PSO
    build_theme(agreement=riverside)
    for username in ("physicist.riverside", "staff.pso"):
        themes = Theme.objects.for_user(users[username], action="view")
        assert themes.count() == len(list(themes)) == 1


def test_theme_scope_reaches_the_psos_of_the_users_agreements_by_id_and_follows_them(world, users):
    """Practice users reach themes through their agreements' PSOs (`tenant_pso_path`): the PSO of each agreement comes
    with the memberships read for the request, so the scope names PSO ids and joins nothing; a membership ended is
    gone from the next request's scope."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from practices.choices import AgreementState, Role
    from practices.models import User
    from practices.services import membership_grant

    other = second_pso()
    Agreement.objects.filter(pk=other["agreement"].pk).update(state=AgreementState.ACTIVE)
    ours = build_theme(agreement=world["agreements"]["riverside"], title="Ours")
    theirs = build_theme(agreement=other["agreement"], title="Second PSO's")
    third = Theme.objects.create(pso=PSO.objects.create(name="Third PSO", slug="third-pso"), title="Third PSO's",
                                 body="Not ours.", published_at=timezone.now())
    user = users["physicist.riverside"]
    membership_grant(by=None, agreement=other["agreement"], user=user, role=Role.REPORTER)

    def scope(user_id):
        fresh = User.objects.get(pk=user_id)  # a new request's user
        with CaptureQueriesContext(connection) as queries:
            themes = set(Theme.objects.for_user(fresh, action="view"))
        return themes, queries.captured_queries[-1]["sql"]

    themes, sql = scope(user.pk)
    assert themes == {ours, theirs} and third not in themes
    assert " JOIN " not in sql and "DISTINCT" not in sql
    Membership.objects.filter(user=user, agreement=other["agreement"]).update(is_active=False)
    assert scope(user.pk)[0] == {ours}

"""The agreement page tells the truth: seats offered by a pending invitation, role labels, who joined, the next step;
and pending invitations can be resent, copied as a new link and revoked (audited, through the services)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from practices.choices import NEXT_STEP, AgreementState, Role
from practices.models import AuditEntry, Invitation, Membership
from practices.services import invitation_accept, invitation_create, invitation_lookup, membership_deactivate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


@pytest.fixture
def riverside(world):
    return world["agreements"]["riverside"]


def _free_a_seat(users, riverside):
    membership = Membership.objects.get(agreement=riverside, user=users["director.riverside"])
    membership_deactivate(by=users["physicist.riverside"], membership=membership)


def _invite(users, riverside, role=Role.FULL_ACCESS, username="new.reviewer"):
    return invitation_create(
        by=users["physicist.riverside"],
        agreement=riverside,
        email="nr@riverside.example",
        username=username,
        role=role,
        first_name="Nora",
        last_name="Reyes",
    )


def test_agreement_page_seat_held_by_pending_invitation_is_not_free(client, users, riverside):
    _free_a_seat(users, riverside)
    _invite(users, riverside)
    client.force_login(users["physicist.riverside"])
    content = client.get(reverse("practices:agreement-detail", args=[riverside.pk])).content.decode()
    assert "Seat 2: free" not in content
    assert "Seat 2: offered to Nora (invitation pending)" in content
    assert "(full_access)" not in content and "Full access (reviewer)" in content


def test_agreement_page_invitee_joining_is_credited_to_them_not_the_public_form(client, users, riverside):
    _invite(users, riverside, role=Role.REPORTER)
    invitation = Invitation.objects.get(username="new.reviewer")
    token = "x"
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=__import__("hashlib").sha256(b"x").hexdigest())
    user = invitation_accept(token=token, password="a-long-enough-passphrase-2026")
    entry = AuditEntry.objects.filter(action="membership_granted", changes__user__1="new.reviewer").get()
    assert entry.actor == user and "invitation from" in entry.note
    client.force_login(users["physicist.riverside"])
    content = client.get(reverse("practices:agreement-detail", args=[riverside.pk])).content.decode()
    assert "the practice (public form)" in content  # the join form itself, still
    history = content[content.index('id="h-history"') :]
    assert "Nora Reyes" in history and "Joined through the invitation from" in history


def test_next_step_after_training_puts_logins_before_activation():
    assert "logins" in str(NEXT_STEP[AgreementState.EXECUTED]).lower()
    assert str(NEXT_STEP[AgreementState.TRAINED]) != "Activate and issue logins"


def test_invitation_resend_mails_a_new_link_and_the_old_stops_working(client, users, riverside, settings):
    invitation, token = _invite(users, riverside, role=Role.REPORTER)
    client.force_login(users["physicist.riverside"])
    with __import__("django.test", fromlist=["x"]).TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("practices:invitation-resend", args=[invitation.pk]), HTTP_HOST="127.0.0.1:8101")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "http://127.0.0.1:8101/invitation/" in mail.outbox[0].body
    assert "as Reporter." in mail.outbox[0].body
    new_token = re.search(r"/invitation/([^/]+)/", mail.outbox[0].body).group(1)
    assert new_token != token and invitation_lookup(new_token).pk == invitation.pk
    with pytest.raises(Exception, match="not valid"):
        invitation_lookup(token)
    assert AuditEntry.objects.filter(action="invitation_resent", actor=users["physicist.riverside"]).exists()


def test_invitation_copy_link_shows_a_new_link_once(client, users, riverside):
    invitation, token = _invite(users, riverside, role=Role.REPORTER)
    client.force_login(users["physicist.riverside"])
    response = client.post(reverse("practices:invitation-link", args=[invitation.pk]), follow=True)
    content = response.content.decode()
    link = re.search(r'id="invitation-link" value="([^"]+)"', content).group(1)
    assert invitation_lookup(link.rstrip("/").rsplit("/", 1)[1]).pk == invitation.pk
    again = client.get(reverse("practices:agreement-detail", args=[riverside.pk])).content.decode()
    assert link not in again
    assert AuditEntry.objects.filter(action="invitation_link_copied").exists()


def test_invitation_revoke_frees_the_seat_and_the_link_stops_working(client, users, riverside):
    _free_a_seat(users, riverside)
    invitation, token = _invite(users, riverside)
    client.force_login(users["physicist.riverside"])
    client.post(reverse("practices:invitation-revoke", args=[invitation.pk]))
    with pytest.raises(Exception, match="withdrawn"):
        invitation_lookup(token)
    content = client.get(reverse("practices:agreement-detail", args=[riverside.pk])).content.decode()
    assert "Seat 2: free" in content and 'data-invitation="new.reviewer"' not in content
    assert AuditEntry.objects.filter(action="invitation_revoked").exists()
    _invite(users, riverside, username="another.reviewer")  # the seat can be offered again


@pytest.mark.parametrize("username", ["physicist.lakeside", "reporter.riverside", "analyst.pso"])
def test_invitation_actions_foreign_or_unprivileged_get_404(client, users, riverside, username):
    invitation, token = _invite(users, riverside, role=Role.REPORTER)
    client.force_login(users[username])
    for name in ("invitation-resend", "invitation-link", "invitation-revoke"):
        assert client.post(reverse(f"practices:{name}", args=[invitation.pk])).status_code == 404
    assert invitation_lookup(token).pk == invitation.pk

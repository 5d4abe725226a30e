"""Builders of practice-side objects under a given agreement, through the real services."""

from practices.choices import PSORole, Role
from practices.models import Agreement, Invitation, Membership, PSOMembership, User
from practices.services import invitation_create, membership_grant, pso_membership_set


def _new_user(prefix: str) -> User:
    n = User.objects.count()
    return User.objects.create(username=f"{prefix}{n}", email=f"{prefix}{n}@factory.example")


def build_agreement(*, agreement: Agreement, user=None) -> Agreement:
    return agreement


def build_membership(*, agreement: Agreement, user=None) -> Membership:
    return membership_grant(by=None, agreement=agreement, user=_new_user("member"), role=Role.REPORTER)


def build_psomembership(*, agreement: Agreement, user=None) -> PSOMembership:
    return pso_membership_set(by=None, pso=agreement.pso, user=_new_user("analyst"), role=PSORole.ANALYST)


def build_invitation(*, agreement: Agreement, user=None) -> Invitation:
    """A pending reporter invitation on the agreement, made by one of its full-access users (or its PSO's staff)."""
    inviter = (
        Membership.objects.filter(agreement=agreement, role=Role.FULL_ACCESS, is_active=True).first()
        or PSOMembership.objects.filter(pso=agreement.pso, role=PSORole.STAFF, is_active=True).first()
    ).user
    n = Invitation.objects.count()
    invitation, _token = invitation_create(
        by=inviter, agreement=agreement, email=f"invitee{n}@factory.example", username=f"invitee{n}", role=Role.REPORTER
    )
    return invitation

"""Builders of practice-side objects under a given agreement, through the real services."""

from practices.choices import PSORole, Role
from practices.models import Agreement, Membership, PSOMembership, User
from practices.services import membership_grant, pso_membership_set


def _new_user(prefix: str) -> User:
    n = User.objects.count()
    return User.objects.create(username=f"{prefix}{n}", email=f"{prefix}{n}@factory.example")


def build_agreement(*, agreement: Agreement, user=None) -> Agreement:
    return agreement


def build_membership(*, agreement: Agreement, user=None) -> Membership:
    return membership_grant(by=None, agreement=agreement, user=_new_user("member"), role=Role.REPORTER)


def build_psomembership(*, agreement: Agreement, user=None) -> PSOMembership:
    return pso_membership_set(by=None, pso=agreement.pso, user=_new_user("analyst"), role=PSORole.ANALYST)

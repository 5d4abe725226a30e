"""Reads of the practices app, always starting from a scoped queryset (or, for system jobs, from ids given)."""

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from .choices import FULL_ACCESS_SEATS, Role
from .models import (
    PSO,
    Agreement,
    AgreementMessage,
    AuditEntry,
    Coverage,
    Invitation,
    Membership,
    PSOMembership,
)


def enrolment_queue(agreements: QuerySet[Agreement], *, state: str | None = None) -> QuerySet[Agreement]:
    """The PSO staff's agreements with practice, PSO and facility count, oldest change first."""
    qs = (
        agreements.select_related("practice", "pso")
        .annotate(facility_count=Count("coverages", filter=Q(coverages__is_current=True), distinct=True))
        .order_by("updated_at")
    )
    if state:
        qs = qs.filter(state=state)
    return qs


def agreement_detail_for(agreement: Agreement) -> dict:
    """Everything the agreement page shows, in a fixed number of queries."""
    coverages = Coverage.objects.filter(agreement=agreement).select_related("facility").order_by("facility__name")
    memberships = (
        Membership.objects.filter(agreement=agreement)
        .select_related("user")
        .order_by("-is_active", "role", "user__username")
    )
    messages = AgreementMessage.objects.filter(agreement=agreement).select_related("author")
    history = (
        AuditEntry.objects.filter(agreement=agreement, object_type__startswith="practices.")
        .select_related("actor")[:100]
    )
    invitations = list(
        Invitation.objects.filter(agreement=agreement, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("created_by").order_by("-created_at")
    )
    memberships = list(memberships)
    return {
        "coverages": list(coverages),
        "memberships": memberships,
        "seats": seat_holders(memberships, invitations),
        "agreement_messages": list(messages),
        "history": list(history),
        "invitations": list(invitations),
        "full_access_count": sum(1 for m in memberships if m.is_full_access),
    }


def seat_holders(memberships: list[Membership], invitations: list[Invitation]) -> list[tuple[int, object, object]]:
    """(seat, membership, invitation) per full-access seat: a usable full-access invitation holds a free seat."""
    held = {m.seat: m for m in memberships if m.seat}
    offers = [i for i in invitations if i.role == Role.FULL_ACCESS and i.is_usable]
    seats = []
    for n in FULL_ACCESS_SEATS:
        if n in held:
            seats.append((n, held[n], None))
        else:
            seats.append((n, None, offers.pop(0) if offers else None))
    return seats


def agreements_with_people(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Agreements with their practice, PSO, facilities and the people with access (My agreements)."""
    return agreements.select_related("practice", "pso").prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.select_related("facility").order_by("facility__name")),
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(is_active=True).select_related("user").order_by("role"),
            to_attr="active_memberships",
        ),
    )


def pso_people_for(user) -> QuerySet[PSOMembership]:
    """PSO staff and analysts of the PSOs the user runs enrolment for."""
    return (
        PSOMembership.objects.for_user(user, action="enrol")
        .select_related("user", "pso")
        .order_by("pso__name", "role", "user__username")
    )


def staff_psos_for(user) -> QuerySet[PSO]:
    """The PSOs whose enrolment the user runs as staff, by name."""
    return PSO.objects.for_user(user, action="enrol").order_by("name")


def memberships_of(user) -> QuerySet[Membership]:
    """The user's own active roles on agreements, with the agreement's practice and PSO (their profile)."""
    return user.memberships.filter(is_active=True).select_related("agreement__practice", "agreement__pso")


def pso_memberships_of(user) -> QuerySet[PSOMembership]:
    """The user's own active roles at PSOs (their profile)."""
    return user.pso_memberships.filter(is_active=True).select_related("pso")


def reviewers_of(*, agreement_ids: Iterable[int]) -> QuerySet[Membership]:
    """The reviewers of these agreements (an event's are its agreement's): active full-access memberships of
    active logins, with the user, in seat order. For system jobs (notifications, reminders), not for pages."""
    return (
        Membership.objects.filter(agreement_id__in=list(agreement_ids), role=Role.FULL_ACCESS, is_active=True,
                                  user__is_active=True)
        .select_related("user")
        .order_by("agreement_id", "seat")
    )


def notification_settings_for(*, user):
    """The user's notification settings: their row, or an unsaved one with the defaults."""
    from .models import NotificationSettings

    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)

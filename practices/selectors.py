"""Reads of the practices app, always starting from a scoped queryset."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Agreement, AgreementMessage, AuditEntry, Coverage, Invitation, Membership, PSOMembership


def agreements_administered_by(user) -> QuerySet[Agreement]:
    """Agreements the user runs: as PSO staff (enrolment) or as one of its full-access users."""
    scoped = Agreement.objects.for_user(user, action="enrol") | Agreement.objects.for_user(user, action="review")
    return scoped.distinct()


def enrolment_queue_for(user, *, state: str | None = None) -> QuerySet[Agreement]:
    """The PSO staff's agreements with practice, PSO and facility count, oldest change first."""
    qs = (
        Agreement.objects.for_user(user, action="enrol")
        .select_related("practice", "pso")
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
    invitations = Invitation.objects.filter(agreement=agreement, accepted_at__isnull=True).order_by("-created_at")
    memberships = list(memberships)
    seats = {m.seat: m for m in memberships if m.seat}
    return {
        "coverages": list(coverages),
        "memberships": memberships,
        "seats": [(n, seats.get(n)) for n in (1, 2)],
        "agreement_messages": list(messages),
        "history": list(history),
        "invitations": list(invitations),
        "full_access_count": sum(1 for m in memberships if m.is_full_access),
    }


def agreements_of_full_access_user(user) -> QuerySet[Agreement]:
    """The agreements a full-access user reviews, with their practice, PSO and people."""
    return (
        Agreement.objects.for_user(user, action="review")
        .select_related("practice", "pso")
        .prefetch_related(
            Prefetch("coverages", queryset=Coverage.objects.select_related("facility").order_by("facility__name")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True).select_related("user").order_by("role"),
                to_attr="active_memberships",
            ),
        )
    )


def pso_people_for(user) -> QuerySet[PSOMembership]:
    """PSO staff and analysts of the PSOs the user runs enrolment for."""
    return (
        PSOMembership.objects.for_user(user, action="enrol")
        .select_related("user", "pso")
        .order_by("pso__name", "role", "user__username")
    )


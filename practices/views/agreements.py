"""The agreement page (its PSO's staff and its full-access users), its actions, My agreements and the access log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView

from foundation.dates import day

from .. import services
from ..audit import access_log_record
from ..choices import NEXT_STEP, TRANSITIONS, AgreementState, Role
from ..exports import accesslog_csv
from ..filters import AccessLogFilter
from ..forms import InvitationForm, MessageForm, NewAgreementForm, RoleChangeForm, TransitionForm
from ..models import AccessLog, Agreement, Invitation, Membership
from ..scoping import ScopedViewMixin
from ..selectors import agreement_detail_for, agreements_with_people

INVITATION_LINK_KEY = "invitation_link"


def errors_of(exc: ValidationError) -> list[str]:
    """A validation error's messages, as the page's flash messages show them."""
    return [str(m) for m in exc.messages]


class AccessLogView(ScopedViewMixin, ListView):
    """Full-access users: who signed in, and who viewed or exported which event, for their agreements."""

    model = AccessLog
    action = "review"
    required_capability = "is_full_access"
    template_name = "practices/accesslog_list.html"
    paginate_by = 50

    def refine(self, queryset):
        self.filterset = AccessLogFilter(self.request.GET or None, queryset=queryset)
        return self.filterset.qs.select_related("agreement__practice", "user")

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            queryset = self.get_queryset()
            access_log_record(request=request, action="export", user=request.user,
                              agreement_ids=sorted(self.access.agreements_for("review")), label="access log (CSV)")
            return accesslog_csv(queryset)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)


class AgreementDetailView(ScopedViewMixin, DetailView):
    """The agreement page: facilities, people, seats, messages, history and the actions the user may take."""

    model = Agreement
    action = "administer"
    template_name = "practices/agreement_detail.html"

    def refine(self, queryset):
        return queryset.select_related("practice", "pso")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agreement = self.object
        access = self.access
        is_staff = agreement.pso_id in access.pso_staff
        can_manage = agreement.pk in access.manage or is_staff
        ctx.update(agreement_detail_for(agreement))
        ctx.update(
            is_staff=is_staff,
            can_manage=can_manage and agreement.state in (AgreementState.EXECUTED, AgreementState.TRAINED,
                                                          AgreementState.ACTIVE),
            next_states=[(s, AgreementState(s).label) for s in TRANSITIONS[agreement.state]] if is_staff else [],
            next_step=NEXT_STEP[agreement.state],
            transition_form=TransitionForm(initial={"expected_state": agreement.state}),
            message_form=MessageForm(),
            invitation_form=InvitationForm(),
            role_form=RoleChangeForm(),
            new_agreement_form=NewAgreementForm(practice=agreement.practice) if is_staff else None,
            roles=Role.choices,
            copied_link=self.request.session.pop(INVITATION_LINK_KEY, None),
        )
        return ctx


class AgreementActionView(ScopedViewMixin, View):
    """POST-only actions on an agreement; errors come back as messages on the agreement page."""

    model = Agreement
    action = "administer"
    http_method_names = ["post"]

    def post(self, request, pk):
        agreement = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            with transaction.atomic():
                self.act(agreement)
        except PermissionDenied:
            messages.error(request, "You are not allowed to do that on this agreement.")
        except ValidationError as exc:
            for message in errors_of(exc):
                messages.error(request, message)
        return HttpResponseRedirect(reverse("practices:agreement-detail", args=[agreement.pk]))

    def act(self, agreement):
        raise NotImplementedError


class AgreementMessageView(AgreementActionView):
    """A proposed change (practice) or a reply (PSO staff)."""

    def act(self, agreement):
        form = MessageForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Write a message of at most 5,000 characters.")
        services.agreement_message_add(agreement=agreement, by=self.request.user, body=form.cleaned_data["body"])
        messages.success(self.request, "Message recorded.")


class AgreementInviteView(AgreementActionView):
    """Issue a login by invitation: a one-time link emailed to the invitee."""

    def act(self, agreement):
        form = InvitationForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label or k}: {' '.join(v)}" for k, v in form.errors.items()])
        invitation, token = services.invitation_create(by=self.request.user, agreement=agreement, **form.cleaned_data)
        services.invitation_send(invitation=invitation, token=token, site_url=self.request.build_absolute_uri("/"))
        messages.success(self.request, f"Invitation sent to {invitation.email}. The link expires "
                                       f"{day(invitation.expires_at)}.")


# --- Full-access users: their agreements and people ---------------------------------------------


class MyAgreementsView(ScopedViewMixin, ListView):
    """Full-access users: their agreements, facilities, the two seats and the people with access."""

    model = Agreement
    action = "review"
    required_capability = "is_full_access"
    template_name = "practices/agreement_mine.html"

    def refine(self, queryset):
        return agreements_with_people(queryset)


class MembershipActionView(ScopedViewMixin, View):
    """POST-only changes to one membership, by the agreement's full-access users or PSO staff."""

    model = Membership
    action = "manage_logins"
    http_method_names = ["post"]

    def refine(self, queryset):
        return queryset.select_related("agreement", "user")

    def post(self, request, pk):
        membership = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            self.act(membership)
        except PermissionDenied:
            messages.error(request, "You are not allowed to change this login.")
        except ValidationError as exc:
            for message in errors_of(exc):
                messages.error(request, message)
        return HttpResponseRedirect(reverse("practices:agreement-detail", args=[membership.agreement_id]))


class MembershipRoleView(MembershipActionView):
    """Change a person's role on the agreement (the seat limit still applies)."""

    def act(self, membership):
        form = RoleChangeForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a valid role.")
        services.membership_grant(by=self.request.user, agreement=membership.agreement, user=membership.user,
                                  role=form.cleaned_data["role"])
        messages.success(self.request, f"{membership.user} is now {Role(form.cleaned_data['role']).label}.")


class MembershipDeactivateView(MembershipActionView):
    """Withdraw a person's access to the agreement."""

    def act(self, membership):
        services.membership_deactivate(by=self.request.user, membership=membership)
        messages.success(self.request, f"{membership.user} no longer has access.")


# --- Pending invitations: resend, a new link to copy, revoke -------------------------------------


class InvitationActionView(ScopedViewMixin, View):
    """POST-only actions on a pending invitation of an agreement, by its full-access users or its PSO's staff."""

    model = Invitation
    action = "manage_logins"
    http_method_names = ["post"]

    def refine(self, queryset):
        return queryset.filter(agreement__isnull=False).select_related("agreement", "pso")

    def post(self, request, pk):
        invitation = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            self.act(invitation)
        except PermissionDenied:
            messages.error(request, "You are not allowed to change this invitation.")
        except ValidationError as exc:
            for message in errors_of(exc):
                messages.error(request, message)
        return HttpResponseRedirect(reverse("practices:agreement-detail", args=[invitation.agreement_id]))

    def act(self, invitation):
        raise NotImplementedError


class InvitationResendView(InvitationActionView):
    """Email a new link (the old one stops working)."""

    def act(self, invitation):
        token = services.invitation_reissue(by=self.request.user, invitation=invitation, emailed=True)
        invitation.refresh_from_db()
        services.invitation_send(invitation=invitation, token=token, site_url=self.request.build_absolute_uri("/"))
        messages.success(self.request, f"A new link was sent to {invitation.email}; the earlier one no longer works.")


class InvitationLinkView(InvitationActionView):
    """A new link shown once on the agreement page, to copy and pass on (the old one stops working)."""

    def act(self, invitation):
        token = services.invitation_reissue(by=self.request.user, invitation=invitation, emailed=False)
        link = services.invitation_link(token, self.request.build_absolute_uri("/"))
        # Shown on the next page only (the session, like a flash message); the token is never stored in clear.
        self.request.session[INVITATION_LINK_KEY] = {"id": invitation.pk, "link": link}


class InvitationRevokeView(InvitationActionView):
    """Withdraw the invitation: its link stops working."""

    def act(self, invitation):
        services.invitation_revoke(by=self.request.user, invitation=invitation)
        messages.success(self.request, f"The invitation for {invitation.username} was withdrawn.")

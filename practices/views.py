"""Pages of the practices app: home, sign-in, profile, the Join form, enrolment and agreement management."""

import unicodedata

import django_otp
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import DetailView, FormView, ListView, RedirectView, TemplateView
from django_ratelimit.decorators import ratelimit

from . import services
from .choices import NEXT_STEP, TRANSITIONS, AgreementState, Role
from .forms import (
    FacilityFormSet,
    InvitationForm,
    MessageForm,
    NewAgreementForm,
    ParticipationForm,
    PSOInvitationForm,
    RoleChangeForm,
    SetPasswordFromInvitationForm,
    TransitionForm,
)
from .models import PSO, AccessLog, Agreement, Facility, Membership, PSOMembership
from .scoping import RoleRequiredMixin, ScopedViewMixin, user_access
from .selectors import (
    agreement_detail_for,
    agreements_administered_by,
    agreements_of_full_access_user,
    enrolment_queue_for,
    pso_people_for,
)
from .twofactor import LoginForm

# Where each role works, in order of precedence; the home page sends a user to the first that applies.
ROLE_HOMES = [
    ("is_full_access", "review:queue"),
    ("can_submit", "events:event-create"),
    ("is_pso_staff", "practices:enrolment-queue"),
    ("is_pso_analyst", "reporting:pso-dashboard"),
]


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _sign_in_account(group, request) -> str:
    """The account a sign-in names, normalized as the sign-in form does (NFKC, stripped; usernames keep their case)."""
    return unicodedata.normalize("NFKC", request.POST.get("username") or "").strip()[:150]


# Per address, and per account: django-axes locks out a (username, address) pair, so guesses at one account
# spread over many addresses are held back only by the per-account limit. It counts every attempt, so it is set
# above what a clinic's shared console login needs at a change of shift.
@method_decorator(ratelimit(key="ip", rate="30/m", method="POST", block=True), name="post")
@method_decorator(ratelimit(key=_sign_in_account, rate="20/m", method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    """Sign-in: username, password and, for accounts that have one, the authenticator code."""

    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True
    scoping_exempt = "public sign-in page"

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            django_otp.login(self.request, form.otp_device)
        user = form.get_user()
        services.access_log_record(request=self.request, action="login", user=user,
                                   agreement_ids=list(user_access(user).roles))
        return response

    def form_invalid(self, form):
        username = (form.data.get("username") or "")[:150]
        services.access_log_record(request=self.request, action="login_failed", username=username,
                                   agreement_ids=list(Membership.objects.filter(
                                       user__username=username, is_active=True).values_list("agreement_id",
                                                                                            flat=True)))
        return super().form_invalid(form)


class AdminLoginRedirectView(RedirectView):
    """Django admin's sign-in page sends to the one sign-in form: rate limits, lockout, two-factor, access log."""

    pattern_name = "login"
    query_string = True
    scoping_exempt = "public: a redirect to the sign-in page"


@method_decorator(ratelimit(key="ip", rate="5/m", method="POST", block=True), name="post")
@method_decorator(ratelimit(key="post:email", rate="5/h", method="POST", block=True), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    """Password reset by email, rate-limited per address and per account email."""


class SignOutEverywhereView(RoleRequiredMixin, View):
    """End every session of the signed-in user, on every device."""

    http_method_names = ["post"]

    def post(self, request):
        services.user_sign_out_everywhere(user=request.user)
        auth_logout(request)
        messages.success(request, "You are signed out on every device.")
        return redirect("login")


class AccessLogView(ScopedViewMixin, ListView):
    """Full-access users: who signed in, and who viewed or exported which event, for their agreements."""

    model = AccessLog
    action = "review"
    required_capability = "is_full_access"
    template_name = "practices/accesslog_list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("agreement__practice")


class HomeView(RoleRequiredMixin, TemplateView):
    """Sends each role where it works; shows a short orientation when the user has no role yet."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if "stay" not in request.GET:
            for capability, url_name in ROLE_HOMES:
                if getattr(self.access, capability):
                    try:
                        return redirect(reverse(url_name))
                    except NoReverseMatch:
                        break
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(access=self.access, **kwargs)


class ProfileView(RoleRequiredMixin, TemplateView):
    """The signed-in user's own details, roles and password links."""

    template_name = "practices/profile.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        memberships = user.memberships.filter(is_active=True).select_related("agreement__practice", "agreement__pso")
        pso_memberships = user.pso_memberships.filter(is_active=True).select_related("pso")
        return super().get_context_data(memberships=memberships, pso_memberships=pso_memberships, **kwargs)


# --- Public: Join and invitations ------------------------------------------------------------------


class JoinView(TemplateView):
    """The public participation form: a practice, its facilities, contacts and the PSO it wants to join."""

    template_name = "practices/join.html"
    scoping_exempt = "public participation form; creates, never reads, tenant data"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ParticipationForm())
        kwargs.setdefault("facilities", FacilityFormSet(prefix="facility"))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = ParticipationForm(request.POST)
        facilities = FacilityFormSet(request.POST, prefix="facility")
        if form.is_valid() and facilities.is_valid():
            practice_data = {k: v for k, v in form.cleaned_data.items() if k not in ("pso", "country")}
            rows = [services.FacilityData(**f.cleaned_data) for f in facilities.forms if f.cleaned_data.get("name")]
            try:
                agreement = services.participation_submit(pso=form.cleaned_data["pso"], practice_data=practice_data,
                                                          facilities=rows)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return self.render_to_response({"submitted": agreement})
        return self.render_to_response(self.get_context_data(form=form, facilities=facilities))


class InvitationAcceptView(FormView):
    """A one-time link: the invitee sets a password and is signed in."""

    template_name = "practices/invitation_accept.html"
    form_class = SetPasswordFromInvitationForm
    scoping_exempt = "public; the secret token is the credential"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.invitation = services.invitation_lookup(kwargs["token"])
        except ValidationError as exc:
            return self.response_class(request=request, template=["practices/invitation_invalid.html"],
                                       context={"errors": _errors(exc)}, status=410)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "invitation": self.invitation}

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation=self.invitation, **kwargs)

    def form_valid(self, form):
        try:
            user = services.invitation_accept(token=self.kwargs["token"], password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        auth_login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Welcome to roils. Your password is set.")
        return redirect("home")


# --- PSO staff: enrolment -------------------------------------------------------------------------


class EnrolmentQueueView(ScopedViewMixin, ListView):
    """PSO staff: every agreement of their PSO with its state and next step."""

    model = Agreement
    action = "enrol"
    required_capability = "is_pso_staff"
    template_name = "practices/enrolment_queue.html"
    paginate_by = 50

    def get_queryset(self):
        state = self.request.GET.get("state")
        return enrolment_queue_for(self.request.user, state=state if state in AgreementState.values else None)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(states=AgreementState.choices, next_steps=NEXT_STEP, current_state=self.request.GET.get("state"))
        return ctx


class AgreementDetailView(ScopedViewMixin, DetailView):
    """The agreement page: facilities, people, seats, messages, history and the actions the user may take."""

    model = Agreement
    template_name = "practices/agreement_detail.html"

    def get_queryset(self):
        return agreements_administered_by(self.request.user).select_related("practice", "pso")

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
        )
        return ctx


class _AgreementActionView(ScopedViewMixin, View):
    """POST-only actions on an agreement; errors come back as messages on the agreement page."""

    model = Agreement
    http_method_names = ["post"]

    def get_queryset(self):
        return agreements_administered_by(self.request.user)

    def post(self, request, pk):
        agreement = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            with transaction.atomic():
                self.act(agreement)
        except PermissionDenied:
            messages.error(request, "You are not allowed to do that on this agreement.")
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        return HttpResponseRedirect(reverse("practices:agreement-detail", args=[agreement.pk]))

    def act(self, agreement):
        raise NotImplementedError


class AgreementTransitionView(_AgreementActionView):
    """PSO staff move the agreement along its lifecycle."""

    action = "enrol"

    def get_queryset(self):
        return Agreement.objects.for_user(self.request.user, action="enrol")

    def act(self, agreement):
        form = TransitionForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
        to = form.cleaned_data["to"]
        services.agreement_transition(agreement=agreement, by=self.request.user, to=to,
                                      note=form.cleaned_data["note"], signatories=form.signatories(),
                                      expected_state=form.cleaned_data["expected_state"])
        messages.success(self.request, f"The agreement is now '{AgreementState(to).label}'.")


class AgreementMessageView(_AgreementActionView):
    """A proposed change (practice) or a reply (PSO staff)."""

    def act(self, agreement):
        form = MessageForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Write a message of at most 5,000 characters.")
        services.agreement_message_add(agreement=agreement, by=self.request.user, body=form.cleaned_data["body"])
        messages.success(self.request, "Message recorded.")


class AgreementInviteView(_AgreementActionView):
    """Issue a login by invitation: a one-time link emailed to the invitee."""

    def act(self, agreement):
        form = InvitationForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label or k}: {' '.join(v)}" for k, v in form.errors.items()])
        invitation, token = services.invitation_create(by=self.request.user, agreement=agreement, **form.cleaned_data)
        _send_invitation(self.request, invitation, token)
        messages.success(self.request, f"Invitation sent to {invitation.email}. The link expires "
                                       f"{invitation.expires_at:%b %d, %Y}.")


class AgreementCreateView(_AgreementActionView):
    """PSO staff open another agreement for the same practice (for facilities with their own agreement)."""

    action = "enrol"

    def get_queryset(self):
        return Agreement.objects.for_user(self.request.user, action="enrol").select_related("practice", "pso")

    def act(self, agreement):
        form = NewAgreementForm(self.request.POST, practice=agreement.practice)
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        facilities = list(form.cleaned_data["facilities"])
        if form.cleaned_data["new_facility"]:
            facility = Facility(practice=agreement.practice, name=form.cleaned_data["new_facility"].strip())
            facility.full_clean()
            facility.save()
            facilities.append(facility)
        new = services.agreement_create(by=self.request.user, pso=agreement.pso, practice=agreement.practice,
                                        facilities=facilities)
        messages.success(self.request, f"Agreement {new.reference} opened.")


def _send_invitation(request, invitation, token) -> None:
    link = request.build_absolute_uri(reverse("practices:invitation-accept", args=[token]))
    where = invitation.agreement.practice.name if invitation.agreement_id else invitation.pso.name
    send_mail(
        subject="Your roils login",
        message=(f"Hello,\n\nYou have been invited to roils ({where}) as {invitation.role.replace('_', ' ')}.\n"
                 f"Your username is {invitation.username}. Choose your password here (the link works once and "
                 f"expires on {invitation.expires_at:%B %d, %Y}):\n\n{link}\n"),
        from_email=None,
        recipient_list=[invitation.email],
    )


# --- Full-access users: their agreements and people ---------------------------------------------


class MyAgreementsView(ScopedViewMixin, ListView):
    """Full-access users: their agreements, facilities, the two seats and the people with access."""

    model = Agreement
    action = "review"
    required_capability = "is_full_access"
    template_name = "practices/agreement_mine.html"

    def get_queryset(self):
        return agreements_of_full_access_user(self.request.user)


class _MembershipActionView(ScopedViewMixin, View):
    """POST-only changes to one membership, by the agreement's full-access users or PSO staff."""

    model = Membership
    http_method_names = ["post"]

    def get_queryset(self):
        return (Membership.objects.for_user(self.request.user, action="manage")
                | Membership.objects.for_user(self.request.user, action="enrol")).select_related("agreement", "user")

    def post(self, request, pk):
        membership = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            self.act(membership)
        except PermissionDenied:
            messages.error(request, "You are not allowed to change this login.")
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        return HttpResponseRedirect(reverse("practices:agreement-detail", args=[membership.agreement_id]))


class MembershipRoleView(_MembershipActionView):
    """Change a person's role on the agreement (the seat limit still applies)."""

    def act(self, membership):
        form = RoleChangeForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a valid role.")
        services.membership_grant(by=self.request.user, agreement=membership.agreement, user=membership.user,
                                  role=form.cleaned_data["role"])
        messages.success(self.request, f"{membership.user} is now {Role(form.cleaned_data['role']).label}.")


class MembershipDeactivateView(_MembershipActionView):
    """Withdraw a person's access to the agreement."""

    def act(self, membership):
        services.membership_deactivate(by=self.request.user, membership=membership)
        messages.success(self.request, f"{membership.user} no longer has access.")


# --- PSO staff: their PSO's people ---------------------------------------------------------------


class PSOPeopleView(RoleRequiredMixin, TemplateView):
    """PSO staff see, invite and deactivate their PSO's staff and analyst logins."""

    required_capability = "is_pso_staff"
    template_name = "practices/pso_people.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PSOInvitationForm())
        return super().get_context_data(people=pso_people_for(self.request.user), **kwargs)

    def post(self, request):
        form = PSOInvitationForm(request.POST)
        if form.is_valid():
            # Staff of several PSOs invite to the first by name; a PSO rarely shares staff.
            pso = PSO.objects.filter(pk__in=self.access.pso_staff).order_by("name").first()
            try:
                invitation, token = services.invitation_create(by=request.user, pso=pso, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                _send_invitation(request, invitation, token)
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("practices:pso-people")
        return self.render_to_response(self.get_context_data(form=form))


class PSOMembershipDeactivateView(ScopedViewMixin, View):
    """Deactivate (or reactivate) a PSO analyst or staff login."""

    model = PSOMembership
    action = "enrol"
    http_method_names = ["post"]

    def post(self, request, pk):
        membership = get_object_or_404(self.get_queryset().select_related("pso", "user"), pk=pk)
        if membership.user_id == request.user.pk:
            messages.error(request, "You cannot deactivate your own login.")
        else:
            services.pso_membership_set(by=request.user, pso=membership.pso, user=membership.user,
                                        role=membership.role, active=not membership.is_active)
            state = "reactivated" if not membership.is_active else "deactivated"
            messages.success(request, f"{membership.user} {state}.")
        return redirect("practices:pso-people")



def rate_limited(request, exception):
    """429 with a clear message when a client sends too many requests."""
    from django.shortcuts import render

    return render(request, "429.html", status=429)

"""Public pages: the Join form, and the one-time invitation link that creates a login."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from .. import services
from ..forms import FacilityFormSet, ParticipationForm, SetPasswordFromInvitationForm


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
                                       context={"errors": [str(m) for m in exc.messages]}, status=410)
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
        auth_login(self.request, user, backend="practices.backends.UserAccessBackend")
        messages.success(self.request, "Welcome to roils. Your password is set.")
        return redirect("home")

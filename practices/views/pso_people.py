"""PSO staff: their PSO's staff and analyst logins (invite, deactivate, reactivate)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from .. import services
from ..forms import PSOInvitationForm
from ..models import PSOMembership
from ..scoping import RoleRequiredMixin, ScopedViewMixin
from ..selectors import pso_people_for, staff_psos_for


class PSOPeopleView(RoleRequiredMixin, TemplateView):
    """PSO staff see, invite and deactivate their PSO's staff and analyst logins."""

    required_capability = "is_pso_staff"
    template_name = "practices/pso_people.html"
    scoped_reads = (pso_people_for, staff_psos_for)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PSOInvitationForm())
        return super().get_context_data(people=pso_people_for(self.request.user), **kwargs)

    def post(self, request):
        form = PSOInvitationForm(request.POST)
        if form.is_valid():
            # Staff of several PSOs invite to the first by name; a PSO rarely shares staff.
            pso = staff_psos_for(request.user).first()
            try:
                invitation, token = services.invitation_create(by=request.user, pso=pso, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                services.invitation_send(invitation=invitation, token=token, site_url=request.build_absolute_uri("/"))
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("practices:pso-people")
        return self.render_to_response(self.get_context_data(form=form))


class PSOMembershipDeactivateView(ScopedViewMixin, View):
    """Deactivate (or reactivate) a PSO analyst or staff login."""

    model = PSOMembership
    action = "enrol"
    http_method_names = ["post"]

    def refine(self, queryset):
        return queryset.select_related("pso", "user")

    def post(self, request, pk):
        membership = get_object_or_404(self.get_queryset(), pk=pk)
        if membership.user_id == request.user.pk:
            messages.error(request, "You cannot deactivate your own login.")
        else:
            services.pso_membership_set(by=request.user, pso=membership.pso, user=membership.user,
                                        role=membership.role, active=not membership.is_active)
            state = "reactivated" if not membership.is_active else "deactivated"
            messages.success(request, f"{membership.user} {state}.")
        return redirect("practices:pso-people")

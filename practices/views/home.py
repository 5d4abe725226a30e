"""The home page, which sends each role where it works, the user's own profile and e-mail settings."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.generic import FormView, TemplateView

from foundation.taxonomy.glossary import glossary

from ..forms import NotificationSettingsForm
from ..scoping import RoleRequiredMixin
from ..selectors import memberships_of, notification_settings_for, pso_memberships_of
from ..services import notification_settings_set

# Where each role works, in order of precedence; the home page sends a user to the first that applies.
ROLE_HOMES = [
    ("is_full_access", "review:queue"),
    ("can_submit", "events:event-create"),
    ("is_pso_staff", "practices:enrolment-queue"),
    ("is_pso_analyst", "reporting:pso-dashboard"),
]


class HomeView(RoleRequiredMixin, TemplateView):
    """Sends each role where it works; shows a short orientation when the user has no role yet."""

    template_name = "home.html"
    scoped_reads = ()  # the user's roles only

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
    scoped_reads = (memberships_of, pso_memberships_of)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(memberships=memberships_of(user), pso_memberships=pso_memberships_of(user),
                                        **kwargs)


class GlossaryView(RoleRequiredMixin, TemplateView):
    """The words of the forms defined on one page: classifications, harm and severity scales, factors, barriers."""

    template_name = "glossary.html"
    scoped_reads = ()  # the taxonomies only, the same for everyone

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=glossary(), **kwargs)


class NotificationSettingsView(RoleRequiredMixin, FormView):
    """Which e-mails the signed-in user wants: news about their reports, and work given to them."""

    template_name = "practices/notification_settings.html"
    form_class = NotificationSettingsForm
    scoped_reads = (notification_settings_for,)  # the user's own row, nothing of a tenant

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": notification_settings_for(user=self.request.user)}

    def form_valid(self, form):
        notification_settings_set(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, "Your e-mail settings were saved.")
        return redirect(reverse("practices:notification-settings"))

"""Pages of the practices app: home, sign-in, profile, enrolment and agreement management."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from .scoping import user_access

# Where each role works, in order of precedence; the home page sends a user to the first that applies.
ROLE_HOMES = [
    ("is_full_access", "review:queue"),
    ("can_submit", "events:event-create"),
    ("is_pso_staff", "practices:enrolment-queue"),
    ("is_pso_analyst", "reporting:pso-dashboard"),
]


class LoginView(auth_views.LoginView):
    """Sign-in with username and password."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


class HomeView(LoginRequiredMixin, TemplateView):
    """Sends each role where it works; shows a short orientation when the user has no role yet."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        access = user_access(request.user)
        if "stay" not in request.GET:
            for capability, url_name in ROLE_HOMES:
                if getattr(access, capability):
                    try:
                        return redirect(reverse(url_name))
                    except NoReverseMatch:
                        break
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(access=user_access(self.request.user), **kwargs)


class ProfileView(LoginRequiredMixin, TemplateView):
    """The signed-in user's own details, roles and password links."""

    template_name = "practices/profile.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        memberships = user.memberships.filter(is_active=True).select_related("agreement__practice", "agreement__pso")
        pso_memberships = user.pso_memberships.filter(is_active=True).select_related("pso")
        return super().get_context_data(memberships=memberships, pso_memberships=pso_memberships, **kwargs)

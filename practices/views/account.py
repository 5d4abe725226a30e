"""Sign-in, sign-out everywhere, password reset, and the page a client gets when it sends too much."""

import unicodedata

import django_otp
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import RedirectView
from django_ratelimit.decorators import ratelimit

from .. import services
from ..audit import access_log_record
from ..models import Membership
from ..scoping import RoleRequiredMixin, user_access
from ..twofactor import LoginForm


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
        access_log_record(request=self.request, action="login", user=user,
                          agreement_ids=list(user_access(user).roles))
        return response

    def form_invalid(self, form):
        username = (form.data.get("username") or "")[:150]
        access_log_record(request=self.request, action="login_failed", username=username,
                          agreement_ids=list(Membership.objects.filter(
                              user__username=username, is_active=True).values_list("agreement_id", flat=True)))
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
    scoped_reads = ()

    def post(self, request):
        services.user_sign_out_everywhere(user=request.user)
        auth_logout(request)
        messages.success(request, "You are signed out on every device.")
        return redirect("login")


def rate_limited(request, exception):
    """429 with a clear message when a client sends too many requests."""
    return render(request, "429.html", status=429)

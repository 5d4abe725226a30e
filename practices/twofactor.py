"""Two-factor authentication (TOTP, django-otp): required for reviewers and PSO accounts, optional for reporters."""

from __future__ import annotations

import base64
import time
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.generic import FormView
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from foundation.forms import CleanInputMixin, Form

from .choices import Role
from .scoping import RoleRequiredMixin, user_access

TWO_FACTOR_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/static/")


def requires_two_factor(user) -> bool:
    """Full-access users, PSO staff, PSO analysts and accounts that can use Django's admin must use a second factor."""
    if user.is_staff or user.is_superuser:
        return True
    access = user_access(user)
    return Role.FULL_ACCESS in access.roles.values() or access.is_pso_staff or access.is_pso_analyst


def safe_next(request) -> str:
    """The ?next= target if it stays on this site, else the home page."""
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def confirmed_devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def second_factor_failed(request, username: str) -> None:
    """A wrong authenticator code counts toward the sign-in lockout (django-axes) like a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def is_locked_out(request, username: str) -> bool:
    """Whether django-axes holds this username and address locked out now."""
    from axes.handlers.proxy import AxesProxyHandler

    return bool(getattr(settings, "AXES_ENABLED", True)) and AxesProxyHandler.is_locked(
        request, credentials={"username": username}
    )


class LoginForm(CleanInputMixin, AuthenticationForm):
    """Username and password, plus the authenticator code for accounts that have (or need) one."""

    otp_token = forms.RegexField(
        regex=r"^\d{6,8}$", required=False, label="Authenticator code",
        error_messages={"invalid": "The authenticator code is 6 digits."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    otp_device = None

    def clean(self):
        data = super().clean()
        user = self.get_user()
        if user is None:
            return data
        if confirmed_devices(user).exists():
            token = data.get("otp_token")
            if not token:
                raise ValidationError("Enter the 6-digit code from your authenticator app.", code="otp_required")
            device = django_otp.match_token(user, token)
            if device is None:
                second_factor_failed(self.request, user.get_username())
                raise ValidationError("That authenticator code is wrong or has expired. Try the current one.",
                                      code="otp_invalid")
            self.otp_device = device
        return data


class TwoFactorRequiredMiddleware:
    """Send accounts that need a second factor to set one up (or verify it) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(settings, "ROILS_ENFORCE_2FA", True)
            and user is not None and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_PATHS)
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            target = "two-factor-verify" if confirmed_devices(user).exists() else "two-factor-setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class TokenForm(Form):
    otp_token = forms.RegexField(regex=r"^\d{6,8}$", label="Authenticator code",
                                 error_messages={"invalid": "The authenticator code is 6 digits."},
                                 widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                               "autocomplete": "one-time-code"}))


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


SETUP_SALT = "roils.practices.twofactor.setup"
SETUP_SECONDS = 30 * 60  # how long a setup page's key can still be confirmed


def totp_device_pair(*, user, key: str, token: str) -> TOTPDevice | None:
    """Store a confirmed TOTP device with `key` for `user` if `token` is its current code; else store nothing."""
    device = TOTPDevice(user=user, name="Authenticator", key=key, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(token), device.tolerance) or TOTPDevice.objects.filter(user=user, key=key).exists():
        return None  # a wrong code, or this key paired already (the same form sent twice)
    device.last_t = totp.t()  # this code cannot serve again, not even at the next sign-in
    device.drift = totp.drift
    device.save()
    return device


class TwoFactorSetupView(RoleRequiredMixin, FormView):
    """Pair an authenticator app: scan the code (or type the key), then confirm with a code.

    Opening the page stores nothing: it draws a new key and carries it in its form, signed for this user, and the
    device is stored only when a code from the app confirms it. An account that has an authenticator already
    proves it (verify) before this session may pair another.
    """

    template_name = "registration/two_factor_setup.html"
    form_class = TokenForm
    scoped_reads = ()  # the user's own device, no tenant data
    key: str | None = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.is_verified() and confirmed_devices(user).exists():
            return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': safe_next(request)})}")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            self.key = signing.loads(request.POST.get("setup_key", ""), salt=self._salt(), max_age=SETUP_SECONDS)
        except signing.BadSignature:
            self.key = None  # expired or altered: the page is drawn again with a new key
        return super().post(request, *args, **kwargs)

    def _salt(self) -> str:
        return f"{SETUP_SALT}:{self.request.user.pk}"

    def get_context_data(self, **kwargs):
        key = self.key or random_hex(20)
        secret = base64.b32encode(bytes.fromhex(key)).decode()
        drawn = TOTPDevice(user=self.request.user, key=key)  # not stored: it only draws the QR code
        return super().get_context_data(
            qr=mark_safe(_qr_svg(drawn.config_url)),  # noqa: S308 - our own base64 data URL
            secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            setup_key=signing.dumps(key, salt=self._salt()),
            required=requires_two_factor(self.request.user), **kwargs,
        )

    def form_valid(self, form):
        if self.key is None:
            form.add_error(None, "This page was open too long. Scan the new code below, then enter the code it shows.")
            return self.form_invalid(form)
        device = totp_device_pair(user=self.request.user, key=self.key, token=form.cleaned_data["otp_token"])
        if device is None:
            form.add_error("otp_token", "That code does not match. Check the time on your phone and try again.")
            return self.form_invalid(form)
        django_otp.login(self.request, device)
        return redirect(safe_next(self.request))


class TwoFactorVerifyView(RoleRequiredMixin, FormView):
    """A signed-in session that has not proved its second factor yet."""

    template_name = "registration/two_factor_verify.html"
    form_class = TokenForm
    scoped_reads = ()  # the user's own devices, no tenant data

    def form_valid(self, form):
        user = self.request.user
        device = django_otp.match_token(user, form.cleaned_data["otp_token"])
        if device is None:
            second_factor_failed(self.request, user.get_username())
            if is_locked_out(self.request, user.get_username()):
                # Guessing codes in a half-signed-in session ends it, as the sign-in form would refuse it.
                logout(self.request)
                return render(self.request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
            form.add_error("otp_token", "That authenticator code is wrong or has expired.")
            return self.form_invalid(form)
        django_otp.login(self.request, device)
        return redirect(safe_next(self.request))

"""Two-factor authentication (TOTP, django-otp): required for reviewers and PSO accounts, optional for reporters."""

from __future__ import annotations

import base64
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.middleware import get_user as auth_get_user
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.generic import FormView
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from .authcache import cached_device
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


class LoginForm(AuthenticationForm):
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
                raise ValidationError("That authenticator code is wrong or has expired. Try the current one.",
                                      code="otp_invalid")
            self.otp_device = device
        return data


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, with the session's verified device read from the cache, and the user unwrapped.

    django-otp wraps AuthenticationMiddleware's lazy user in a second lazy object, so every attribute read
    (hundreds per page, templates included) went through two SimpleLazyObjects, each raising and catching an
    AttributeError. The next middleware reads the user on every request anyway, so it is resolved here, once.
    """

    def __call__(self, request):
        if self._is_async:
            return super().__call__(request)
        self._install_lazy_accessors(request)  # keeps request.auser wrapped as django-otp does
        if getattr(request, "user", None) is not None:
            request.user = self._verify_user_sync(request, auth_get_user(request))
        return self.get_response(request)

    def _device_from_persistent_id(self, persistent_id: str):
        return cached_device(self._normalize_persistent_id(persistent_id), super()._device_from_persistent_id)


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


class TokenForm(forms.Form):
    otp_token = forms.RegexField(regex=r"^\d{6,8}$", label="Authenticator code",
                                 error_messages={"invalid": "The authenticator code is 6 digits."},
                                 widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                               "autocomplete": "one-time-code"}))


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


class TwoFactorSetupView(RoleRequiredMixin, FormView):
    """Pair an authenticator app: scan the code (or type the key), then confirm with a code."""

    template_name = "registration/two_factor_setup.html"
    form_class = TokenForm
    scoped_reads = ()  # the user's own device, no tenant data

    def get_device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=self.request.user, name="Authenticator", confirmed=False)

    def get_context_data(self, **kwargs):
        device = self.get_device()
        secret = base64.b32encode(device.bin_key).decode()
        return super().get_context_data(
            qr=mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - our own base64 data URL
            secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            required=requires_two_factor(self.request.user), **kwargs,
        )

    def form_valid(self, form):
        device = self.get_device()
        if not device.verify_token(form.cleaned_data["otp_token"]):
            form.add_error("otp_token", "That code does not match. Check the time on your phone and try again.")
            return self.form_invalid(form)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        django_otp.login(self.request, device)
        return redirect(safe_next(self.request))


class TwoFactorVerifyView(RoleRequiredMixin, FormView):
    """A signed-in session that has not proved its second factor yet."""

    template_name = "registration/two_factor_verify.html"
    form_class = TokenForm
    scoped_reads = ()  # the user's own devices, no tenant data

    def form_valid(self, form):
        device = django_otp.match_token(self.request.user, form.cleaned_data["otp_token"])
        if device is None:
            form.add_error("otp_token", "That authenticator code is wrong or has expired.")
            return self.form_invalid(form)
        django_otp.login(self.request, device)
        return redirect(safe_next(self.request))

"""A login's own account: sign out everywhere, which e-mails it wants, and reporter logins made for an action's
owner."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse

from foundation.mail import mail_after_commit

from ..audit import audit_record
from ..choices import Role
from ..models import Agreement, NotificationSettings, User
from .common import can_manage
from .memberships import membership_grant


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    """End every session of the user (the epoch is part of the session hash)."""
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    audit_record(actor=user, action="signed_out_everywhere", obj=user)


def notification_settings_set(*, user: User, reporter_news: str, work_mail: str):
    """Save which e-mails the user wants."""
    if reporter_news not in NotificationSettings.ReporterNews.values or work_mail not in (
            NotificationSettings.WorkMail.values):
        raise ValidationError("Choose one of the options.")
    settings_row, _created = NotificationSettings.objects.update_or_create(
        user=user, defaults={"reporter_news": reporter_news, "work_mail": work_mail})
    return settings_row


@transaction.atomic
def reporter_login_invite(*, by: User, agreement: Agreement, name: str, email: str) -> User:
    """A new reporter login of the agreement for a named person, e-mailed a one-time link to choose a password.

    Used when a full-access user gives an action to someone without a login; the login exists at once (so the
    action has its owner) but cannot sign in until its password is chosen through the link.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not can_manage(by, agreement):
        raise PermissionDenied
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name or not email:
        raise ValidationError({"new_owner_email": "Give the new owner's name and e-mail address."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"new_owner_email": "A login with this e-mail address exists: choose it as the owner "
                                                  "(or ask your PSO to add it to this agreement)."})
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0])[:100] or "owner"
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}{n}"
    first, _sep, last = name.partition(" ")
    user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    membership_grant(by=by, agreement=agreement, user=user, role=Role.REPORTER)
    audit_record(actor=by, action="login_invited", obj=user, agreement=agreement,
                 changes={"username": [None, username], "role": [None, Role.REPORTER]})
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    link = settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    message = (f"Hello {name},\n\n{by} gave you an action to carry out in roils ({agreement.practice.name}).\n"
               f"Your username is {username}. Choose your password here (the link works once):\n\n{link}\n")
    mail_after_commit(subject="Your roils login", message=message, from_email=None,
                      recipient_list=[email])
    return user

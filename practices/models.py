"""PSOs, practices, facilities, agreements, memberships and the practice-side audit log."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .choices import (
    FULL_ACCESS_SEATS,
    US_STATE_CODES,
    AgreementState,
    PSORole,
    Role,
)
from .scoping import ScopedQuerySet

ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")


def validate_us_state(value: str) -> None:
    """Only US states and territories are eligible."""
    if value not in US_STATE_CODES:
        raise ValidationError(
            _("Only practices in the United States (a state, DC or a US territory) can join."), code="non_us"
        )


def validate_zip(value: str) -> None:
    """A US ZIP code: 12345 or 12345-6789."""
    if not ZIP_RE.match(value or ""):
        raise ValidationError(_("Enter a US ZIP code such as 12345 or 12345-6789."), code="zip")


class User(AbstractUser):
    """A login. Shared general logins are flagged so their submissions stay anonymous."""

    is_shared_login = models.BooleanField(
        default=False, help_text=_("A general login handed to all staff; its submissions are anonymous.")
    )
    # Bumped by "sign out everywhere": it is part of the session hash, so every other session ends.
    session_epoch = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.get_full_name() or self.username

    def get_session_auth_hash(self):
        return salted_hmac(
            "roils.practices.User.get_session_auth_hash", f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()


class PSO(models.Model):
    """A Patient Safety Organization."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    contact_email = models.EmailField(blank=True)

    # The PSOs a login works for: staff run their enrolment, analysts read their store, both write their themes.
    # (The public Join form lists every PSO: that list is not a user's scope.)
    objects = ScopedQuerySet.as_manager()
    pso_path = "pk"
    pso_actions = {
        "enrol": (PSORole.STAFF,),
        "analyse": (PSORole.ANALYST,),
        "manage": (PSORole.STAFF, PSORole.ANALYST),
    }

    class Meta:
        verbose_name = "PSO"
        verbose_name_plural = "PSOs"
        ordering = ["name"]

    def __str__(self):
        return self.name


class PSOMembership(models.Model):
    """A login's role at one PSO (staff run enrolment; analysts read the aggregate store)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pso_memberships")
    pso = models.ForeignKey(PSO, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=PSORole.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    pso_path = "pso"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "pso"], name="pso_membership_unique")]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} at {self.pso}"


class Practice(models.Model):
    """A US radiation oncology practice."""

    name = models.CharField(max_length=200)
    address_line1 = models.CharField(_("street address"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(max_length=100)
    # No `choices=` here: the validator's message says why a non-US address is refused.
    state = models.CharField(_("state or territory"), max_length=2, validators=[validate_us_state])
    zip_code = models.CharField(_("ZIP code"), max_length=10, validators=[validate_zip])
    phone = models.CharField(max_length=30, blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreements"
    pso_path = "agreements__pso"

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Facility(models.Model):
    """A treatment location of a practice."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(_("state or territory"), max_length=2, validators=[validate_us_state], blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, validators=[validate_zip], blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "coverages__agreement"
    pso_path = "coverages__agreement__pso"

    class Meta:
        verbose_name_plural = "facilities"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "practice", name="facility_name_unique_per_practice"),
        ]

    def __str__(self):
        return self.name


class Agreement(models.Model):
    """A PSO provider services agreement between one practice and one PSO, covering some facilities."""

    pso = models.ForeignKey(PSO, on_delete=models.PROTECT, related_name="agreements", verbose_name="PSO")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="agreements")
    facilities = models.ManyToManyField(Facility, through="Coverage", related_name="agreements")
    reference = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=20, choices=AgreementState.choices, default=AgreementState.FORM_RECEIVED)
    retention_days = models.PositiveIntegerField(
        default=365, help_text=_("How long full-access users keep read access after suspension or termination.")
    )
    practice_signatory = models.CharField(max_length=200, blank=True)
    pso_signatory = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    training_completed_on = models.DateField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "pk"
    pso_path = "pso"

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("submit_event", "Can submit events under the agreement"),
            ("review_event", "Can review events under the agreement"),
            ("manage_logins", "Can manage the agreement's reporter logins"),
        ]

    def __str__(self):
        return f"{self.practice} / {self.pso} ({self.reference})"

    @property
    def is_active(self) -> bool:
        return self.state == AgreementState.ACTIVE

    @property
    def read_until(self):
        """End of read access after suspension or termination (None while not ended)."""
        if self.ended_at is None:
            return None
        return self.ended_at + timezone.timedelta(days=self.retention_days)


class Coverage(models.Model):
    """One facility covered by one agreement; at most one covering agreement per facility and PSO."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="coverages")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="coverages")
    # Denormalised from the agreement so that the database itself enforces one agreement per PSO.
    pso = models.ForeignKey(PSO, on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    pso_path = "pso"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "facility"], name="coverage_unique"),
            models.UniqueConstraint(
                fields=["facility", "pso"], condition=Q(is_current=True), name="one_current_agreement_per_facility_pso"
            ),
        ]

    def __str__(self):
        return f"{self.facility} under {self.agreement.reference}"


class AgreementMessage(models.Model):
    """A proposed change to an agreement, or a reply to one, kept with who and when."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposed change")
        REPLY = "reply", _("Reply")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.author} on {self.created_at:%Y-%m-%d}"


class Membership(models.Model):
    """A login's role on one agreement. Full-access holders occupy one of two numbered seats."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REPORTER)
    # The seat makes "at most two full-access users" a database fact: two concurrent grants of the
    # last seat insert the same (agreement, seat) pair and one of them fails.
    seat = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    pso_path = "agreement__pso"
    reporter_visible = False  # who has access is for the agreement's reviewers and PSO staff

    class Meta:
        ordering = ["agreement", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agreement"], name="membership_unique"),
            models.UniqueConstraint(fields=["agreement", "seat"], name="full_access_seat_unique"),
            models.CheckConstraint(condition=Q(seat__isnull=True) | Q(seat__in=FULL_ACCESS_SEATS), name="seat_1_or_2"),
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | Q(role=Role.FULL_ACCESS, is_active=True),
                name="seat_only_for_active_full_access",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.FULL_ACCESS, is_active=True) | Q(seat__isnull=False),
                name="active_full_access_holds_seat",
            ),
        ]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} on {self.agreement.reference}"

    @property
    def is_full_access(self) -> bool:
        return self.is_active and self.role == Role.FULL_ACCESS


class Invitation(models.Model):
    """A one-time link that lets an invitee set a password; only a hash of the token is stored."""

    email = models.EmailField()
    username = models.CharField(max_length=150)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pso = models.ForeignKey(PSO, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    pso_path = "pso"
    reporter_visible = False

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False) | Q(pso__isnull=False), name="invitation_has_target"
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.username} ({self.role})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def role_label(self) -> str:
        """The role as people read it ("Full access (reviewer)", "PSO analyst"), not its code."""
        labels = {**dict(Role.choices), **dict(PSORole.choices)}
        return str(labels.get(self.role, self.role))


class AuditEntry(models.Model):
    """Who changed what, when: every enrolment transition, role change and event edit on the practice side."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="audit")
    pso = models.ForeignKey(PSO, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    pso_path = "pso"
    reporter_visible = False  # the audit trail is for reviewers and PSO staff

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AccessLog(models.Model):
    """Who signed in, and who viewed or exported which event: kept on the practice side for its reviewers."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_label = models.CharField(max_length=60, blank=True)  # e.g. an event reference, never content
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    reporter_visible = False

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agreement", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_label}"


class NotificationSettings(models.Model):
    """Which e-mails one login wants (sensible defaults when the row does not exist), and its last digest."""

    class ReporterNews(models.TextChoices):
        DAILY = "daily", _("A daily digest when there is news about my reports")
        OFF = "off", _("No e-mail: I look in My submissions")

    class WorkMail(models.TextChoices):
        IMMEDIATE = "immediate", _("At once: new assignments and reminders of due dates")
        OFF = "off", _("No e-mail: I look in My work")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notification_settings")
    reporter_news = models.CharField(_("news about my reports"), max_length=10, choices=ReporterNews.choices,
                                     default=ReporterNews.DAILY)
    work_mail = models.CharField(_("actions and investigations given to me"), max_length=10,
                                 choices=WorkMail.choices, default=WorkMail.IMMEDIATE)
    # The reporter digest's bookkeeping: the daily sweep locks the row (skip locked) and moves this on.
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"Notification settings of {self.user_id}"


def wants_work_mail(user) -> bool:
    """Whether a login wants e-mails about work given to them (yes unless they switched it off)."""
    return not NotificationSettings.objects.filter(user=user, work_mail=NotificationSettings.WorkMail.OFF).exists()

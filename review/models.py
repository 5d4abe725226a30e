"""My Review: the investigation of one event, its investigator, corrective actions and their progress, reminders."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import WorkflowStep
from practices.models import Agreement
from practices.scoping import ScopedQuerySet


class Location(models.Model):
    """A place in the practice where events happen (vault, CT simulator, front desk), kept by its reviewers."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    reporter_visible = False

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agreement", "name"], name="location_name_unique")]

    def __str__(self):
        return self.name


class Review(models.Model):
    """The full-access users' investigation of one event (every My Review field of the data elements)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="review")
    title = models.CharField(max_length=200, blank=True, help_text=_("A short synopsis, without patient details."))
    workflow_origin = models.CharField(
        _("workflow step where it originated"), max_length=40, choices=WorkflowStep.choices, blank=True
    )
    workflow_detected = models.CharField(
        _("workflow step where it was detected"), max_length=40, choices=WorkflowStep.choices, blank=True
    )
    problem_type = models.CharField(_("primary problem type"), max_length=40, choices=rc.ProblemType.choices,
                                    blank=True)
    problem_types_secondary = models.JSONField(_("secondary problem types"), default=list, blank=True)
    patients_affected = models.CharField(max_length=20, choices=rc.PatientsAffected.choices, blank=True)
    harm = models.CharField(max_length=20, choices=rc.Harm.choices, blank=True)
    medical_severity = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=rc.MEDICAL_SEVERITY, validators=[MaxValueValidator(10)]
    )
    dosimetric_severity = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=rc.DOSIMETRIC_SEVERITY, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    dose_deviation_percent = models.DecimalField(
        _("dose deviation (%)"), max_digits=7, decimal_places=2, null=True, blank=True,
        help_text=_("Deviation from the total prescription; negative for an underdose."),
    )
    fraction_deviation_percent = models.DecimalField(
        _("largest single-fraction deviation (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    prescribed_dose_gy = models.DecimalField(
        _("prescribed total dose (Gy)"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    fractions_prescribed = models.PositiveSmallIntegerField(null=True, blank=True)
    fractions_incorrect = models.PositiveSmallIntegerField(_("fractions delivered incorrectly"), null=True, blank=True)
    contributing_factors = models.JSONField(default=list, blank=True)
    barriers_failed = models.JSONField(_("safety barriers that failed"), default=list, blank=True)
    barriers_caught = models.JSONField(_("safety barriers that caught it"), default=list, blank=True)
    equipment_related = models.BooleanField(default=False)
    equipment_manufacturer = models.CharField(max_length=100, blank=True)
    equipment_model = models.CharField(max_length=100, blank=True)
    software_version = models.CharField(max_length=50, blank=True)
    ameliorating_actions = models.JSONField(default=list, blank=True)
    lessons_learned = models.TextField(max_length=4000, blank=True)
    reviewer_notes = models.TextField(max_length=8000, blank=True)
    # Second-round data elements (AAPM consensus, NSIR-RT, RO-ILS); none of them is asked in Submit Event.
    occurred_date = models.DateField(_("date it occurred"), null=True, blank=True,
                                     help_text=_("When the error happened, if known; the report has when it was "
                                                 "discovered."))
    detected_roles = models.JSONField(_("roles that detected it"), default=list, blank=True)
    involved_roles = models.JSONField(_("roles involved"), default=list, blank=True)
    treatment_site = models.CharField(_("treatment site"), max_length=20, choices=rc.TreatmentSite.choices,
                                      blank=True)
    treatment_intent = models.CharField(max_length=20, choices=rc.TreatmentIntent.choices, blank=True)
    latent_harm = models.CharField(max_length=20, choices=rc.LatentHarm.choices, blank=True)
    isotope = models.CharField(max_length=40, blank=True, help_text=_("Brachytherapy or radiopharmaceutical only."))
    applicator = models.CharField(max_length=100, blank=True)
    source_activity = models.CharField(_("source or activity"), max_length=100, blank=True)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    location_other = models.CharField(_("other location"), max_length=100, blank=True)
    hospital_incident_number = models.CharField(_("hospital incident number"), max_length=40, blank=True)
    staff_support = models.JSONField(_("staff support offered"), default=list, blank=True)
    near_miss_risk = models.PositiveSmallIntegerField(
        _("near-miss risk index"), null=True, blank=True, choices=rc.NEAR_MISS_RISK_CHOICES,
        validators=[MaxValueValidator(4)],
        help_text=_("Worst credible outcome had it not been caught (near misses and unsafe conditions)."),
    )
    # Regulatory: the hint is computed; these record the reviewer's own call and the dates.
    wrong_modality = models.BooleanField(_("wrong treatment modality or mode"), default=False)
    possibly_reportable = models.BooleanField(
        _("possibly reportable to a regulator"), null=True, blank=True,
        help_text=_("Leave unset to follow the computed hint."),
    )
    regulatory_regime = models.CharField(max_length=20, choices=rc.RegulatoryRegime.choices, blank=True)
    regulatory_criteria = models.TextField(_("criteria met"), max_length=2000, blank=True)
    notified_regulator_at = models.DateTimeField(null=True, blank=True)
    written_report_due = models.DateField(null=True, blank=True)
    patient_notified_at = models.DateTimeField(null=True, blank=True)
    # "Narrative and notes contain no patient identifiers", ticked when reporting to the PSO.
    confirmed_no_identifiers = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The event's pseudonymous key as last reported, so the PSO's receipt can find the event again.
    pso_event_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    taxonomy_version = models.CharField(max_length=20, default=rc.TAXONOMY_VERSION)
    # Optimistic locking: every save must name the version it started from.
    lock_version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"

    def __str__(self):
        return f"Review of {self.event_id}"


class Verification(models.TextChoices):
    """A full-access user's verdict on a completed action."""

    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


class ActionItem(models.Model):
    """A corrective or preventive action with an owner and a due date."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="action_items")
    number = models.PositiveSmallIntegerField()
    action_type = models.CharField(_("type"), max_length=40, choices=rc.choices(rc.CORRECTIVE_ACTIONS,
                                                                                 include_retired=True))
    description = models.TextField(max_length=2000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_actions")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=rc.ActionStatus.choices, default=rc.ActionStatus.OPEN)
    completion_note = models.TextField(_("what was done"), max_length=2000, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # A full-access user's verdict on a done action, which is what closes it.
    verification = models.CharField(max_length=20, choices=Verification.choices, blank=True)
    verification_note = models.TextField(max_length=2000, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"

    class Meta:
        ordering = ["event", "number"]
        indexes = [models.Index(fields=["owner", "verified_at", "due_date"], name="action_owner_open")]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="action_item_number_unique")]

    def __str__(self):
        return f"Action {self.number} of {self.event_id}"

    @property
    def is_closed(self) -> bool:
        return self.verified_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.status != rc.ActionStatus.DONE and self.due_date < timezone.localdate()

    @property
    def tier(self) -> str:
        """Effectiveness tier label of the action type (hardware beats process beats training)."""
        value = rc.effectiveness(self.action_type)
        return rc.EffectivenessTier(value).label if value else ""

    @property
    def tier_code(self) -> str:
        return rc.effectiveness(self.action_type) or ""

    @property
    def type_label(self) -> str:
        return rc.label_for(rc.CORRECTIVE_ACTIONS, self.action_type)


def evidence_path(instance, filename: str) -> str:
    """Evidence files under a random name per agreement (the uploaded name is kept in `evidence_name`)."""
    return f"evidence/{instance.item.event.agreement_id}/{uuid.uuid4().hex}"


class ActionUpdate(models.Model):
    """A progress note on an action item, by its owner or a reviewer, with an optional evidence file."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(max_length=4000, blank=True)
    evidence = models.FileField(upload_to=evidence_path, blank=True, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)  # as sniffed from the content, not as uploaded
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "item__event__agreement"
    reporter_visible = False

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "created_at"])]

    def __str__(self):
        return f"Update on action {self.item_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Investigator(models.Model):
    """A login of the agreement asked by a full-access user to investigate one event (one live one per event)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="investigators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="investigations")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"
    reporter_visible = False

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event"], condition=models.Q(withdrawn_at__isnull=True),
                                    name="one_live_investigator_per_event"),
        ]
        indexes = [models.Index(fields=["user"], condition=models.Q(withdrawn_at__isnull=True),
                                name="investigator_live_by_user")]

    def __str__(self):
        return f"{self.user} investigates {self.event_id}"


class DeadlinePolicy(models.Model):
    """A practice agreement's review deadlines in working days, its weekend days and holidays (review.deadlines)."""

    agreement = models.OneToOneField("practices.Agreement", on_delete=models.CASCADE, related_name="deadline_policy")
    priority_start_days = models.PositiveSmallIntegerField(
        _("harm or possible medical event: start within (working days)"), default=1,
        validators=[MinValueValidator(0), MaxValueValidator(60)])
    priority_finish_days = models.PositiveSmallIntegerField(
        _("harm or possible medical event: finish within (working days)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)])
    other_start_days = models.PositiveSmallIntegerField(
        _("other events: start within (working days)"), default=3, validators=[MaxValueValidator(60)])
    other_finish_days = models.PositiveSmallIntegerField(
        _("other events: finish within (working days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(250)])
    weekend_days = models.JSONField(default=list, blank=True)  # weekday numbers, Monday = 0
    holidays = models.JSONField(default=list, blank=True)  # ISO dates
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    reporter_visible = False

    def __str__(self):
        return f"Deadlines of {self.agreement_id}"


class SentNotice(models.Model):
    """One e-mail that must go out once (a deadline reminder, an escalation, an action reminder, a digest).

    Its key is unique: two sweeps that overlap both try to insert it, and only the one that does sends the e-mail.
    """

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return self.key


class Reminder(models.Model):
    """One untouched-event reminder sent about one event (so the next one waits 14 days)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="review_reminders")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["event", "-sent_at"])]

    def __str__(self):
        return f"Reminder for {self.event_id} at {self.sent_at:%Y-%m-%d}"

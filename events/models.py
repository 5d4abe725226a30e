"""Events reported by front-line staff. About the patient, only an age range and a sex are asked; the narrative is
checked for identifiers while it is typed, and the lists of the practice show its scrubbed copy."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.taxonomy.events import (
    REPORTER_STATUS,
    AgeRange,
    EventClassification,
    EventStatus,
    PatientSex,
    ReporterRole,
    TreatmentTechnique,
    WorkflowStep,
)
from practices.models import Agreement, Facility, Practice
from practices.scoping import ScopedQuerySet

NARRATIVE_MAX_LENGTH = 4000


class Event(models.Model):
    """A safety event or near miss, as submitted; its investigation lives in the review app."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="events")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="events")
    sub_location = models.CharField(_("area or room"), max_length=100, blank=True)
    reference = models.CharField(max_length=24, editable=False)
    classification = models.CharField(max_length=40, choices=EventClassification.choices)
    narrative = models.TextField(max_length=NARRATIVE_MAX_LENGTH)
    # The narrative with identifiers masked (foundation.scrubber), made at submission: lists and exports show it,
    # only the event page shows the narrative itself. `scrubbed_with` is the scrubber's VERSION that made it; a
    # newer scrubber scrubs again (events.services.narratives_rescrub). Database defaults keep raw inserts valid.
    narrative_scrubbed = models.TextField(blank=True, default="", db_default="", editable=False)
    scrubbed_with = models.CharField(max_length=16, blank=True, default="", db_default="", editable=False)
    event_date = models.DateField()
    event_time = models.TimeField(null=True, blank=True)
    workflow_step_noticed = models.CharField(max_length=40, choices=WorkflowStep.choices, blank=True)
    age_range = models.CharField(max_length=40, choices=AgeRange.choices, default=AgeRange.UNKNOWN)
    patient_sex = models.CharField(max_length=40, choices=PatientSex.choices, default=PatientSex.UNKNOWN)
    reporter_role = models.CharField(max_length=40, choices=ReporterRole.choices)
    # Anonymous reports store no identity at all: both fields stay empty.
    reporter_name = models.CharField(max_length=150, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="submitted_events"
    )
    is_anonymous = models.BooleanField(default=False)
    status = models.CharField(max_length=40, choices=EventStatus.choices, default=EventStatus.NEW, db_index=True)
    revision = models.PositiveIntegerField(default=1)
    idempotency_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invalid_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Last time a reviewer touched the event; drives the "left untouched" reminders.
    last_activity_at = models.DateTimeField(default=timezone.now)
    # Set once the full-access users were emailed, so a retried notification task does not email twice.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the review first started and first ended (reported to the PSO or closed): the local analytics' timeliness.
    review_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    owner_field = "submitted_by"
    link_path = "follow_up_link__token_hash"  # an anonymous reporter's follow-up link opens this event only

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "reference"], name="event_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False) | models.Q(submitted_by__isnull=True, reporter_name=""),
                name="anonymous_event_stores_no_identity",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "status", "-created_at"]),
            models.Index(fields=["agreement", "facility", "-created_at"]),
            # The local analytics read a period of event dates.
            models.Index(fields=["agreement", "event_date"], name="event_agreement_date"),
            # A reporter's latest reports (the form's default role, "My submissions") without sorting their history.
            models.Index(fields=["submitted_by", "-created_at"], name="event_submitter_latest"),
            # The notification sweep's rows, a handful at any time, found without reading the rest.
            models.Index(fields=["created_at"], condition=models.Q(notified_at__isnull=True),
                         name="event_not_yet_notified"),
        ]

    def __str__(self):
        return self.reference

    @property
    def practice(self) -> Practice:
        return self.agreement.practice

    @property
    def reporter_status(self) -> str:
        """The status in the reporter's words (My submissions)."""
        return str(REPORTER_STATUS.get(self.status, self.get_status_display()))

    @property
    def technique_values(self) -> list[str]:
        return [t.technique for t in self.techniques.all()]


class LocalFact(models.Model):
    """The narrow copy of one event's analytics fields and its review's coded answers, that the local dashboard
    groups instead of the wide events and reviews tables.

    Written in the transaction that writes the event (event_submit) or its review (the review services), and
    rebuilt from the events by `manage.py rebuild_local_facts`; `events.facts` is the only code that writes it.
    """

    event = models.OneToOneField(Event, primary_key=True, on_delete=models.CASCADE, related_name="local_fact")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="+")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="+")
    event_date = models.DateField()
    classification = models.CharField(max_length=40)
    is_anonymous = models.BooleanField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    review_started_at = models.DateTimeField(null=True)
    review_closed_at = models.DateTimeField(null=True)
    # The review's answers ("" and [] while the event has no review).
    workflow_origin = models.CharField(max_length=40, blank=True)
    workflow_detected = models.CharField(max_length=40, blank=True)
    # An incident that reached the patient although a barrier is recorded as catching it ("caught part-way").
    caught_partway = models.BooleanField()
    # The review's three lists in one, each code prefixed by its kind ("d:" role that detected, "c:" barrier that
    # caught, "f:" barrier that failed): the dashboard unnests one short array per event instead of three.
    codes = models.JSONField(default=list)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    reporter_visible = False

    class Meta:
        indexes = [models.Index(fields=["agreement", "event_date"], name="localfact_agreement_date")]

    def __str__(self):
        return f"Local fact of {self.event_id}"


class FollowUpLink(models.Model):
    """An anonymous reporter's private way back to their event: only a hash of the secret is stored."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="follow_up_link")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"
    reporter_visible = False

    def __str__(self):
        return f"Follow-up link of {self.event_id}"


class FollowUpMessage(models.Model):
    """One message of an event's conversation between its reviewers or investigator and its reporter.

    A reporter's message on an anonymous event has no author: who answered through the link is never stored.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="follow_up_messages")
    from_reporter = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"
    owner_field = "event__submitted_by"
    link_path = "event__follow_up_link__token_hash"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "created_at"])]

    def __str__(self):
        return f"Message on {self.event_id} at {self.created_at:%Y-%m-%d %H:%M}"


class EventFeedback(models.Model):
    """What the reviewers chose to share with the reporter once the review is finished (no patient details)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="feedback")
    summary = models.TextField(_("what we found"), max_length=4000, blank=True)
    lessons = models.TextField(_("lessons learned"), max_length=4000, blank=True)
    actions = models.TextField(_("actions taken"), max_length=4000, blank=True)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"
    owner_field = "event__submitted_by"
    link_path = "event__follow_up_link__token_hash"

    def __str__(self):
        return f"Feedback on {self.event_id}"


class EventTechnique(models.Model):
    """One treatment technique of an event (a row each, so the queue can filter on any database)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="techniques")
    technique = models.CharField(max_length=40, choices=TreatmentTechnique.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "technique"], name="event_technique_unique")]

    def __str__(self):
        return self.get_technique_display()


class ReferenceCounter(models.Model):
    """The last reference sequence number handed out per practice and year (locked while incremented)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "year"], name="reference_counter_unique")]

    def __str__(self):
        return f"{self.practice_id}/{self.year}: {self.last}"


def draft_cutoff(now=None):
    """Drafts last changed before this moment have expired (settings.DRAFT_RETENTION_DAYS)."""
    return (now or timezone.now()) - timezone.timedelta(days=settings.DRAFT_RETENTION_DAYS)


class DraftQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(updated_at__lt=draft_cutoff(now))


class Draft(models.Model):
    """A named reporter's half-written event (form fields as JSON), so no report is lost to a timeout.

    Shared general logins never get one: many people use the same login. Deleted on a successful submit,
    and by a daily job once it has not changed for DRAFT_RETENTION_DAYS (it is never restored after that).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_draft")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = DraftQuerySet.as_manager()

    def __str__(self):
        return f"Draft of {self.user_id} ({self.updated_at:%Y-%m-%d %H:%M})"

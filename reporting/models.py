"""The outbox (practice side) and the PSO aggregate store (its own database, no foreign keys across)."""

from django.db import models
from django.utils import timezone

from practices.models import PSO


class Submission(models.Model):
    """Outbox row: one de-identified record to deliver to a PSO, written in the reporting transaction."""

    pso = models.ForeignKey(PSO, on_delete=models.PROTECT, related_name="submissions")
    agreement_id = models.BigIntegerField(db_index=True)  # for participation counts; no FK to keep layers apart
    event_key = models.CharField(max_length=64)
    revision = models.PositiveIntegerField()
    record = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    pushed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "revision"], name="submission_key_revision_unique"),
        ]
        indexes = [models.Index(fields=["pushed_at", "next_attempt_at"], name="submission_pending_idx")]

    def __str__(self):
        return f"{self.event_key[:10]} r{self.revision} -> {self.pso_id}"


class StoreRecord(models.Model):
    """One de-identified event in the PSO aggregate store (latest revision only)."""

    pso_store = True  # routed to the "pso" database by roils.routers

    pso_id = models.BigIntegerField()
    event_key = models.CharField(max_length=64)
    revision = models.PositiveIntegerField()
    practice_key = models.CharField(max_length=64, db_index=True)
    facility_key = models.CharField(max_length=64)
    quarter = models.CharField(max_length=6)  # "2026Q3": the only time resolution that leaves the practice
    classification = models.CharField(max_length=40)
    techniques = models.JSONField(default=list)
    workflow_noticed = models.CharField(max_length=40, blank=True)
    workflow_origin = models.CharField(max_length=40, blank=True)
    workflow_detected = models.CharField(max_length=40, blank=True)
    problem_type = models.CharField(max_length=40, blank=True)
    problem_types_secondary = models.JSONField(default=list)
    patients_affected = models.CharField(max_length=20, blank=True)
    harm = models.CharField(max_length=20, blank=True)
    medical_severity = models.PositiveSmallIntegerField(null=True)
    dosimetric_severity = models.PositiveSmallIntegerField(null=True)
    dose_deviation_percent = models.FloatField(null=True)
    contributing_factors = models.JSONField(default=list)
    barriers_failed = models.JSONField(default=list)
    barriers_caught = models.JSONField(default=list)
    corrective_actions = models.JSONField(default=list)
    ameliorating_actions = models.JSONField(default=list)
    equipment_related = models.BooleanField(default=False)
    equipment_manufacturer = models.CharField(max_length=100, blank=True)
    equipment_model = models.CharField(max_length=100, blank=True)
    software_version = models.CharField(max_length=50, blank=True)
    age_range = models.CharField(max_length=20, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    reporter_role = models.CharField(max_length=40, blank=True)
    possibly_reportable = models.BooleanField(default=False)
    narrative = models.TextField(blank=True)  # scrubbed
    lessons_learned = models.TextField(blank=True)  # scrubbed
    taxonomy_version = models.CharField(max_length=20)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pso_id", "event_key"], name="store_record_key_unique")]
        indexes = [
            models.Index(fields=["pso_id", "quarter"], name="store_pso_quarter_idx"),
            models.Index(fields=["pso_id", "practice_key"], name="store_pso_practice_idx"),
        ]

    def __str__(self):
        return f"{self.event_key[:10]} r{self.revision}"

"""The outbox (practice side) and the PSO aggregate store (its own database, no foreign keys across)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from practices.choices import PSORole
from practices.models import PSO
from practices.scoping import ANALYST_ACTIONS, ScopedQuerySet

PSO_MEMBERS = (PSORole.STAFF, PSORole.ANALYST)


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
    next_attempt_at = models.DateTimeField(default=timezone.now)  # when the sweeper may (re)send it

    # PSO staff reach their PSO's rows (action "enrol"); full-access users their agreements' rows.
    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement_id"
    pso_path = "pso"
    reporter_visible = False

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Per PSO: the same event revision sent to two PSOs is two deliveries, never one merged row.
            models.UniqueConstraint(fields=["pso", "event_key", "revision"], name="submission_pso_key_revision_unique"),
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

    # The PSO's analysts read its records: the scope filters the row's own pso_id, never a join (another database).
    objects = ScopedQuerySet.as_manager()
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pso_id", "event_key"], name="store_record_key_unique")]
        indexes = [
            models.Index(fields=["pso_id", "quarter"], name="store_pso_quarter_idx"),
            models.Index(fields=["pso_id", "practice_key"], name="store_pso_practice_idx"),
        ]

    def __str__(self):
        return f"{self.event_key[:10]} r{self.revision}"


# --- Dashboard rollups (PSO store) and themes (practice side); owned by the dashboards -----------------
# Rollup rows are counts kept current by reporting.rollups.apply_record_change on every store change.
# Composite primary keys: the key is what every upsert conflicts on, and no surrogate id is needed.


class RollupCube(models.Model):
    """Events per PSO, quarter, classification, technique ("*" = any), severity band and dimension value."""

    pso_store = True

    pk = models.CompositePrimaryKey(
        "pso_id", "technique", "dimension", "quarter", "classification", "severity", "value"
    )
    pso_id = models.BigIntegerField()
    technique = models.CharField(max_length=40)
    dimension = models.CharField(max_length=24)
    quarter = models.CharField(max_length=6)
    classification = models.CharField(max_length=40)
    severity = models.CharField(max_length=20)
    value = models.CharField(max_length=64)
    n = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()  # the PSO's analysts, by the row's own pso_id (as StoreRecord)
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    def __str__(self):
        return f"{self.dimension}={self.value} {self.quarter}: {self.n}"


class RollupFacility(models.Model):
    """Events per location, period ("all" or a year; quarters for the total only) and dimension value."""

    pso_store = True

    pk = models.CompositePrimaryKey("pso_id", "practice_key", "facility_key", "window", "dimension", "value")
    pso_id = models.BigIntegerField()
    practice_key = models.CharField(max_length=64)
    facility_key = models.CharField(max_length=64)
    window = models.CharField(max_length=6)
    dimension = models.CharField(max_length=24)
    value = models.CharField(max_length=64)
    n = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()  # the PSO's analysts, by the row's own pso_id (as StoreRecord)
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    def __str__(self):
        return f"{self.window} {self.dimension}={self.value}: {self.n}"


class RollupPractice(models.Model):
    """Events per practice, period ("all" or a year) and dimension value: the basis of contributor counts."""

    pso_store = True

    pk = models.CompositePrimaryKey("pso_id", "window", "practice_key", "dimension", "value")
    pso_id = models.BigIntegerField()
    window = models.CharField(max_length=6)
    practice_key = models.CharField(max_length=64)
    dimension = models.CharField(max_length=24)
    value = models.CharField(max_length=64)
    n = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()  # the PSO's analysts, by the row's own pso_id (as StoreRecord)
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    def __str__(self):
        return f"{self.window} {self.dimension}={self.value}: {self.n}"


class RollupBenchmark(models.Model):
    """PSO-wide events per period and dimension value, with the number of practices contributing to the cell."""

    pso_store = True

    pk = models.CompositePrimaryKey("pso_id", "window", "dimension", "value")
    pso_id = models.BigIntegerField()
    window = models.CharField(max_length=6)
    dimension = models.CharField(max_length=24)
    value = models.CharField(max_length=64)
    n = models.IntegerField(default=0)
    practices = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()  # the PSO's analysts, by the row's own pso_id (as StoreRecord)
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    def __str__(self):
        return f"{self.window} {self.dimension}={self.value}: {self.n} from {self.practices} practices"


class Theme(models.Model):
    """A lesson or pattern the PSO publishes to all its participating practices."""

    pso = models.ForeignKey(PSO, on_delete=models.PROTECT, related_name="themes")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    tags = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)  # contributing-factor / AAPM category codes
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # A theme drafted from a safety signal keeps its links: the signal and the store records behind it (PSO store
    # ids: no foreign keys across databases).
    source_signal_id = models.BigIntegerField(null=True, blank=True)
    source_record_ids = models.JSONField(default=list, blank=True)

    # A theme belongs to a PSO, not to one agreement: every practice of that PSO reads it once it is published;
    # the PSO's staff and analysts read and edit all of its themes, drafts included.
    objects = ScopedQuerySet.as_manager()
    tenant_pso_path = "pso"
    tenant_actions = ("view",)
    published_field = "published_at"
    pso_path = "pso"
    pso_actions = {"view": PSO_MEMBERS, "manage": PSO_MEMBERS}
    shared_within_pso = True

    class Meta:
        ordering = ["-published_at", "-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()


# --- The analyst's coding (PSO store) and saved searches (practice side) ------------------------------------


class RecordTag(models.Model):
    """An analyst's label on a store record ("wrong-shift", "follow-up"), kept per PSO."""

    pso_store = True

    pso_id = models.BigIntegerField()
    record = models.ForeignKey(StoreRecord, on_delete=models.CASCADE, related_name="tags")
    label = models.CharField(max_length=40)
    created_by_id = models.BigIntegerField(null=True)  # a practice-side user id: no foreign key across databases
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()  # the PSO's analysts, by the row's own pso_id (as StoreRecord)
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["record", "label"], name="record_tag_unique")]
        indexes = [models.Index(fields=["pso_id", "label"], name="record_tag_pso_label_idx")]

    def __str__(self):
        return self.label


class RecordNote(models.Model):
    """An analyst's note on a store record, read by the PSO's analysts only."""

    pso_store = True

    pso_id = models.BigIntegerField()
    record = models.ForeignKey(StoreRecord, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(max_length=4000)
    author_id = models.BigIntegerField(null=True)
    author_name = models.CharField(max_length=150, blank=True)  # kept: the author lives in the other database
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"note on {self.record_id}"


class SavedSearch(models.Model):
    """A named record search (its query string) that the analysts of one PSO share."""

    pso = models.ForeignKey(PSO, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    pso_path = "pso"
    pso_actions = ANALYST_ACTIONS

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class SafetySignal(models.Model):
    """A cluster no single practice can see: one problem type, device or process step reported by several practices
    in one quarter, or a practice's quarter well above its own baseline. Found by the beat job `signals_detect`."""

    pso_store = True

    class Kind(models.TextChoices):
        PROBLEM_TYPE = "problem_type", "Problem type"
        EQUIPMENT = "equipment", "Device (manufacturer and model)"
        PROCESS_STEP = "process_step", "Process step where it originated"
        RATE_RISE = "rate_rise", "Rise above a practice's own baseline"

    pso_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=210)  # the code, "manufacturer / model", or the practice's pseudonym
    quarter = models.CharField(max_length=6)
    practices = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    baseline = models.FloatField(null=True)  # rate rise: the practice's mean per quarter before
    record_ids = models.JSONField(default=list)  # the store records behind it (newest first, capped)
    active = models.BooleanField(default=True)  # False once a later run no longer finds it
    theme_id = models.BigIntegerField(null=True)  # the draft theme made from it (practice side)
    detected_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()  # the PSO's analysts, by the row's own pso_id (as StoreRecord)
    pso_path = "pso_id"
    pso_actions = ANALYST_ACTIONS

    class Meta:
        ordering = ["-quarter", "-practices", "-records", "id"]
        constraints = [
            # One row per finding: the beat job upserts on it, so running it twice changes nothing.
            models.UniqueConstraint(fields=["pso_id", "kind", "value", "quarter"], name="safety_signal_key_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value} ({self.quarter})"


class RecordQuery(models.Model):
    """An analyst's question about one store record, routed back to the reporting practice by the event's
    pseudonymous key (the outbox row knows its agreement; the PSO never does), and the practice's answer."""

    pso = models.ForeignKey(PSO, on_delete=models.PROTECT, related_name="record_queries")
    agreement_id = models.BigIntegerField(db_index=True)  # from the outbox row; never shown to the PSO
    event_key = models.CharField(max_length=64, db_index=True)
    store_record_id = models.BigIntegerField()  # the analyst's link back (PSO store id)
    question = models.TextField(max_length=2000)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True, max_length=4000)  # scrubbed: it leaves the practice
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    # The practice's full-access reviewers answer (action "review"); the PSO's analysts ask and read ("analyse").
    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement_id"
    tenant_actions = ("review",)
    reporter_visible = False
    pso_path = "pso"
    pso_actions = ANALYST_ACTIONS

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self):
        return f"question on {self.event_key[:10]}"


# --- The read API's tokens (practice side: they belong to a PSO and are made by its staff) -----------------


class ApiToken(models.Model):
    """A PSO's token for the read-only JSON API: only a hash of its secret is kept, with its scopes and last use."""

    class Scope(models.TextChoices):
        RECORDS = "records:read", "Records: the de-identified records and their search"
        ROLLUPS = "rollups:read", "Rollups: the dashboards' totals, breakdowns and trend"

    pso = models.ForeignKey(PSO, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)  # the secret's first characters, so staff can tell tokens apart
    secret_hash = models.CharField(max_length=64, unique=True)  # SHA-256 hex of the whole secret
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveBigIntegerField(default=0)  # one UPDATE per request, no row per use
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    # The PSO's staff list, make and revoke its tokens (the default staff actions, "view" and "enrol").
    objects = ScopedQuerySet.as_manager()
    pso_path = "pso"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

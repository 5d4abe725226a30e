"""The Submit Event form: validation and help texts only; the view hands cleaned data to `event_submit`."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django import forms
from django.utils import timezone

from foundation.formfields import BLANK_LABEL, FIELD_HELPER, ChoiceField, MultipleChoiceField
from foundation.forms import Form
from foundation.scrubber import KINDS, find_identifiers
from foundation.taxonomy.events import (
    CLASSIFICATION_HELP,
    AgeRange,
    EventClassification,
    PatientSex,
    ReporterRole,
    TreatmentTechnique,
    WorkflowStep,
    active_choices,
)
from practices.models import Coverage
from practices.scoping import user_access

from .models import NARRATIVE_MAX_LENGTH
from .selectors import coverage_labels, coverages_for_submit, last_reporter_role
from .widgets import CheckboxCards, RadioCards

OLD_EVENT_YEARS = 2
RADIO_MAX = 6  # more facilities than this become a drop-down list
SLACK = dt.timedelta(minutes=10)  # clocks differ: "just now" must never count as the future
CLASSIFICATION_HELPS = {str(value): str(text) for value, text in CLASSIFICATION_HELP.items()}


def years_ago(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def identifiers_digest(findings) -> str:
    """A short fingerprint of what the privacy check found; a confirmation counts only for the same findings."""
    text = "\n".join(f"{f.kind}:{f.text}" for f in findings)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def describe_findings(findings) -> list[dict]:
    """Findings as the reporter sees them: the kind in words and the text that looks like an identifier."""
    return [{"kind": f.kind, "label": KINDS.get(f.kind, f.kind.lower()), "text": f.text} for f in findings[:20]]


def _blank(*choices):
    return [("", BLANK_LABEL), *choices]


class CoverageField(ChoiceField):
    """Choices are the user's facilities; `EventForm.clean_coverage` explains a value outside them."""

    def validate(self, value):
        forms.Field.validate(self, value)


class EventForm(Form):
    """Under ten questions; every one carries a line of help. The facility list comes from the user's scope."""

    helper = FIELD_HELPER

    coverage = CoverageField(
        label="Facility", help_text="Where the event happened or was found.",
        error_messages={"required": "Choose the facility where it happened."},
    )
    sub_location = forms.CharField(
        label="Area or room (optional)", required=False, max_length=100,
        help_text="For example Vault 2, CT simulator or front desk.",
    )
    classification = ChoiceField(
        label="What kind of event was it?",
        widget=RadioCards(check_class="ms-3 my-0 py-2 pe-3", label_class="fw-semibold", helps=CLASSIFICATION_HELPS),
        choices=active_choices(EventClassification),
        help_text="Pick the closest match; a reviewer can change it later.",
        error_messages={"required": "Choose the kind of event."},
    )
    narrative = forms.CharField(
        label="What happened?", widget=forms.Textarea(attrs={"rows": 7}), strip=True,
        help_text="In plain words and in order: what happened, how it was noticed, what was done. "
                  "No patient names, record numbers or dates of birth.",
        error_messages={"required": "Describe what happened."},
    )
    techniques = MultipleChoiceField(
        label="Treatment technique(s)", widget=CheckboxCards(check_class="ms-3 my-1 py-2 pe-2", grid=True),
        choices=active_choices(TreatmentTechnique),
        help_text="Tick every technique involved, or 'Not applicable'.",
        error_messages={"required": "Tick at least one technique, or 'Not applicable'."},
    )
    event_date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When it happened or was discovered. Today is filled in: change it if it was another day.",
        error_messages={"required": "Enter the date it happened or was discovered.",
                        "invalid": "Enter a date such as 2026-03-01."},
    )
    event_time = forms.TimeField(
        label="Time (optional)", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Leave empty if you are not sure.",
    )
    confirm_old_date = forms.BooleanField(
        label="Yes, this event really is more than two years old", required=False,
    )
    workflow_step_noticed = ChoiceField(
        label="Workflow step where it was noticed (optional)", required=False,
        choices=_blank(*active_choices(WorkflowStep)),
        help_text="The step of the treatment process during which someone noticed it.",
    )
    age_range = ChoiceField(
        label="Patient age range", required=False, choices=active_choices(AgeRange), initial=AgeRange.UNKNOWN,
        help_text="The band only; leave 'Unknown / not applicable' if no patient was involved.",
    )
    patient_sex = ChoiceField(
        label="Patient sex", required=False, choices=active_choices(PatientSex), initial=PatientSex.UNKNOWN,
        help_text="Leave 'Unknown / not applicable' if no patient was involved.",
    )
    reporter_role = ChoiceField(
        label="Your role", choices=_blank(*active_choices(ReporterRole)),
        help_text="Asked even of anonymous reporters: it helps reviewers understand the report.",
        error_messages={"required": "Choose your role."},
    )
    stay_anonymous = forms.BooleanField(
        label="Stay anonymous to reviewers", required=False,
        help_text="Your login and name are not stored with the report. "
                  "Anonymous reports cannot be followed up and do not appear in My submissions.",
    )
    reporter_name = forms.CharField(
        label="Your name for follow-up (optional)", required=False, max_length=150,
        help_text="Reviewers see this name so they can ask you about the event.",
    )
    confirm_no_identifiers = forms.CharField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        self.identifier_findings: list = []
        self.identifier_digest = ""
        super().__init__(*args, **kwargs)
        self.coverages = list(coverages_for_submit(user=user))
        self.coverage_by_value = {str(c.pk): c for c in self.coverages}
        labels = coverage_labels(self.coverages)
        field = self.fields["coverage"]
        field.choices = [(str(c.pk), labels[c.pk]) for c in self.coverages]
        if len(self.coverages) <= RADIO_MAX:
            field.widget = RadioCards(choices=field.choices, check_class="ms-3 my-0 py-3 pe-3")
        else:
            field.choices = _blank(*field.choices)
        if len(self.coverages) == 1:
            field.initial = str(self.coverages[0].pk)
        self.fields["event_date"].initial = timezone.localdate()
        self.fields["event_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["idempotency_key"].initial = uuid.uuid4()
        self.fields["narrative"].widget.attrs["maxlength"] = NARRATIVE_MAX_LENGTH
        if user.is_shared_login:
            # Many people share this login: its reports are always anonymous, so there is nothing to ask.
            del self.fields["stay_anonymous"], self.fields["reporter_name"]
        else:
            self.fields["reporter_name"].initial = user.get_full_name()
            if not self.is_bound:  # a posted form shows what was posted: its initial values are never used
                self.fields["reporter_role"].initial = last_reporter_role(user=user)

    @property
    def is_shared_login(self) -> bool:
        return bool(self.user.is_shared_login)

    def clean_coverage(self) -> Coverage:
        value = self.cleaned_data["coverage"]
        coverage = self.coverage_by_value.get(value)
        if coverage is not None:
            return coverage
        # Not one of the user's open facilities. Say why when it belongs to one of their own agreements.
        if value.isascii() and value.isdigit() and len(value) < 19:
            member_of = list(user_access(self.user).roles)
            own = Coverage.objects.filter(pk=int(value), agreement_id__in=member_of).select_related(
                "agreement__pso", "facility"
            ).first()
            if own is not None and not own.agreement.is_active:
                raise forms.ValidationError(
                    f"The agreement covering {own.facility} with {own.agreement.pso} is "
                    f"{own.agreement.get_state_display().lower()}: no events can be submitted under it. "
                    "Nothing was saved.", code="inactive_agreement",
                )
        raise forms.ValidationError("Choose one of your facilities from the list.", code="foreign_facility")

    def clean_narrative(self) -> str:
        # Browsers send line breaks as \r\n but count them as one character against maxlength.
        text = self.cleaned_data["narrative"].replace("\r\n", "\n").strip()
        if len(text) > NARRATIVE_MAX_LENGTH:
            raise forms.ValidationError(
                f"Keep the description to {NARRATIVE_MAX_LENGTH:,} characters (it has {len(text):,}). "
                "Reviewers can ask you for more detail later.", code="too_long",
            )
        return text

    def clean_techniques(self) -> list[str]:
        techniques = self.cleaned_data["techniques"]
        if TreatmentTechnique.NOT_APPLICABLE in techniques and len(techniques) > 1:
            raise forms.ValidationError("'Not applicable' cannot be combined with a technique.", code="exclusive")
        return techniques

    def clean_event_date(self) -> dt.date:
        day = self.cleaned_data["event_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.", code="future")
        return day

    def clean(self):
        data = super().clean()
        day, time = data.get("event_date"), data.get("event_time")
        today = timezone.localdate()
        if day and day < years_ago(today, OLD_EVENT_YEARS) and not data.get("confirm_old_date"):
            self.add_error("event_date", forms.ValidationError(
                "This date is more than two years ago. Check it, or tick the box below to confirm it.", code="old"
            ))
        if day == today and time and timezone.make_aware(dt.datetime.combine(day, time)) > timezone.now() + SLACK:
            self.add_error("event_time", forms.ValidationError("The time cannot be in the future.", code="future"))
        narrative = data.get("narrative")
        if narrative:
            findings = find_identifiers(narrative)
            if findings:
                self.identifier_findings = describe_findings(findings)
                self.identifier_digest = identifiers_digest(findings)
                if data.get("confirm_no_identifiers") != self.identifier_digest:
                    self.add_error("confirm_no_identifiers", forms.ValidationError(
                        "The description may contain patient identifiers. Edit them out, or confirm that "
                        "they are not patient identifiers.", code="identifiers",
                    ))
        if self.user.is_shared_login:
            data["stay_anonymous"], data["reporter_name"] = True, ""
        elif data.get("stay_anonymous"):
            data["reporter_name"] = ""
        return data


class FollowUpForm(Form):
    """One message of the follow-up conversation."""

    helper = FIELD_HELPER

    body = forms.CharField(label="Your answer", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Write your message."})

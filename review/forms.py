"""Forms of the review app: validation only; the views hand cleaned data to review.services."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from events.models import Event, EventFeedback
from foundation.formfields import (
    BLANK_LABEL,
    FIELD_HELPER,
    ChoiceField,
    ModelChoiceField,
    MultipleChoiceField,
    shared_choices_formfield,
)
from foundation.forms import Form, ModelForm
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import EventClassification, EventStatus, ReporterRole, active_choices
from foundation.taxonomy.glossary import FIELD_HELP
from practices.models import User

from .models import ActionItem, DeadlinePolicy, Location, Review, Verification
from .selectors import owner_candidates

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _tier_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Corrective-action choices grouped with each group's effectiveness tier in its label."""
    groups = []
    for label, options in rc.grouped_choices(rc.CORRECTIVE_ACTIONS):
        tier = rc.effectiveness(options[0][0])
        groups.append((f"{label} — {rc.EffectivenessTier(tier).label}" if tier else label, options))
    return groups


class ReportableSelect(forms.NullBooleanSelect):
    """The reviewer's override of the regulatory hint: unset follows the hint."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Follow the computed hint"), ("true", "Yes"), ("false", "No")]


class PickerField(MultipleChoiceField):
    """A multi-select rendered as the searchable, grouped checkbox picker (review/jinja2/review/picker.html)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, grouped, **kwargs):
        self.grouped = grouped
        self._options: dict[tuple, list] = {}  # shared by the copies of this field: see options()
        flat = [option for _group, options in grouped for option in options]
        super().__init__(choices=flat, required=False, **kwargs)

    def options(self, auto_id: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """[(group label, [(value, label, input id), ...]), ...]: what the picker's template loops over.

        The choices are constants, so this is worked out once per process, language and input id, not on every page.
        """
        key = (translation.get_language(), auto_id)
        groups = self._options.get(key)
        if groups is None:
            groups = self._options[key] = [
                (str(label), [(value, str(text), f"{auto_id}_{value.replace('.', '_')}") for value, text in options])
                for label, options in self.grouped
            ]
        return groups


class ReviewForm(ModelForm):
    """Every My Review answer; conditional questions are shown by review.js and enforced by the service."""

    helper = FIELD_HELPER

    classification = ChoiceField(choices=active_choices(EventClassification), label="Event classification")
    problem_types_secondary = PickerField(grouped=[("", rc.ProblemType.choices)], label="Secondary problem types")
    contributing_factors = PickerField(grouped=rc.grouped_choices(rc.CONTRIBUTING_FACTORS),
                                       label="Contributing factors")
    barriers_failed = PickerField(grouped=rc.grouped_choices(rc.SAFETY_BARRIERS), label="Safety barriers that failed")
    barriers_caught = PickerField(grouped=rc.grouped_choices(rc.SAFETY_BARRIERS),
                                  label="Safety barriers that caught it")
    ameliorating_actions = PickerField(grouped=rc.ameliorating_grouped_choices(), label="Ameliorating actions")
    detected_roles = PickerField(grouped=[("", ReporterRole.choices)], label="Roles that detected it")
    involved_roles = PickerField(grouped=[("", ReporterRole.choices)], label="Roles involved")
    staff_support = PickerField(grouped=[("", rc.StaffSupport.choices)], label="Staff support offered")
    possibly_reportable = forms.NullBooleanField(
        label="Possibly reportable to a regulator", widget=ReportableSelect, required=False
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Review
        formfield_callback = shared_choices_formfield
        fields = [
            "title", "workflow_origin", "workflow_detected", "problem_type", "patients_affected", "harm",
            "medical_severity", "dosimetric_severity", "dose_deviation_percent", "fraction_deviation_percent",
            "prescribed_dose_gy", "fractions_prescribed", "fractions_incorrect", "equipment_related",
            "equipment_manufacturer", "equipment_model", "software_version", "lessons_learned", "reviewer_notes",
            "wrong_modality", "regulatory_regime", "regulatory_criteria", "notified_regulator_at",
            "written_report_due", "patient_notified_at", "occurred_date", "treatment_site", "treatment_intent",
            "latent_harm", "isotope", "applicator", "source_activity", "location", "location_other",
            "hospital_incident_number", "near_miss_risk",
        ]
        widgets = {
            "lessons_learned": forms.Textarea(attrs={"rows": 4}),
            "reviewer_notes": forms.Textarea(attrs={"rows": 4}),
            "regulatory_criteria": forms.Textarea(attrs={"rows": 2}),
            "notified_regulator_at": DATETIME_INPUT,
            "patient_notified_at": DATETIME_INPUT,
            "written_report_due": DATE_INPUT,
            "occurred_date": DATE_INPUT,
        }
        help_texts = {
            "lessons_learned": "What another clinic could learn. Sent to the PSO after scrubbing identifiers.",
            "reviewer_notes": "Internal notes; they stay in the practice.",
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        review = self.instance
        self.fields["classification"].initial = event.classification
        self.fields["expected_version"].initial = review.lock_version
        for name in ("problem_types_secondary", "contributing_factors", "barriers_failed", "barriers_caught",
                     "ameliorating_actions", "detected_roles", "involved_roles", "staff_support"):
            self.fields[name].initial = list(getattr(review, name) or [])
        self.fields["possibly_reportable"].initial = review.possibly_reportable
        self.fields["patients_affected"].choices = [
            ("", BLANK_LABEL), *[(v, lbl) for v, lbl in rc.PatientsAffected.choices if v != rc.PatientsAffected.NONE]
        ]
        for name in ("harm", "medical_severity", "dosimetric_severity"):
            self.fields[name].help_text = FIELD_HELP[name]  # the glossary's words (foundation/taxonomy/glossary.py)
        # The practice's own list (kept on the Locations page); a retired one stays selectable where it was chosen.
        self.fields["location"].queryset = Location.objects.filter(
            Q(is_active=True) | Q(pk=review.location_id or 0), agreement_id=event.agreement_id
        )
        self.fields["location"].help_text = "Your practice's list of places; use “other location” if it is missing."
        self.fields["hospital_incident_number"].help_text = "The number in your institution's own incident system."

    def clean_occurred_date(self):
        occurred = self.cleaned_data.get("occurred_date")
        if occurred and occurred > timezone.localdate():
            raise forms.ValidationError("The date it occurred cannot be in the future.")
        return occurred

    def service_data(self) -> dict:
        """The cleaned answers, as review_save takes them."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}
        return data


def _offer(field, owners: QuerySet[User] | None, *, event: Event, user) -> None:
    """The people a field offers: `owners`, owner_candidates(event.agreement_id, user=user) as the view built it (one
    page's two forms then build and read it once, its rows kept in its result cache), or that selector's own."""
    field.queryset = owner_candidates(event.agreement_id, user=user) if owners is None else owners
    field.rows = owners


class ActionItemForm(ModelForm):
    """A new corrective or preventive action; its owner is a named user of the event's agreement."""

    helper = FIELD_HELPER

    action_type = ChoiceField(label="Type of action", choices=[("", BLANK_LABEL), *_tier_groups()])

    class Meta:
        model = ActionItem
        formfield_callback = shared_choices_formfield
        fields = ["action_type", "description", "owner", "due_date"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_date": DATE_INPUT}
        error_messages = {"owner": {"required": "Choose who owns this action."},
                          "due_date": {"required": "Set a due date."}}

    def __init__(self, *args, event: Event, user, owners: QuerySet[User] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        _offer(self.fields["owner"], owners, event=event, user=user)
        self.fields["due_date"].help_text = "Today or later."

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        changed = self.instance.pk is None or due != self.instance.due_date
        if due and changed and due < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return due


class NewActionForm(ActionItemForm):
    """A new action: a full-access user may give it to someone without a login (who is invited as a reporter)."""

    new_owner_name = forms.CharField(label="Or someone without a login: name", max_length=150, required=False)
    new_owner_email = forms.EmailField(label="Their e-mail address", max_length=254, required=False,
                                       help_text="They get a reporter login and a link to choose their password.")

    def __init__(self, *args, can_invite: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_invite = can_invite
        if can_invite:
            self.fields["owner"].required = False
        else:
            del self.fields["new_owner_name"], self.fields["new_owner_email"]

    def clean(self):
        data = super().clean()
        if self.can_invite and "new_owner_email" not in self.errors and "owner" not in self.errors:
            new = (data.get("new_owner_name") or "").strip() or (data.get("new_owner_email") or "").strip()
            if data.get("owner") is None and not new:
                self.add_error("owner", "Choose who owns this action.")
            elif data.get("owner") is not None and new:
                self.add_error("new_owner_email", "Choose an owner from the list or name a new one, not both.")
            elif new and not ((data.get("new_owner_name") or "").strip() and data.get("new_owner_email")):
                self.add_error("new_owner_email", "Give the new owner's name and e-mail address.")
        return data


class ActionItemUpdateForm(ActionItemForm):
    """Progress on an action: the same fields plus its status and what was done."""

    class Meta(ActionItemForm.Meta):
        fields = ["action_type", "description", "owner", "due_date", "status", "completion_note"]
        widgets = {**ActionItemForm.Meta.widgets, "completion_note": forms.Textarea(attrs={"rows": 2})}


class TransitionForm(Form):
    """One status change; the service decides whether it is allowed."""

    to = forms.CharField(max_length=40)
    expected_status = ChoiceField(choices=EventStatus.choices, required=False)
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Why is this event invalid?")
    duplicate_of = ModelChoiceField(
        queryset=Event.objects.none(), required=False, to_field_name="reference", widget=forms.TextInput,
        label="Reference of the event it duplicates",
        error_messages={"invalid_choice": "No event with that reference in this practice agreement."},
    )

    def __init__(self, *args, event: Event, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import duplicate_candidates

        self.fields["duplicate_of"].queryset = duplicate_candidates(event, user=user)


class ReportForm(Form):
    """The reviewer's last check before the record leaves the practice."""

    confirmed = forms.BooleanField(
        label="I have read this record: it holds no patient identifier.",
        error_messages={"required": "Confirm that this record holds no patient identifier."},
    )


class InvestigatorForm(Form):
    """Whom a full-access user asks to investigate the event: a named, active login of its agreement."""

    helper = FIELD_HELPER

    user = ModelChoiceField(queryset=None, label="Investigator", empty_label=BLANK_LABEL,
                            error_messages={"required": "Choose who investigates this event.",
                                            "invalid_choice": "Choose a named, active login of this agreement."})

    def __init__(self, *args, event: Event, user, owners: QuerySet[User] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer(self.fields["user"], owners, event=event, user=user)
        self.fields["user"].help_text = ("They will see this event and its review only, not the queue; "
                                         "they do not take a full-access seat.")


class ProgressForm(Form):
    """The owner's progress on an action: a note, evidence of completion, and whether it is done."""

    helper = FIELD_HELPER

    note = forms.CharField(label="Progress note", max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="Evidence of completion", required=False,
                               help_text="Optional: a PDF, a picture (PNG, JPEG, GIF) or a text file, up to 10 MB.")
    mark_done = forms.BooleanField(label="The action is done", required=False)

    def clean_evidence(self):
        from .services import evidence_check

        upload = self.cleaned_data.get("evidence")
        if upload:
            try:
                evidence_check(upload)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["evidence"]) from None
        return upload or None

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("note") or "").strip() and not data.get("evidence") and not data.get(
                "mark_done"):
            raise forms.ValidationError("Write a progress note, attach evidence or mark the action done.")
        return data


class VerifyForm(Form):
    """A full-access user's verdict on a completed action, which closes it."""

    helper = FIELD_HELPER

    verification = ChoiceField(label="Was the action effective?", choices=Verification.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choose whether the action was effective."})
    note = forms.CharField(label="Verification note", max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AskForm(Form):
    """A question to the event's reporter (without changing the event's status)."""

    helper = FIELD_HELPER

    body = forms.CharField(label="Question or message for the reporter", max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": "Write your message."})


class FeedbackForm(ModelForm):
    """What the reporter is shown once the review is finished: no patient details."""

    helper = FIELD_HELPER

    class Meta:
        model = EventFeedback
        fields = ["summary", "lessons", "actions"]
        labels = {"lessons": "Lessons to share with the reporter"}
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in ("summary", "lessons", "actions")}


WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]


class DeadlinePolicyForm(ModelForm):
    """A practice's review deadlines in working days, its weekend days and its holidays."""

    helper = FIELD_HELPER

    weekend = forms.TypedMultipleChoiceField(label="Weekend days (not working days)", choices=WEEKDAYS, coerce=int,
                                             required=False, widget=forms.CheckboxSelectMultiple)
    holiday_dates = forms.CharField(label="Holidays", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text="One date per line, as YYYY-MM-DD.")

    class Meta:
        model = DeadlinePolicy
        fields = ["priority_start_days", "priority_finish_days", "other_start_days", "other_finish_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekend"].initial = self.instance.weekend_days if self.instance.pk else [5, 6]
        self.fields["holiday_dates"].initial = "\n".join(self.instance.holidays or [])

    def clean_weekend(self):
        days = sorted(set(self.cleaned_data.get("weekend") or []))
        if len(days) > 5:
            raise forms.ValidationError("Leave at least two working days in the week.")
        return days

    def clean_holiday_dates(self):
        import datetime as dt

        dates, bad = set(), []
        for line in (self.cleaned_data.get("holiday_dates") or "").split():
            try:
                dates.add(dt.date.fromisoformat(line.strip()).isoformat())
            except ValueError:
                bad.append(line.strip()[:20])
        if bad:
            raise forms.ValidationError(f"Not a date (YYYY-MM-DD): {', '.join(bad[:5])}.")
        if len(dates) > 400:
            raise forms.ValidationError("List at most 400 holidays.")
        return sorted(dates)

    def clean(self):
        data = super().clean()
        for kind in ("priority", "other"):
            start, finish = data.get(f"{kind}_start_days"), data.get(f"{kind}_finish_days")
            if start is not None and finish is not None and finish < start:
                self.add_error(f"{kind}_finish_days", "Finishing cannot be due before starting.")
        return data

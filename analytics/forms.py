"""Forms of the local analytics: validation only; every choice comes from the user's own scope."""

from __future__ import annotations

import datetime as dt

from django import forms

from foundation.formfields import BLANK_LABEL, ChoiceField, TypedChoiceField
from foundation.forms import Form

from .selectors import NOT_RECORDED, STEP_CODES, LocalFilters, default_period

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STEP_CHOICES = [(code, code) for code in STEP_CODES]
MAX_PERIOD_DAYS = 3660


def _bootstrap(form: forms.Form) -> None:
    for f in form.fields.values():
        f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")


class LocalFilterForm(Form):
    """Location (one or all) and a period of event dates; an invalid filter falls back to the default period."""

    facility = TypedChoiceField(label="Location", coerce=int, required=False, empty_value=None)
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="To", required=False, widget=DATE)

    def __init__(self, data, *, facilities: list[tuple[int, str]]):
        start, end = default_period()
        super().__init__(data, initial={"date_from": start, "date_to": end})
        self.fields["facility"].choices = [("", "All locations"), *facilities]
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start of the period must not be after its end.")
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError("Choose a period of at most ten years.")
        return data

    def filters(self) -> LocalFilters:
        """The chosen filters, or the default period (last twelve months, all locations) where they are invalid."""
        start, end = default_period()
        if not self.is_valid():
            return LocalFilters(start, end)
        data = self.cleaned_data
        end = data.get("date_to") or end
        start = data.get("date_from") or min(start, end - dt.timedelta(days=364))
        return LocalFilters(start, end, data.get("facility"))


class CellForm(LocalFilterForm):
    """One cell of the origin × detection cross-table, under the dashboard's filters."""

    origin = ChoiceField(choices=STEP_CHOICES)
    detected = ChoiceField(choices=STEP_CHOICES)


class TreatmentVolumeForm(Form):
    """Patients treated at one location in one month."""

    coverage = TypedChoiceField(label="Location", coerce=int)
    month = forms.DateField(label="Month", input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            help_text="The month treated, as YYYY-MM.")  # fmt: skip
    patients_treated = forms.IntegerField(
        label="Patients treated",
        min_value=0,
        max_value=1_000_000,
        help_text="Distinct patients on treatment that month.",
    )

    def __init__(self, *args, coverages: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coverage"].choices = [("", BLANK_LABEL), *coverages]
        _bootstrap(self)

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > dt.date.today().replace(day=1):
            raise forms.ValidationError("The month cannot be in the future.")
        return month


__all__ = ["NOT_RECORDED", "CellForm", "LocalFilterForm", "TreatmentVolumeForm"]

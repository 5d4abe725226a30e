"""Forms of the dashboards and themes: validation only; every choice comes from the user's own scope."""

from __future__ import annotations

from django import forms

from foundation.formfields import CheckboxPicker
from foundation.forms import Form, ModelForm
from foundation.taxonomy.events import EventClassification, TreatmentTechnique
from foundation.taxonomy.review import CONTRIBUTING_FACTORS, AapmCategory, grouped_choices
from practices.models import PSO

from .dashboards import SEVERITY_CHOICES, DashboardFilters, PracticeFilters, PracticeScope, period_label
from .models import ApiToken, Theme
from .rollups import ALL_TIME


def _quarter_label(quarter: str) -> str:
    return f"{quarter[:4]} Q{quarter[5]}"


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on the plain (non-crispy) filter forms."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select")


class PSODashboardFilterForm(Form):
    """The analyst's filters (GET): PSO, quarter range, technique, classification and severity band."""

    pso = forms.TypedChoiceField(label="PSO", coerce=int, required=False)
    quarter_from = forms.ChoiceField(label="From quarter", required=False)
    quarter_to = forms.ChoiceField(label="To quarter", required=False)
    technique = forms.ChoiceField(
        label="Treatment technique", required=False, choices=[("", "Any technique"), *TreatmentTechnique.choices]
    )
    classification = forms.ChoiceField(
        label="Classification", required=False, choices=[("", "Any classification"), *EventClassification.choices]
    )
    severity = forms.ChoiceField(
        label="Medical severity", required=False, choices=[("", "Any severity"), *SEVERITY_CHOICES]
    )

    def __init__(self, data, *, psos, quarters: list[str]):
        super().__init__(data)
        self.fields["pso"].choices = [(p.pk, p.name) for p in psos]
        if len(psos) < 2:
            self.fields["pso"].widget = forms.HiddenInput()
        quarter_choices = [(q, _quarter_label(q)) for q in quarters]
        self.fields["quarter_from"].choices = [("", "Earliest"), *quarter_choices]
        self.fields["quarter_to"].choices = [("", "Latest"), *quarter_choices]
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("quarter_from"), data.get("quarter_to")
        if start and end and start > end:
            self.add_error(None, "The first quarter must not be after the last.")
            data.pop("quarter_from"), data.pop("quarter_to")
        return data

    def filters(self) -> DashboardFilters:
        """The valid filters; an invalid field counts as "any" so the page still answers."""
        self.is_valid()
        data = self.cleaned_data
        return DashboardFilters(
            quarter_from=data.get("quarter_from", ""),
            quarter_to=data.get("quarter_to", ""),
            technique=data.get("technique", ""),
            classification=data.get("classification", ""),
            severity=data.get("severity", ""),
        )


class RecordSearchForm(PSODashboardFilterForm):
    """The analyst's record search (GET): the dashboard's filters and words to find in narratives and lessons."""

    q = forms.CharField(
        label="Search narratives and lessons",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "placeholder": "e.g. wrong shift"}),
        help_text='Words to find; "a phrase" in quotes, -word to exclude.',
    )

    tag = forms.CharField(
        label="Tagged", required=False, max_length=40, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    field_order = ["q", "tag", "pso", "quarter_from", "quarter_to", "technique", "classification", "severity"]

    def __init__(self, data, *, psos, quarters: list[str]):
        super().__init__(data, psos=psos, quarters=quarters)
        self.order_fields(self.field_order)

    def clean_tag(self):
        from .coding import normalise_tag

        return normalise_tag(self.cleaned_data["tag"]) if self.cleaned_data["tag"] else ""

    def search_text(self) -> str:
        """The valid search words ("" when none or too long)."""
        self.is_valid()
        return self.cleaned_data.get("q", "")

    def tag_label(self) -> str:
        """The valid tag filter ("" for any)."""
        self.is_valid()
        return self.cleaned_data.get("tag", "")


class RecordTagForm(Form):
    """A tag for a record."""

    label = forms.CharField(label="Add a tag", max_length=40, widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean_label(self):
        from .coding import normalise_tag

        return normalise_tag(self.cleaned_data["label"])


class RecordNoteForm(Form):
    """An analyst's note on a record."""

    body = forms.CharField(
        label="Add a note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class RecordQuestionForm(Form):
    """An analyst's question to the reporting practice."""

    question = forms.CharField(
        label="Ask the practice", max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class RecordAnswerForm(Form):
    """The practice's answer to a question of its PSO."""

    answer = forms.CharField(label="Answer", max_length=4000, widget=forms.Textarea)


class SavedSearchForm(Form):
    """Save the current record search under a name (the query string comes from the page)."""

    name = forms.CharField(
        label="Name this search", max_length=80, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput())
    pso = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput())

    def __init__(self, data=None, *, psos: list[PSO], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["pso"].queryset = PSO.objects.filter(pk__in=[p.pk for p in psos])


class PracticeDashboardForm(Form):
    """The practice's filters (GET): which agreement, which location (or all), which period."""

    agreement = forms.TypedChoiceField(label="Agreement", coerce=int, required=False)
    facility = forms.ChoiceField(label="Location", required=False)
    period = forms.ChoiceField(label="Period", required=False)

    def __init__(self, data, *, scopes: list[PracticeScope], scope: PracticeScope, periods: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["agreement"].choices = [
            (s.agreement.pk, f"{s.agreement.practice.name} – {s.agreement.pso.name}") for s in scopes
        ]
        if len(scopes) < 2:
            self.fields["agreement"].widget = forms.HiddenInput()
        self.fields["facility"].choices = [("", "All locations"), *scope.facilities]
        self.fields["period"].choices = periods or [(ALL_TIME, period_label(ALL_TIME))]
        _bootstrap(self)

    def filters(self) -> PracticeFilters:
        """The valid filters; an invalid field (a location of another agreement) counts as the default."""
        self.is_valid()
        data = self.cleaned_data
        return PracticeFilters(window=data.get("period") or ALL_TIME, facility=data.get("facility", ""))


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """AAPM top categories, then the contributing-factor items grouped as in the review form."""
    return [("AAPM categories", list(AapmCategory.choices)), *grouped_choices(CONTRIBUTING_FACTORS)]


class ThemeForm(ModelForm):
    """A theme: title, text, tags, related categories, the PSO it belongs to, and whether it is published."""

    tags = forms.CharField(
        label="Tags", required=False, max_length=300, help_text="Separate tags with commas, e.g. SBRT, time-out."
    )
    categories = forms.MultipleChoiceField(
        label="Related categories", required=False, choices=category_choices, widget=CheckboxPicker,
        help_text="Contributing-factor categories the theme is about: type to find them, tick as many as apply.",
    )
    publish = forms.BooleanField(
        label="Published (shown to every practice of the PSO)", required=False, initial=True
    )

    class Meta:
        model = Theme
        fields = ["pso", "title", "body"]
        labels = {"pso": "PSO", "body": "Text"}
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, user, psos, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["pso"].queryset = psos
        self.fields["pso"].empty_label = None
        if self.instance.pk:
            self.fields["pso"].disabled = True
            self.initial["tags"] = ", ".join(self.instance.tags)
            self.initial["categories"] = list(self.instance.categories)
            self.initial["publish"] = self.instance.published_at is not None
        elif len(psos) == 1:
            self.fields["pso"].initial = psos[0]
            self.fields["pso"].widget = forms.HiddenInput()

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "body": data["body"], "tags": data["tags"], "categories": data["categories"]}


class ApiTokenForm(Form):
    """A new API token of one of the staff member's PSOs: its name, PSO and scopes."""

    name = forms.CharField(label="Name", max_length=80, help_text="Who or what will use it, e.g. “Quarterly report”.")
    pso = forms.ModelChoiceField(label="PSO", queryset=None, empty_label=None)
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiToken.Scope.RECORDS, ApiToken.Scope.ROLLUPS],
    )

    def __init__(self, data=None, *, psos, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["pso"].queryset = psos
        if len(psos) == 1:
            self.fields["pso"].initial = psos[0]
            self.fields["pso"].widget = forms.HiddenInput()

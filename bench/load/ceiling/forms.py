from django import forms

from foundation.taxonomy.events import AgeRange, EventClassification, PatientSex, ReporterRole, TreatmentTechnique

FACILITIES = [("main", "Main Campus"), ("north", "North Clinic"), ("lake", "Lakeside")]


class CeilingForm(forms.Form):
    """Eight fields with the Submit Event form's choice lists, validated by plain Django."""

    facility = forms.ChoiceField(choices=FACILITIES, widget=forms.RadioSelect)
    classification = forms.ChoiceField(choices=EventClassification.choices, widget=forms.RadioSelect)
    narrative = forms.CharField(widget=forms.Textarea, max_length=4000)
    technique = forms.ChoiceField(choices=TreatmentTechnique.choices)
    event_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    age_range = forms.ChoiceField(choices=AgeRange.choices)
    patient_sex = forms.ChoiceField(choices=PatientSex.choices)
    reporter_role = forms.ChoiceField(choices=ReporterRole.choices)

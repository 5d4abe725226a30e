"""Forms of the practices app: validation only; views hand the cleaned data to services."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from foundation.formfields import FIELD_HELPER, ModelChoiceField, ModelMultipleChoiceField
from foundation.forms import Form, ModelForm

from .choices import US_STATES, AgreementState, PSORole, Role
from .models import PSO, Facility, NotificationSettings, Practice, validate_zip

STATE_CHOICES = [("", "Choose a state or territory")] + US_STATES
NON_US = {"invalid_choice": "Only practices in the United States (a state, DC or a US territory) can join."}


class ParticipationForm(ModelForm):
    """The practice half of the public Join form."""

    pso = ModelChoiceField(
        queryset=PSO.objects.all(), label="Patient Safety Organization", empty_label="Choose a PSO",
        help_text="The PSO whose provider services agreement you want to sign.",
    )
    country = forms.CharField(
        initial="United States", max_length=60,
        help_text="Only practices in the United States (states, DC and US territories) can join.",
    )
    state = forms.ChoiceField(choices=STATE_CHOICES, label="State or territory", error_messages=NON_US)

    class Meta:
        model = Practice
        fields = ["name", "address_line1", "address_line2", "city", "state", "zip_code", "contact_name",
                  "contact_email", "phone"]
        labels = {"name": "Practice name", "contact_name": "Contact person", "contact_email": "Contact email"}
        help_texts = {"zip_code": "5 digits, or ZIP+4 (12345-6789)."}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().casefold().replace(".", "")
        if country not in {"united states", "usa", "us", "united states of america", "america"}:
            raise ValidationError("Only practices in the United States can join a US Patient Safety Organization.")
        return "United States"


class FacilityForm(Form):
    """One facility on the Join form."""

    name = forms.CharField(max_length=200, label="Facility name")
    city = forms.CharField(max_length=100, required=False)
    state = forms.ChoiceField(choices=STATE_CHOICES, required=False, label="State or territory",
                              error_messages=NON_US)
    zip_code = forms.CharField(max_length=10, required=False, label="ZIP code", validators=[validate_zip])
    covered = forms.BooleanField(required=False, initial=True, label="Covered by this agreement")


class BaseFacilityFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        names = [f.cleaned_data["name"].strip().casefold() for f in self.forms if f.cleaned_data.get("name")]
        if len(names) != len(set(names)):
            raise ValidationError("Two facilities have the same name; give each its own name.")
        if not names:
            raise ValidationError("List at least one facility.")
        if not any(f.cleaned_data.get("covered") for f in self.forms if f.cleaned_data.get("name")):
            raise ValidationError("Choose at least one facility for the agreement to cover.")


FacilityFormSet = formset_factory(FacilityForm, formset=BaseFacilityFormSet, extra=2, min_num=1, max_num=30,
                                  validate_min=True, validate_max=True)


class TransitionForm(Form):
    """Move an agreement to its next state; executing it records both signatories."""

    to = forms.ChoiceField(choices=AgreementState.choices)
    expected_state = forms.ChoiceField(choices=AgreementState.choices, widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    practice_signatory = forms.CharField(required=False, max_length=200)
    pso_signatory = forms.CharField(required=False, max_length=200, label="PSO signatory")
    signed_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def signatories(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("practice_signatory", "pso_signatory", "signed_on")}


class MessageForm(Form):
    """A proposed change to the agreement, or a reply."""

    body = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Message")


class InvitationForm(Form):
    """Invite a person to an agreement (reporter, shared login, full access) or to the PSO."""

    username = forms.RegexField(regex=r"^[\w.@+-]{3,150}$", max_length=150,
                                help_text="3 to 150 letters, digits and . @ + - _")
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, roles=Role.choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class PSOInvitationForm(InvitationForm):
    """Invite a PSO analyst or staff member."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, roles=PSORole.choices, **kwargs)


class RoleChangeForm(Form):
    """Change a membership's role."""

    role = forms.ChoiceField(choices=Role.choices)


class NewAgreementForm(Form):
    """PSO staff open another agreement for a practice: other facilities, or a facility of its own."""

    facilities = ModelMultipleChoiceField(queryset=Facility.objects.none(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    new_facility = forms.CharField(max_length=200, required=False, label="Or add a new facility")

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["facilities"].queryset = practice.facilities.all()

    def clean(self):
        data = super().clean()
        if not data.get("facilities") and not data.get("new_facility"):
            raise ValidationError("Choose a facility or name a new one.")
        name = (data.get("new_facility") or "").strip()
        if name and self.practice.facilities.filter(name__iexact=name).exists():
            self.add_error("new_facility", "This practice already has a facility with that name.")
        return data


class SetPasswordFromInvitationForm(Form):
    """The invitee chooses a password."""

    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="Password again",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            raise ValidationError("The two passwords differ.")
        if p1:
            from .models import User

            probe = User(username=self.invitation.username, email=self.invitation.email,
                         first_name=self.invitation.first_name, last_name=self.invitation.last_name)
            password_validation.validate_password(p1, probe)
        return data



class NotificationSettingsForm(ModelForm):
    """Which e-mails the user wants."""

    helper = FIELD_HELPER

    class Meta:
        model = NotificationSettings
        fields = ["reporter_news", "work_mail"]
        widgets = {"reporter_news": forms.RadioSelect, "work_mail": forms.RadioSelect}

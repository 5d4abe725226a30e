"""The practice's list of locations (vaults, CT simulator, front desk) that reviews choose from (full-access users)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import ListView
from django.views.generic.detail import SingleObjectMixin

from foundation.formfields import TypedChoiceField
from foundation.forms import Form
from practices.scoping import ScopedViewMixin
from review.models import Location

from .selectors import manageable_agreements
from .services import location_add, location_set_active


class LocationForm(Form):
    """A new location; the agreement is asked only of someone with several."""

    agreement = TypedChoiceField(label="Practice agreement", coerce=int)
    name = forms.CharField(max_length=100, label="Location", help_text="For example “Vault 2”, “CT simulator”.")

    def __init__(self, *args, agreements: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [(a.pk, f"{a.practice.name} with {a.pso.name}") for a in agreements]
        if len(agreements) == 1:
            self.fields["agreement"].widget = forms.HiddenInput()
            self.fields["agreement"].initial = agreements[0].pk


class LocationMixin(ScopedViewMixin):
    model = Location
    action = "review"
    required_capability = "is_full_access"


class LocationListView(LocationMixin, ListView):
    """The locations list, with a form to add one and buttons to retire or restore one."""

    template_name = "analytics/location_list.html"
    context_object_name = "locations"

    def refine(self, queryset):
        return queryset.select_related("agreement__practice").order_by("agreement_id", "-is_active", "name")

    @cached_property
    def agreements(self) -> dict:
        return {a.pk: a for a in manageable_agreements(self.request.user)}

    def get(self, request, *args, **kwargs):
        self.form = LocationForm(agreements=list(self.agreements.values()))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.form = LocationForm(request.POST, agreements=list(self.agreements.values()))
        if self.form.is_valid():
            try:
                location_add(agreement=self.agreements[self.form.cleaned_data["agreement"]], by=request.user,
                             name=self.form.cleaned_data["name"])  # fmt: skip
            except ValidationError as exc:
                self.form.add_error("name", exc.messages)
            else:
                messages.success(request, "Location added.")
                return redirect(reverse("analytics:location-list"))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, can_add=bool(self.agreements), **kwargs)


class LocationToggleView(LocationMixin, SingleObjectMixin, View):
    """Retire a location from the list, or restore it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        location = self.get_object()
        try:
            location_set_active(location=location, by=request.user, active=not location.is_active)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(reverse("analytics:location-list"))

"""The access log's filters (django-filter): the people to choose from are those in the user's own scoped log."""

from __future__ import annotations

import django_filters
from django import forms

from foundation.formfields import Select
from foundation.forms import Form

from .models import AccessLog

DATE = forms.DateInput(attrs={"type": "date"})


class AccessLogFilter(django_filters.FilterSet):
    """Person, event reference, kind of entry and a date range."""

    person = django_filters.ChoiceFilter(
        field_name="username", choices=[], empty_label="Everyone", label="Person", widget=Select
    )
    event = django_filters.CharFilter(field_name="object_label", lookup_expr="icontains", label="Event reference")
    kind = django_filters.ChoiceFilter(
        field_name="action", choices=AccessLog.Action.choices, empty_label="Any kind", label="Kind", widget=Select
    )
    date_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From", widget=DATE)
    date_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To", widget=DATE)

    class Meta:
        form = Form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query over the scoped log: everyone who appears in it, former people included, by name.
        people = self.queryset.order_by().values_list("username", "user__first_name", "user__last_name").distinct()
        labels = {}
        for username, first, last in people:
            if username:
                name = f"{first} {last}".strip()
                labels[username] = f"{name} ({username})" if name else username
        self.form.fields["person"].choices = sorted(labels.items(), key=lambda item: item[1].lower())
        for field in self.form.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

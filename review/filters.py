"""The review queue's filters (django-filter); the facility choices come from the user's own scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from events.models import EventTechnique
from foundation.formfields import Select
from foundation.forms import Form
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import EventClassification, EventStatus, TreatmentTechnique

from .selectors import queue_facility_choices, queue_search

OPEN = "open"
STATUS_CHOICES = [(OPEN, "Open (new, in review, awaiting information)"), *EventStatus.choices]
OPEN_FOR_FILTER = (EventStatus.NEW, EventStatus.IN_REVIEW, EventStatus.AWAITING_INFO)
DATE = forms.DateInput(attrs={"type": "date"})


class QueueFilter(django_filters.FilterSet):
    """Status, facility, classification, technique, dates, harm and severity, full-text search, ordering."""

    q = django_filters.CharFilter(method="filter_search", label="Search narratives and review notes")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", empty_label="Any status",
                                         label="Status", widget=Select)
    # Choices are the user's own facilities (set in __init__): a value outside them is a form error, not a filter.
    facility = django_filters.ChoiceFilter(choices=[], empty_label="All locations", label="Location", widget=Select)
    classification = django_filters.ChoiceFilter(choices=EventClassification.choices, empty_label="Any classification",
                                                 label="Classification", widget=Select)
    technique = django_filters.ChoiceFilter(choices=TreatmentTechnique.choices, method="filter_technique",
                                           empty_label="Any technique", label="Technique", widget=Select)
    date_from = django_filters.DateFilter(field_name="event_date", lookup_expr="gte", label="From", widget=DATE)
    date_to = django_filters.DateFilter(field_name="event_date", lookup_expr="lte", label="To", widget=DATE)
    harm = django_filters.ChoiceFilter(field_name="review__harm", choices=rc.Harm.choices, empty_label="Any harm",
                                       label="Harm", widget=Select)
    severity_min = django_filters.ChoiceFilter(
        label="Min. severity", choices=[(str(n), str(n)) for n in range(0, 11)],
        method="filter_severity", empty_label="Any severity", widget=Select,
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created"), ("event_date", "date"), ("reference", "reference"), ("status", "status"),
            ("facility__name", "facility"), ("last_activity_at", "activity"), ("review__medical_severity", "severity"),
            ("review__near_miss_risk", "risk"),
        ),
        field_labels={"created": "Submitted", "date": "Event date", "activity": "Last activity",
                      "severity": "Medical severity", "risk": "Near-miss risk index"},
        label="Sort by",
        empty_label="Best match / newest",
        widget=Select,
    )

    class Meta:
        form = Form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.facility_choices = queue_facility_choices(self.request.user)
        self.form.fields["facility"].choices = self.facility_choices
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")

    def get_form_class(self):
        """django-filter builds a form class from the filters on every request; they never change, so once is enough.

        Each form still gets its own copies of the fields (Django deep-copies them per form), which __init__ then
        narrows to the user's facilities.
        """
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = type(self)._form_class = super().get_form_class()
        return form_class

    def filter_search(self, queryset, name, value):
        return queue_search(queryset, value)

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_FOR_FILTER)
        return queryset.filter(status=value)

    def filter_severity(self, queryset, name, value):
        return queryset.filter(review__medical_severity__gte=int(value))

    def filter_technique(self, queryset, name, value):
        # EXISTS keeps one row per event (a join on techniques would repeat events with several).
        return queryset.filter(Exists(EventTechnique.objects.filter(event=OuterRef("pk"), technique=value)))

    def without(self, name: str):
        """The events the current filters leave when one of them is dropped (the status counts ignore status).

        The same filtering as `qs`, from the form already validated: no second filter set and form to build.
        """
        queryset = self.queryset.all()
        if self.is_bound:
            self.is_valid()  # validates the form (once), as `qs` does: invalid fields stay out of cleaned_data
            for field, value in self.form.cleaned_data.items():
                if field != name:
                    queryset = self.filters[field].filter(queryset, value)
        return queryset

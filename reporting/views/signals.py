"""Safety signals for the PSO's analysts: the list, one signal with its records, and a draft theme from it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import DetailView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from practices.scoping import ScopedViewMixin

from ..dashboards import DIMENSIONS
from ..models import SafetySignal
from ..safety import signal_label, signal_records, signal_theme_draft


class _SignalMixin(ScopedViewMixin):
    model = SafetySignal
    action = "analyse"
    required_capability = "is_pso_analyst"


class SignalListView(_SignalMixin, ListView):
    """The signals of the analyst's PSOs, current ones first (newest quarter, most practices)."""

    template_name = "reporting/safetysignal_list.html"
    context_object_name = "signals"
    paginate_by = 50

    def refine(self, queryset):
        if self.request.GET.get("all") != "1":
            queryset = queryset.filter(active=True)
        return queryset.order_by("-quarter", "-practices", "-records", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(show_all=self.request.GET.get("all") == "1", **kwargs)
        for signal in context["signals"]:
            signal.label = signal_label(signal)
        return context


class SignalDetailView(_SignalMixin, DetailView):
    """One signal and the records behind it."""

    template_name = "reporting/safetysignal_detail.html"
    context_object_name = "signal"

    def get_context_data(self, **kwargs):
        records = list(signal_records(self.object, user=self.request.user)[:100])
        labels = {"classification": DIMENSIONS["classification"], "problem_type": DIMENSIONS["problem_type"]}
        for record in records:
            record.display = {name: info.label(getattr(record, name)) for name, info in labels.items()}
        return super().get_context_data(label=signal_label(self.object), records=records, **kwargs)


class SignalThemeDraftView(_SignalMixin, SingleObjectMixin, View):
    """Draft a theme from the signal (POST), linked to it and its records; then edit the draft."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        theme = signal_theme_draft(by=request.user, signal=self.get_object())
        messages.success(request, "Draft theme made from the signal: describe the lesson, then publish it.")
        return redirect("reporting:theme-update", pk=theme.pk)

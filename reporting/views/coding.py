"""The analyst's coding (tag, untag, annotate a record; save and delete searches) and questions to the practice
about a record, with the practice's answer (POST only)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from practices.scoping import RoleRequiredMixin, ScopedViewMixin

from ..coding import record_note_add, record_tag_add, record_tag_remove, saved_search_create, saved_search_delete
from ..dashboards import analyst_psos
from ..forms import RecordAnswerForm, RecordNoteForm, RecordQuestionForm, RecordTagForm, SavedSearchForm
from ..models import RecordQuery, RecordTag, SavedSearch, StoreRecord
from ..queries import record_query_answer, record_query_ask

# What a saved search keeps of the record list's query string.
SEARCH_KEYS = ("q", "tag", "quarter_from", "quarter_to", "technique", "classification", "severity", "dimension",
               "value")  # fmt: skip


class _AnalystPost(ScopedViewMixin, SingleObjectMixin, View):
    """A POST on one object of the analyst's PSO (anything else is a 404 from the scope)."""

    action = "analyse"
    required_capability = "is_pso_analyst"
    http_method_names = ["post"]

    def form_error(self, form) -> None:
        messages.error(self.request, " ".join(e for errors in form.errors.values() for e in errors))


class RecordTagAddView(_AnalystPost):
    """Tag a record."""

    model = StoreRecord

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        form = RecordTagForm(request.POST)
        if form.is_valid():
            try:
                record_tag_add(by=request.user, record=record, label=form.cleaned_data["label"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            self.form_error(form)
        return redirect("reporting:record-detail", pk=record.pk)


class RecordTagRemoveView(_AnalystPost):
    """Take a tag off its record."""

    model = RecordTag

    def post(self, request, *args, **kwargs):
        tag = self.get_object()
        record_id = tag.record_id
        record_tag_remove(by=request.user, tag=tag)
        return redirect("reporting:record-detail", pk=record_id)


class RecordNoteAddView(_AnalystPost):
    """Add a note to a record."""

    model = StoreRecord

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        form = RecordNoteForm(request.POST)
        if form.is_valid():
            record_note_add(by=request.user, record=record, body=form.cleaned_data["body"])
            messages.success(request, "Note added.")
        else:
            self.form_error(form)
        return redirect(reverse("reporting:record-detail", args=[record.pk]) + "#notes")


class SavedSearchCreateView(RoleRequiredMixin, View):
    """Save the record list's current search under a name, for the PSO's analysts."""

    required_capability = "is_pso_analyst"
    http_method_names = ["post"]
    scoped_reads = (analyst_psos,)

    def post(self, request, *args, **kwargs):
        form = SavedSearchForm(request.POST, psos=analyst_psos(request.user))
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect("reporting:record-list")
        pso = form.cleaned_data["pso"]
        given = QueryDict(form.cleaned_data["query"])
        query = urlencode([(k, v) for k in SEARCH_KEYS for v in given.getlist(k) if v] + [("pso", pso.pk)])
        saved_search_create(by=request.user, pso=pso, name=form.cleaned_data["name"], query=query)
        messages.success(request, "Search saved.")
        return redirect(reverse("reporting:record-list") + "?" + query)


class SavedSearchDeleteView(_AnalystPost):
    """Delete a saved search of the PSO."""

    model = SavedSearch

    def post(self, request, *args, **kwargs):
        search = self.get_object()
        saved_search_delete(by=request.user, search=search)
        messages.success(request, "Saved search deleted.")
        return redirect(reverse("reporting:record-list") + f"?pso={search.pso_id}")


class RecordQueryAskView(_AnalystPost):
    """Ask the reporting practice a question about a record."""

    model = StoreRecord

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        form = RecordQuestionForm(request.POST)
        if form.is_valid():
            try:
                record_query_ask(by=request.user, record=record, question=form.cleaned_data["question"])
                messages.success(request, "Question sent to the practice.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            self.form_error(form)
        return redirect(reverse("reporting:record-detail", args=[record.pk]) + "#questions")


class RecordQueryAnswerView(ScopedViewMixin, SingleObjectMixin, View):
    """A full-access reviewer of the reporting practice answers the PSO's question (from the event page)."""

    model = RecordQuery
    action = "review"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        query = self.get_object()
        form = RecordAnswerForm(request.POST)
        if form.is_valid():
            try:
                record_query_answer(by=request.user, query=query, answer=form.cleaned_data["answer"])
                messages.success(request, "Answer sent to the PSO.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("home")
        return redirect(target)

"""Themes: the PSO's lessons, read by its practices once published, written by its staff and analysts."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView, FormView, ListView, UpdateView

from practices.scoping import RoleRequiredMixin, ScopedViewMixin

from ..forms import ThemeForm
from ..models import Theme
from ..themes import theme_create, theme_list, theme_psos_for, theme_update


class PSOMemberRequiredMixin(RoleRequiredMixin):
    """Signed in, and staff or analyst of at least one PSO; anyone else gets a 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (self.access.pso_staff or self.access.pso_analyst):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ThemeListView(ScopedViewMixin, ListView):
    """The themes of the user's PSOs (drafts too, for the PSO's staff and analysts)."""

    model = Theme
    action = "view"
    template_name = "reporting/theme_list.html"
    context_object_name = "themes"
    paginate_by = 20

    def refine(self, queryset):
        return theme_list(queryset)

    def get_context_data(self, **kwargs):
        can_publish = bool(self.access.pso_staff or self.access.pso_analyst)
        return super().get_context_data(can_publish=can_publish, **kwargs)


class ThemeDetailView(ScopedViewMixin, DetailView):
    """One theme; out of scope (another PSO's, or a draft for a practice user) is a 404."""

    model = Theme
    action = "view"
    template_name = "reporting/theme_detail.html"
    context_object_name = "theme"

    def refine(self, queryset):
        return queryset.select_related("pso", "author")

    def get_context_data(self, **kwargs):
        can_edit = self.object.pso_id in (self.access.pso_staff | self.access.pso_analyst)
        labels = dict(c for _group, items in ThemeForm.base_fields["categories"].choices for c in items)
        categories = [labels.get(code, code) for code in self.object.categories]
        return super().get_context_data(can_edit=can_edit, categories=categories, **kwargs)


class ThemeCreateView(PSOMemberRequiredMixin, FormView):
    """PSO staff or analysts write a theme for their PSO."""

    form_class = ThemeForm
    template_name = "reporting/theme_form.html"
    scoped_reads = (theme_psos_for,)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "psos": theme_psos_for(self.request.user)}

    def form_valid(self, form):
        publish = form.cleaned_data["publish"]
        theme = theme_create(by=self.request.user, pso=form.cleaned_data["pso"], data=form.service_data(),
                             publish=publish)  # fmt: skip
        messages.success(self.request, "Theme published." if publish else "Draft saved.")
        return redirect("reporting:theme-detail", pk=theme.pk)


class ThemeUpdateView(ScopedViewMixin, UpdateView):
    """Edit a theme of one's own PSO (staff or analyst); any other theme is a 404."""

    model = Theme
    action = "manage"
    form_class = ThemeForm
    template_name = "reporting/theme_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "psos": theme_psos_for(self.request.user)}

    def form_valid(self, form):
        publish = form.cleaned_data["publish"]
        theme_update(by=self.request.user, theme=self.object, data=form.service_data(), publish=publish)
        messages.success(self.request, "Theme saved.")
        return redirect("reporting:theme-detail", pk=self.object.pk)

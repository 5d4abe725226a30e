"""PSO staff's page of API tokens: list, create (the secret is shown once, on the answer to the POST), revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import ListView, View
from django.views.generic.detail import SingleObjectMixin

from practices.scoping import ScopedViewMixin
from practices.selectors import staff_psos_for

from ..forms import ApiTokenForm
from ..models import ApiToken
from ..tokens import api_token_create, api_token_revoke, api_tokens_for


class ApiTokenListView(ScopedViewMixin, ListView):
    """The staff member's PSOs' API tokens, active first, and the form that makes one."""

    model = ApiToken
    action = "enrol"
    required_capability = "is_pso_staff"
    template_name = "reporting/apitoken_list.html"
    context_object_name = "tokens"
    paginate_by = 50

    @cached_property
    def psos(self):
        return staff_psos_for(self.request.user)

    def refine(self, queryset):
        return api_tokens_for(queryset)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ApiTokenForm(psos=self.psos))
        return super().get_context_data(several_psos=len(self.psos) > 1, **kwargs)

    def post(self, request, *args, **kwargs):
        form = ApiTokenForm(request.POST, psos=self.psos)
        created = secret = None
        if form.is_valid():
            try:
                created, secret = api_token_create(
                    by=request.user,
                    pso=form.cleaned_data["pso"],
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                )
                form = ApiTokenForm(psos=self.psos)
            except ValidationError as exc:
                form.add_error(None, exc)
        # The secret is rendered in this answer only (never stored, never in a redirect or a session).
        self.object_list = self.get_queryset()
        context = self.get_context_data(form=form, created=created, secret=secret)
        response = self.render_to_response(context, status=201 if created else 400)
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(ScopedViewMixin, SingleObjectMixin, View):
    """Revoke a token of the staff member's PSO; its next request is refused."""

    model = ApiToken
    action = "enrol"
    required_capability = "is_pso_staff"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        token = api_token_revoke(by=request.user, token=self.get_object())
        messages.success(request, f"Token “{token.name}” revoked.")
        return redirect(reverse("reporting:apitoken-list"))

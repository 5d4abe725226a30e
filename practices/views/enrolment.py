"""PSO staff's enrolment: the queue of their agreements, moving one along, and opening another for a practice."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.views.generic import ListView

from .. import services
from ..choices import NEXT_STEP, AgreementState
from ..forms import NewAgreementForm, TransitionForm
from ..models import Agreement
from ..scoping import ScopedViewMixin
from ..selectors import enrolment_queue
from .agreements import AgreementActionView


class EnrolmentQueueView(ScopedViewMixin, ListView):
    """PSO staff: every agreement of their PSO with its state and next step."""

    model = Agreement
    action = "enrol"
    required_capability = "is_pso_staff"
    template_name = "practices/enrolment_queue.html"
    paginate_by = 50

    def refine(self, queryset):
        state = self.request.GET.get("state")
        return enrolment_queue(queryset, state=state if state in AgreementState.values else None)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(states=AgreementState.choices, next_steps=NEXT_STEP, current_state=self.request.GET.get("state"))
        return ctx


class AgreementTransitionView(AgreementActionView):
    """PSO staff move the agreement along its lifecycle."""

    action = "enrol"

    def act(self, agreement):
        form = TransitionForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
        to = form.cleaned_data["to"]
        services.agreement_transition(agreement=agreement, by=self.request.user, to=to,
                                      note=form.cleaned_data["note"], signatories=form.signatories(),
                                      expected_state=form.cleaned_data["expected_state"])
        messages.success(self.request, f"The agreement is now '{AgreementState(to).label}'.")


class AgreementCreateView(AgreementActionView):
    """PSO staff open another agreement for the same practice (for facilities with their own agreement)."""

    action = "enrol"

    def refine(self, queryset):
        return queryset.select_related("practice", "pso")

    def act(self, agreement):
        form = NewAgreementForm(self.request.POST, practice=agreement.practice)
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        facilities = list(form.cleaned_data["facilities"])
        if form.cleaned_data["new_facility"]:
            facilities.append(services.facility_create(by=self.request.user, agreement=agreement,
                                                       name=form.cleaned_data["new_facility"]))
        new = services.agreement_create(by=self.request.user, pso=agreement.pso, practice=agreement.practice,
                                        facilities=facilities)
        messages.success(self.request, f"Agreement {new.reference} opened.")

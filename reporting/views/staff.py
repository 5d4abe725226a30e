"""PSO staff's pages: participation per agreement and the delivery outbox; counts and states, never records."""

from django.views.generic import ListView, TemplateView

from practices.scoping import RoleRequiredMixin, ScopedViewMixin

from ..models import Submission
from ..selectors import STATES, outbox_counts_for, outbox_undelivered, participation_for


class ParticipationView(RoleRequiredMixin, TemplateView):
    """Events reported per agreement per quarter and time since the last report; counts only."""

    required_capability = "is_pso_staff"
    template_name = "reporting/participation.html"
    scoped_reads = (participation_for,)

    def get_context_data(self, **kwargs):
        table = participation_for(self.request.user)
        table["quarter_labels"] = [f"{q[:4]} Q{q[5]}" for q in table["quarters"]]
        return super().get_context_data(**table, **kwargs)


class OutboxListView(ScopedViewMixin, ListView):
    """Undelivered submissions of the staff member's PSOs, with attempts, last error and age."""

    model = Submission
    action = "enrol"
    required_capability = "is_pso_staff"
    template_name = "reporting/outbox_list.html"
    context_object_name = "submissions"
    paginate_by = 50

    def get_state(self) -> str:
        state = self.request.GET.get("state", "")
        return state if state in STATES else ""

    def refine(self, queryset):
        return outbox_undelivered(queryset, state=self.get_state())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=outbox_counts_for(user=self.request.user),
            state=self.get_state(),
            several_psos=len(self.access.pso_staff) > 1,
            **kwargs,
        )

"""PSO staff's view of the outbox: deliveries still pending or failing, never the records themselves."""

from django.views.generic import ListView

from practices.scoping import RoleRequiredMixin

from .selectors_outbox import STATES, outbox_counts_for, outbox_undelivered_for


class OutboxListView(RoleRequiredMixin, ListView):
    """Undelivered submissions of the staff member's PSOs, with attempts, last error and age."""

    required_capability = "is_pso_staff"
    template_name = "reporting/outbox_list.html"
    context_object_name = "submissions"
    paginate_by = 50

    def get_state(self) -> str:
        state = self.request.GET.get("state", "")
        return state if state in STATES else ""

    def get_queryset(self):
        return outbox_undelivered_for(user=self.request.user, state=self.get_state())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=outbox_counts_for(user=self.request.user),
            state=self.get_state(),
            several_psos=len(self.access.pso_staff) > 1,
            **kwargs,
        )

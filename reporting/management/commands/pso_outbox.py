"""`manage.py pso_outbox`: outbox counts per PSO; `--retry` re-sends failed rows, `--deliver` delivers now."""

from django.core.management.base import BaseCommand, CommandError

from reporting.models import Submission
from reporting.selectors import FAILED, outbox_counts_by_pso
from reporting.services import error_text, submission_deliver, submission_requeue

COLUMNS = ("pending", "failed", "delivered")


class Command(BaseCommand):
    help = (
        "Show pending, failed (tried, not delivered) and delivered PSO submissions. --retry re-queues the failed "
        "ones on the broker; --deliver delivers every undelivered one in this process (for a broker outage)."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--retry", action="store_true", help="re-queue failed submissions now")
        action.add_argument("--deliver", action="store_true", help="deliver undelivered submissions synchronously")
        parser.add_argument("--pso", type=int, metavar="ID", help="only this PSO's submissions")

    def handle(self, *args, retry=False, deliver=False, pso=None, **options):
        undelivered = Submission.objects.filter(pushed_at__isnull=True).order_by("created_at", "pk")
        if pso is not None:
            undelivered = undelivered.filter(pso_id=pso)
        if retry:
            sent = submission_requeue(ids=undelivered.filter(FAILED).values_list("pk", flat=True))
            self.stdout.write(f"re-queued {sent} failed submission(s)")
        elif deliver:
            self._deliver(list(undelivered.values_list("pk", flat=True)))
        self._print_counts(pso)

    def _deliver(self, ids: list[int]) -> None:
        delivered = failed = 0
        for pk in ids:
            try:
                submission_deliver(pk)
            except Exception as exc:  # report each failure and carry on with the rest
                failed += 1
                self.stderr.write(f"submission {pk}: {error_text(exc)}")
            else:
                delivered += 1
        self.stdout.write(f"delivered {delivered}, failed {failed}")
        if failed:
            raise CommandError(f"{failed} submission(s) could not be delivered")

    def _print_counts(self, pso: int | None) -> None:
        rows = [row for row in outbox_counts_by_pso() if pso is None or row["pso_id"] == pso]
        totals = {"pso__name": "total", **{name: sum(row[name] for row in rows) for name in COLUMNS}}
        width = max(len(row["pso__name"]) for row in [*rows, totals])
        self.stdout.write(f"{'PSO':<{width}}" + "".join(f"  {name:>9}" for name in COLUMNS))
        for row in [*rows, totals]:
            self.stdout.write(f"{row['pso__name']:<{width}}" + "".join(f"  {row[name]:>9}" for name in COLUMNS))

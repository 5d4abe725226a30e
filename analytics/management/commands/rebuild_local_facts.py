"""Rebuild the local dashboard's facts (events.LocalFact) from the events and their reviews."""

from django.core.management.base import BaseCommand

from analytics.services import local_facts_rebuild


class Command(BaseCommand):
    help = "Rewrite every event's local fact from the event and its review (after a bulk load or a restore)."

    def add_arguments(self, parser):
        parser.add_argument("--agreement", type=int, action="append", help="only this agreement id (repeatable)")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, agreement=None, batch: int, **options):
        count = local_facts_rebuild(agreement_ids=agreement, batch_size=batch)
        self.stdout.write(f"{count} local fact(s) written.")

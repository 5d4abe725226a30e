"""Scrub again the stored scrubbed copies of narratives made by an older scrubber (run after an upgrade)."""

from django.core.management.base import BaseCommand

from events.services import narratives_rescrub


class Command(BaseCommand):
    help = "Re-scrub events whose scrubbed narrative was made by another version of foundation.scrubber."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch: int, **options):
        count = narratives_rescrub(batch=batch)
        self.stdout.write(f"{count} narrative(s) scrubbed again.")

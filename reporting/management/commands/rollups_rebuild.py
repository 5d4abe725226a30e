"""Recompute the dashboard rollups from the PSO aggregate store (a repair tool; safe while pushes run)."""

from django.core.management.base import BaseCommand

from reporting.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard rollups from the store records (of one PSO, or all)."

    def add_arguments(self, parser):
        parser.add_argument("--pso-id", type=int, help="only this PSO (default: every PSO)")

    def handle(self, *args, pso_id=None, **options):
        written = rollups_rebuild(pso_id, progress=options.get("verbosity", 1) > 0)
        self.stdout.write(f"Rollups rebuilt: {written} rows.")

"""Load the demo world: a PSO, two practices, the published demo logins and about a hundred events."""

import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from practices.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, seed_world
from practices.twofactor import requires_two_factor
from roils.demo_hooks import run_demo_hooks


class Command(BaseCommand):
    help = "Create demo data (idempotent). Refuses to run with DEBUG off unless --force is given."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--events", type=int, default=100, help="how many demo events to create (first run)")

    def handle(self, *args, force=False, events=100, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo accounts have a published password. Use --force to insist.")
        world = seed_world()
        for line in run_demo_hooks(world, events=events):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with any of:"))
        for username, first, last, where, role in DEMO_USERS:
            tfa = "  + authenticator code" if requires_two_factor(world["users"][username]) else ""
            self.stdout.write(f"  {username:<22} {role.label:<26} ({first} {last}, {where}){tfa}")
        self.stdout.write(f"  password for all: {DEMO_PASSWORD}")
        self.stdout.write(f"  authenticator (TOTP) secret of the demo reviewers and PSO accounts: {DEMO_TOTP_SECRET}")
        code = TOTP(base64.b32decode(DEMO_TOTP_SECRET)).token()
        self.stdout.write(f"  (any authenticator app with that secret; the code right now is {code:06d})")

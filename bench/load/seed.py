"""Seed the load test's world on top of `seed_demo --force`, through the real services.

Creates AGREEMENTS active bench agreements with the demo PSO ("Bench Clinic 1..N", two facilities each),
two full-access reviewers per agreement (each with its own TOTP device), ten reporter logins per agreement
(nine named, one shared general login), and a history of events per agreement (reviewed by the demo
review seeder, so the queue shows every status). Writes the logins to <out>/credentials.json for the
virtual users. Run by bench/load/run.py against the load database only:

    DJANGO_SETTINGS_MODULE=settings_load PYTHONPATH=bench/load .venv/bin/python bench/load/seed.py OUT_DIR
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings_load")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from events.demo import SCENARIOS  # noqa: E402
from events.services import event_submit  # noqa: E402
from foundation.scrubber import find_identifiers  # noqa: E402
from practices.choices import AgreementState, Role  # noqa: E402
from practices.demo import DEMO_PASSWORD  # noqa: E402
from practices.models import PSO, Coverage, User  # noqa: E402
from practices.services import FacilityData, agreement_transition, membership_grant, participation_submit  # noqa: E402
from review.demo import seed_reviews  # noqa: E402

REVIEWERS_PER_AGREEMENT = 2  # both full-access seats
REPORTERS_PER_AGREEMENT = 10  # the last one is the agreement's shared general login
CEILING_USERS = 60  # one login per ceiling user: a TOTP code is good once per device
BENCH_NAMESPACE = uuid.UUID("0b7c1e9a-5a52-4c1e-8f0e-6c1d0a9b7e42")


def _activate(agreement, staff: User, reviewers: list[User]):
    """Walk the agreement through enrolment to active, naming its two full-access users."""
    for step in (AgreementState.AGREEMENT_SENT, AgreementState.EXECUTED, AgreementState.TRAINED):
        signatories = None
        if step == AgreementState.EXECUTED:
            signatories = {"practice_signatory": "Bench Director", "pso_signatory": str(staff),
                           "signed_on": timezone.localdate()}
        agreement = agreement_transition(agreement=agreement, by=staff, to=step, signatories=signatories)
    for user in reviewers:
        membership_grant(by=staff, agreement=agreement, user=user, role=Role.FULL_ACCESS)
    return agreement_transition(agreement=agreement, by=staff, to=AgreementState.ACTIVE)


def _user(username: str, password_hash: str, *, shared: bool = False) -> User:
    first, _, last = username.partition(".")
    # One PBKDF2 hash for all bench logins: sixty hashes would cost half a minute and prove nothing.
    return User.objects.create(username=username, first_name=first.title(), last_name=last.title(),
                               email=f"{username}@bench.example", password=password_hash, is_shared_login=shared)


def _history(agreement, users: list[User], count: int, rng: random.Random) -> None:
    """`count` past events spread over 18 months, submitted through `event_submit` like the demo data."""
    coverages = list(Coverage.objects.filter(agreement=agreement).select_related("facility"))
    now = timezone.now()
    for index in range(count):
        klass, techniques, step, role, area, narrative = rng.choice(SCENARIOS)
        days_ago = max(1, int(rng.triangular(0, 540, 30)))
        day = timezone.localdate(now) - dt.timedelta(days=days_ago)
        user = rng.choice(users)
        event_submit(
            by=user,
            data={"coverage": rng.choice(coverages), "classification": klass, "narrative": narrative,
                  "techniques": list(techniques), "event_date": day, "workflow_step_noticed": step,
                  "reporter_role": role, "sub_location": area,
                  "reporter_name": "" if user.is_shared_login else user.get_full_name()},
            idempotency_key=uuid.uuid5(BENCH_NAMESPACE, f"{agreement.pk}-{index}"),
            submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))) + dt.timedelta(hours=index % 8),
            notify=False,
        )


def _ceiling_users(staff: User, bench: dict, password_hash: str) -> list[dict]:
    """The ceiling's logins: reporters of the bench agreements, each with its own TOTP device.

    The ceiling view admits only a signed-in, verified user, so each ceiling request pays for the session, the
    user and the device, read from the database as the app reads them.
    """
    agreements = list(bench.values())
    out = []
    for index in range(1, CEILING_USERS + 1):
        user = _user(f"bench.ceiling{index:02d}", password_hash)
        membership_grant(by=staff, agreement=agreements[index % len(agreements)], user=user, role=Role.REPORTER)
        device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
        out.append({"username": user.username, "password": DEMO_PASSWORD,
                    "totp_secret": base64.b32encode(device.bin_key).decode()})
    return out


def seed(out: Path, *, agreements: int, events: int) -> dict:
    """Create the bench world and write the credentials file; returns a short summary."""
    started = time.monotonic()
    pso = PSO.objects.get(slug="demo-pso")
    staff = User.objects.get(username="staff.pso")
    password_hash = make_password(DEMO_PASSWORD)
    rng = random.Random(8)
    reviewers_out, reporters_out, bench = [], [], {}
    for n in range(1, agreements + 1):
        with transaction.atomic():
            agreement = participation_submit(
                pso=pso,
                practice_data={"name": f"Bench Clinic {n}", "address_line1": f"{n} Bench Street", "city": "Boston",
                               "state": "MA", "zip_code": "02110", "contact_name": "Bench Director",
                               "contact_email": f"director{n}@bench.example", "phone": "617-555-0100"},
                facilities=[FacilityData(f"Bench {n} Main", "Boston", "MA", "02110"),
                            FacilityData(f"Bench {n} Satellite", "Quincy", "MA", "02169")],
            )
            reviewers = [_user(f"bench.review{(n - 1) * REVIEWERS_PER_AGREEMENT + i:02d}", password_hash)
                         for i in range(1, REVIEWERS_PER_AGREEMENT + 1)]
            agreement = _activate(agreement, staff, reviewers)
            reporters = []
            for i in range(1, REPORTERS_PER_AGREEMENT + 1):
                index = (n - 1) * REPORTERS_PER_AGREEMENT + i
                shared = i == REPORTERS_PER_AGREEMENT
                user = _user(f"bench.{'shared' if shared else 'report'}{index:02d}", password_hash, shared=shared)
                role = Role.SHARED if shared else Role.REPORTER
                membership_grant(by=staff, agreement=agreement, user=user, role=role)
                reporters.append(user)
                reporters_out.append({"username": user.username, "password": DEMO_PASSWORD, "shared": shared,
                                      "agreement": agreement.pk})
            for user in reviewers:
                device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
                reviewers_out.append({"username": user.username, "password": DEMO_PASSWORD, "agreement": agreement.pk,
                                      "totp_secret": base64.b32encode(device.bin_key).decode()})
            _history(agreement, reporters, events, rng)
        bench[f"bench{n}"] = agreement
    review_line = seed_reviews({"agreements": bench}, events=events)
    ceiling_out = _ceiling_users(staff, bench, password_hash)
    (out / "credentials.json").write_text(json.dumps({"reviewers": reviewers_out, "reporters": reporters_out,
                                                      "ceiling": ceiling_out}, indent=1))
    return {"agreements": agreements, "reviewers": len(reviewers_out), "reporters": len(reporters_out),
            "history_events": agreements * events, "reviews": review_line, "seconds": round(time.monotonic() - started)}


def narratives_check(path: Path) -> list[str]:
    """The virtual users' narratives that the privacy check would flag (there should be none)."""
    narratives = json.loads(path.read_text())
    return [text for text in narratives if find_identifiers(text)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--agreements", type=int, default=5)
    parser.add_argument("--events", type=int, default=200, help="history events per bench agreement")
    args = parser.parse_args()
    summary = seed(args.out, agreements=args.agreements, events=args.events)
    flagged = narratives_check(Path(__file__).with_name("narratives.json"))
    summary["narratives_flagged_by_privacy_check"] = len(flagged)
    print(json.dumps(summary))

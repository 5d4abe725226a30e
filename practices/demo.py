"""The demo world of `seed_demo`: one PSO, two practices, the published demo logins."""

import base64

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .choices import AgreementState, PSORole, Role
from .models import PSO, Agreement, Facility, Practice, User
from .services import FacilityData, agreement_transition, membership_grant, participation_submit, pso_membership_set
from .twofactor import requires_two_factor

DEMO_PASSWORD = "roils-demo-2026"  # noqa: S105  (published in the README; demo databases only)
# Published TOTP secret (base32) of the demo accounts that need two-factor: any authenticator or
# `pyotp.TOTP(DEMO_TOTP_SECRET).now()` gives their current code. Demo databases only.
DEMO_TOTP_SECRET = "ROILSDEMQTOTPSECRETKEYFORDEMOXYZ"  # noqa: S105

# username, first, last, where, role
DEMO_USERS = [
    ("staff.pso", "Pat", "Enrolment", "pso", PSORole.STAFF),
    ("analyst.pso", "Avery", "Analyst", "pso", PSORole.ANALYST),
    ("physicist.riverside", "Maria", "Chen", "riverside", Role.FULL_ACCESS),
    ("director.riverside", "David", "Okafor", "riverside", Role.FULL_ACCESS),
    ("reporter.riverside", "Sam", "Rivera", "riverside", Role.REPORTER),
    ("physicist.lakeside", "Priya", "Natarajan", "lakeside", Role.FULL_ACCESS),
    ("reporter.lakeside", "Jordan", "Lee", "lakeside", Role.REPORTER),
    ("general.riverside", "Riverside", "Staff", "riverside", Role.SHARED),
]

PRACTICES = {
    "riverside": {
        "practice": {"name": "Riverside Cancer Center", "address_line1": "400 River Road", "city": "Hartford",
                     "state": "CT", "zip_code": "06103", "contact_name": "David Okafor",
                     "contact_email": "director@riverside.example", "phone": "860-555-0100"},
        "facilities": [FacilityData("Main Campus", "Hartford", "CT", "06103"),
                       FacilityData("North Clinic", "Windsor", "CT", "06095")],
    },
    "lakeside": {
        "practice": {"name": "Lakeside Radiation Oncology", "address_line1": "12 Shore Drive", "city": "Madison",
                     "state": "WI", "zip_code": "53703", "contact_name": "Priya Natarajan",
                     "contact_email": "physics@lakeside.example", "phone": "608-555-0199"},
        "facilities": [FacilityData("Lakeside Radiation Oncology", "Madison", "WI", "53703")],
    },
}

ENROLMENT_PATH = [AgreementState.AGREEMENT_SENT, AgreementState.EXECUTED, AgreementState.TRAINED]


def _user(username: str, first: str, last: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.example"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_shared_login = username.startswith("general.")
        user.save()
    return user


def _activate(agreement: Agreement, staff: User, full_access: list[User]) -> Agreement:
    for step in ENROLMENT_PATH:
        signatories = None
        if step == AgreementState.EXECUTED:
            signatories = {"practice_signatory": agreement.practice.contact_name, "pso_signatory": str(staff),
                           "signed_on": timezone.localdate()}
        agreement = agreement_transition(agreement=agreement, by=staff, to=step, signatories=signatories)
    for user in full_access:
        membership_grant(by=staff, agreement=agreement, user=user, role=Role.FULL_ACCESS)
    return agreement_transition(agreement=agreement, by=staff, to=AgreementState.ACTIVE)


@transaction.atomic
def seed_world() -> dict:
    """Create (or find) the demo PSO, practices, agreements and logins. Idempotent."""
    pso, _ = PSO.objects.get_or_create(
        slug="demo-pso", defaults={"name": "Radiation Oncology Safety PSO", "contact_email": "pso@demo.example"}
    )
    users = {u[0]: _user(*u[:3]) for u in DEMO_USERS}
    for username, _f, _l, where, role in DEMO_USERS:
        if where == "pso":
            pso_membership_set(by=None, pso=pso, user=users[username], role=role)
    staff = users["staff.pso"]
    agreements = {}
    for key, spec in PRACTICES.items():
        practice = Practice.objects.filter(name=spec["practice"]["name"]).first()
        if practice is None:
            agreement = participation_submit(pso=pso, practice_data=spec["practice"], facilities=spec["facilities"])
            full = [users[u[0]] for u in DEMO_USERS if u[3] == key and u[4] == Role.FULL_ACCESS]
            agreement = _activate(agreement, staff, full)
        else:
            agreement = Agreement.objects.get(practice=practice, pso=pso)
        for username, _f, _l, where, role in DEMO_USERS:
            if where == key and role != Role.FULL_ACCESS and not users[username].memberships.filter(
                agreement=agreement
            ).exists():
                membership_grant(by=None, agreement=agreement, user=users[username], role=role)
        agreements[key] = agreement
    for user in users.values():
        if requires_two_factor(user) and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True,
                                      key=base64.b32decode(DEMO_TOTP_SECRET).hex())
    return {"pso": pso, "users": users, "agreements": agreements,
            "facilities": {k: list(Facility.objects.filter(practice=a.practice)) for k, a in agreements.items()}}

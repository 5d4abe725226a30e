"""Choice lists of the practices app: US states and territories, agreement states, roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The 50 states, DC, and the territories whose practices may join a US PSO.
US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    ("AS", "American Samoa"), ("GU", "Guam"), ("MP", "Northern Mariana Islands"), ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
]  # fmt: skip
US_STATE_CODES = frozenset(code for code, _name in US_STATES)


class AgreementState(models.TextChoices):
    """The enrolment lifecycle of a PSO provider services agreement."""

    FORM_RECEIVED = "form_received", _("Participation form received")
    AGREEMENT_SENT = "agreement_sent", _("Agreement sent")
    CHANGES_PROPOSED = "changes_proposed", _("Changes proposed")
    EXECUTED = "executed", _("Executed")
    TRAINED = "trained", _("Training completed")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


S = AgreementState
# Who may move an agreement where: PSO staff run enrolment; the practice side only proposes changes.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.FORM_RECEIVED: (S.AGREEMENT_SENT, S.TERMINATED),
    S.AGREEMENT_SENT: (S.CHANGES_PROPOSED, S.EXECUTED, S.TERMINATED),
    S.CHANGES_PROPOSED: (S.AGREEMENT_SENT, S.EXECUTED, S.TERMINATED),
    S.EXECUTED: (S.TRAINED, S.TERMINATED),
    S.TRAINED: (S.ACTIVE, S.TERMINATED),
    S.ACTIVE: (S.SUSPENDED, S.TERMINATED),
    S.SUSPENDED: (S.ACTIVE, S.TERMINATED),
    S.TERMINATED: (),
}
NEXT_STEP = {
    S.FORM_RECEIVED: _("Send the provider services agreement"),
    S.AGREEMENT_SENT: _("Wait for the practice's changes or record the signatures"),
    S.CHANGES_PROPOSED: _("Answer the proposed changes and re-send, or record the signatures"),
    S.EXECUTED: _("Issue the practice's logins and train its staff"),
    S.TRAINED: _("Activate, once the practice's logins are issued"),
    S.ACTIVE: _("Accepting events"),
    S.SUSPENDED: _("Reactivate or terminate"),
    S.TERMINATED: _("None"),
}
# Roles can be granted once the agreement is executed; data is accepted only when active.
EXECUTED_STATES = frozenset({S.EXECUTED, S.TRAINED, S.ACTIVE, S.SUSPENDED})
ENDED_STATES = frozenset({S.SUSPENDED, S.TERMINATED})
# A facility stays covered (and cannot join another agreement with the same PSO) until termination.
COVERING_STATES = frozenset(set(AgreementState.values) - {S.TERMINATED})


class Role(models.TextChoices):
    """A login's role on one agreement."""

    REPORTER = "reporter", _("Reporter")
    SHARED = "shared", _("Shared general login")
    FULL_ACCESS = "full_access", _("Full access (reviewer)")


class PSORole(models.TextChoices):
    """A login's role at a PSO."""

    STAFF = "staff", _("PSO staff")
    ANALYST = "analyst", _("PSO analyst")


FULL_ACCESS_SEATS = (1, 2)

"""Writes of the practices app: enrolment, agreement transitions, memberships, invitations and a login's account.

Every write is one atomic function that checks its caller's right to act and leaves an audit row.
"""

from .accounts import notification_settings_set, reporter_login_invite, user_sign_out_everywhere
from .enrolment import (
    FacilityData,
    agreement_create,
    agreement_message_add,
    agreement_transition,
    facility_create,
    participation_submit,
)
from .invitations import (
    invitation_accept,
    invitation_create,
    invitation_link,
    invitation_lookup,
    invitation_reissue,
    invitation_revoke,
    invitation_send,
)
from .memberships import SeatsTaken, membership_deactivate, membership_grant, pso_membership_set

__all__ = [
    "FacilityData", "SeatsTaken", "agreement_create", "agreement_message_add", "agreement_transition",
    "facility_create", "invitation_accept", "invitation_create", "invitation_link", "invitation_lookup",
    "invitation_reissue", "invitation_revoke", "invitation_send", "membership_deactivate", "membership_grant",
    "notification_settings_set", "participation_submit", "pso_membership_set", "reporter_login_invite",
    "user_sign_out_everywhere",
]

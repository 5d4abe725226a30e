"""Writes of the review app: save a review, move an event along its lifecycle, action items, report to the PSO.

Each write is one atomic function that locks the event row, checks that its caller is a full-access user of
the event's agreement, leaves an audit row on the event ({field: [old, new]}) and marks the event as touched.
"""

from .actions import action_item_add, action_item_update, action_item_verify, action_progress_add, evidence_check
from .common import AUDIT_ACTIONS, review_values
from .investigators import investigator_assign, investigator_withdraw, live_investigator, require_investigating
from .reminders import reminders_due, reminders_send
from .report import event_mark_received, events_mark_received, pso_record_for, review_finalize
from .reviews import ReviewConflict, event_transition, label, missing_for_report, review_save

__all__ = [
    "AUDIT_ACTIONS", "ReviewConflict", "action_item_add", "action_item_update", "action_item_verify",
    "action_progress_add", "event_mark_received", "events_mark_received", "evidence_check", "investigator_assign",
    "investigator_withdraw", "live_investigator", "require_investigating",
    "event_transition", "label", "missing_for_report", "pso_record_for", "reminders_due", "reminders_send",
    "review_finalize", "review_save", "review_values",
]

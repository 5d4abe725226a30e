"""Review deadlines by severity, in working days: pure functions of the event's facts and the practice's policy.

By default an incident with harm, or a possible regulatory medical event, is started the next working day and
finished within 10 working days (the timeliness the AAPM consensus recommendations ask for); every other event
gets longer defaults. Each practice can change the numbers, its weekend days and its holidays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.taxonomy import review as rc
from foundation.taxonomy.events import EventClassification, EventStatus

S = EventStatus
HARMFUL = frozenset({rc.Harm.DEATH, rc.Harm.SEVERE, rc.Harm.MODERATE, rc.Harm.MILD})
STARTED = frozenset(set(S) - {S.NEW})
# The review is done once the event is ready to report (or was reported, closed or set aside).
FINISHED = frozenset({S.READY_TO_REPORT, S.REPORTED, S.RECEIVED, S.CLOSED, S.INVALID, S.DUPLICATE})
DEFAULTS = {
    "priority_start_days": 1,
    "priority_finish_days": 10,
    "other_start_days": 3,
    "other_finish_days": 30,
    "weekend_days": [5, 6],
    "holidays": [],
}


@dataclass(frozen=True)
class Rules:
    """A practice's deadline rules (DeadlinePolicy's values, or the defaults)."""

    priority_start_days: int = 1
    priority_finish_days: int = 10
    other_start_days: int = 3
    other_finish_days: int = 30
    weekend_days: frozenset[int] = frozenset({5, 6})  # Monday is 0
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def of(cls, policy) -> Rules:
        if policy is None:
            return cls()
        return cls(
            policy.priority_start_days,
            policy.priority_finish_days,
            policy.other_start_days,
            policy.other_finish_days,
            frozenset(policy.weekend_days or ()),
            frozenset(dt.date.fromisoformat(d) for d in policy.holidays or ()),
        )

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend_days and day not in self.holidays

    def add_working_days(self, day: dt.date, days: int) -> dt.date:
        """The working day `days` working days after `day` (a report on a Friday, 1 day: the next Monday)."""
        for _ in range(3660):
            if days <= 0:
                break
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def next_working_day(self, day: dt.date) -> dt.date:
        return self.add_working_days(day, 1)


def is_priority(classification: str, harm: str | None, possibly_reportable: bool | None) -> bool:
    """Harm, or a possible regulatory medical event (a therapeutic incident unless the reviewer said it is not)."""
    if harm in HARMFUL or possibly_reportable:
        return True
    return classification == EventClassification.THERAPEUTIC and possibly_reportable is None and harm != rc.Harm.NONE


@dataclass(frozen=True)
class Deadlines:
    """An event's two target dates and whether they are met."""

    priority: bool
    start_due: dt.date
    finish_due: dt.date
    started: bool
    finished: bool

    def state(self, today: dt.date) -> str:
        """ "" when on track or done, else "start_overdue" / "finish_overdue" / "due_today"."""
        if self.finished:
            return ""
        if not self.started and today > self.start_due:
            return "start_overdue"
        if today > self.finish_due:
            return "finish_overdue"
        if (not self.started and today == self.start_due) or today == self.finish_due:
            return "due_today"
        return ""


def deadlines_for(
    *, reported_on: dt.date, classification: str, harm, possibly_reportable, status: str, rules: Rules
) -> Deadlines:
    """An event's deadlines, counted in working days from the day it was reported."""
    priority = is_priority(classification, harm, possibly_reportable)
    start = rules.priority_start_days if priority else rules.other_start_days
    finish = rules.priority_finish_days if priority else rules.other_finish_days
    start_due = rules.add_working_days(reported_on, start)
    # The finish counts on from the start's date (the same day: working days add up), not again from the report.
    finish_due = (rules.add_working_days(start_due, finish - start) if finish >= start
                  else rules.add_working_days(reported_on, finish))  # fmt: skip
    return Deadlines(
        priority=priority,
        start_due=start_due,
        finish_due=finish_due,
        started=status in STARTED,
        finished=status in FINISHED,
    )

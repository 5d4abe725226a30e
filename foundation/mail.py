"""Notification e-mail sent after the transaction commits, never failing the write it follows.

The write (an assignment, a question, an invitation) is the truth and is already committed when the mail goes:
a mail server that is down or refuses must not turn that success into an error page. The failure is logged
(never the message, which names people and events) and the page that made the write still shows what it made;
invitations can be resent or their link copied.
"""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import send_mail
from django.db import transaction

MAIL_ERRORS = (smtplib.SMTPException, OSError)  # OSError covers refused connections and timeouts
logger = logging.getLogger(__name__)


def mail_after_commit(*, subject: str, message: str, recipient_list: list[str], from_email: str | None = None) -> None:
    """Send one e-mail once the current transaction commits; log, do not raise, if the mail server fails."""

    def send() -> None:
        try:
            send_mail(subject=subject, message=message, from_email=from_email, recipient_list=list(recipient_list))
        except MAIL_ERRORS as exc:
            logger.warning("mail server unavailable (%s): a notification e-mail was not sent", type(exc).__name__)

    transaction.on_commit(send)

"""Notification e-mail after commit: a mail server that is down is logged, never raised into the request."""

import logging

import pytest
from django.core import mail

from foundation.mail import mail_after_commit

pytestmark = pytest.mark.django_db


def test_mail_server_down_is_logged_without_the_message_and_never_raised(settings, caplog,
                                                                          django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="foundation.mail"), django_capture_on_commit_callbacks(execute=True):
        mail_after_commit(subject="roils: an action for you (RCC-1)", message="Hello Jane Doe",
                          recipient_list=["jane@example.org"])
    assert "not sent" in caplog.text and "Jane" not in caplog.text


def test_mail_goes_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail_after_commit(subject="s", message="m", recipient_list=["a@example.org"])
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["a@example.org"]]

"""Local-learning test data: meeting items (the tenancy matrix builds foreign ones through this)."""

from __future__ import annotations

from analytics.models import MeetingItem
from analytics.services import meeting_flag
from practices.models import Agreement

from .review import make_event, reviewer_of


def build_meetingitem(*, agreement: Agreement, user) -> MeetingItem:
    """Builder for the tenancy matrix: a new event of `agreement` flagged for its safety meeting."""
    return meeting_flag(event=make_event(agreement=agreement, user=user), by=reviewer_of(agreement))


def build_attachment(*, agreement: Agreement, user):
    """Builder for the tenancy matrix: a small PNG attached to a new event of `agreement`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from analytics.services import attachment_add

    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    return attachment_add(event=make_event(agreement=agreement, user=user), by=reviewer_of(agreement), upload=upload)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

"""What an attachment may be: its type read from the content's first bytes (magic numbers), never from its name."""

from __future__ import annotations

# (magic prefix, content type, extension)
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
)
ALLOWED_LABEL = "PNG, JPEG or GIF images and PDF documents"


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file from its first bytes; None for any other kind."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None

"""What an uploaded file really is, read from its first bytes (never from its name or the browser's say-so)."""

from __future__ import annotations

# Evidence of a completed action: documents and pictures people actually attach. Anything else is refused.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
SNIFF_BYTES = 4096
ALLOWED_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain"})


def sniff_content_type(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None when it is none of ALLOWED_TYPES."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if not head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may have cut a multi-byte character in two at its end.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if "\x00" in text or any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None
    return "text/plain"


def uploaded_content_type(upload) -> str | None:
    """Sniff an UploadedFile's content type from its first bytes, leaving it rewound."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return sniff_content_type(head)

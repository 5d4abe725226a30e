"""Stored files served as downloads: never shown inline, never sniffed, never able to run script.

A file a user uploaded (an event's attachment, an action's evidence) may be HTML or an SVG with script in it,
whatever its name says. The browser is told to save it (`Content-Disposition: attachment`), not to guess its type
(`nosniff`), and to treat it as a sandboxed document with nothing allowed if it opens it anyway.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def stored_file_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """The stored file as a download; 404 when storage has lost it (never a 500)."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type=content_type or "application/octet-stream")  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

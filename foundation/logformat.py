"""The log formatter: tracebacks keep their frames but drop exception messages, which may quote record content.

A library's exception text often contains the value it choked on (openpyxl's IllegalCharacterError quotes the
whole cell: a narrative). The log is read by people and systems outside the practice's access rules, so the
message is withheld; the type and the frames are enough to find the bug.
"""

from __future__ import annotations

import logging
import traceback


class WithheldMessageFormatter(logging.Formatter):
    """A plain formatter whose tracebacks name each exception's type but never print its message."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's own method name
        _, exc, tb = ei
        parts: list[str] = []
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            kind = type(exc)
            block = ["Traceback (most recent call last):\n", *traceback.format_tb(tb or exc.__traceback__),
                     f"{kind.__module__}.{kind.__qualname__} (message withheld)\n"]
            parts[:0] = block if not parts else [*block, "\nThe above led to:\n\n"]
            exc, tb = exc.__cause__ or exc.__context__, None
        return "".join(parts).rstrip("\n")

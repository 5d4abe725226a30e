"""Find and scrub identifiers (HIPAA Safe Harbor) in short free-text safety narratives.

Pure Python on purpose (no Django, no database, no model download): the same ``find_identifiers`` warns the
reporter while typing (events.views.NarrativeCheckView), checks the posted form (events.forms), fills the
scrubbed copy the practice's lists show (events.services) and scrubs what leaves for the PSO
(reporting.deidentify).

Two detectors, in order: ``patterns`` (regex rules for dates, record, account and serial numbers, phones,
e-mails, SSNs, addresses, ZIPs, URLs, IPs and ages over 89) and ``names`` (census name lists, context cues and a
guard list of clinical vocabulary).  Recall beats precision for identifiers, but clinical facts (doses,
fractions, MU, times, energies, versions, codes, vendor and product names, eponyms, drugs) must survive.

``VERSION`` changes whenever what the scrubber masks changes, so stored scrubbed copies made by an older
version are scrubbed again (events.services.narratives_rescrub).
"""

from __future__ import annotations

from .engine import KINDS, PLACEHOLDER, Finding
from .names import find_names
from .patterns import RULES

__all__ = ["KINDS", "VERSION", "Finding", "find_identifiers", "scrub"]

VERSION = "2"
_MAX_PASSES = 5


def find_identifiers(text: str) -> list[Finding]:
    """Non-overlapping identifier findings in ``text``, sorted by start offset."""
    if not text:
        return []
    taken = bytearray(len(text))  # 1 = already claimed; bytearray.find keeps overlap checks in C
    if "[" in text:
        for m in PLACEHOLDER.finditer(text):
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    found = RULES.run(text, taken)
    found += find_names(text, taken, found)
    found.sort(key=lambda f: f.start)
    return found


def _scrub_once(text: str) -> str:
    parts: list[str] = []
    pos = 0
    for f in find_identifiers(text):
        parts.append(text[pos : f.start])
        parts.append(f"[{f.kind}]")
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def scrub(text: str) -> str:
    """Replace every identifier with a typed placeholder such as ``[DATE]``; idempotent.

    Replacing a span can, rarely, change what a neighbouring rule sees (a look-behind now meets "]" instead of a
    letter), so we repeat until nothing changes: a fixpoint is idempotent by construction.
    """
    for _ in range(_MAX_PASSES):
        out = _scrub_once(text)
        if out == text:
            return out
        text = out
    return text

"""The one gate between the practice and the PSO: an allowlist of coded fields plus scrubbed free text.

`deidentify(raw)` keeps only the fields named here, coerces each to its type, and passes every free
text through the identifier scrubber. Anything not listed (names, users, dates, ids) never crosses.
"""

from __future__ import annotations

import math
import re

from foundation.scrubber import scrub

TEXT_FIELDS = ("narrative", "lessons_learned")
CODE_FIELDS = (
    "classification", "workflow_noticed", "workflow_origin", "workflow_detected", "problem_type",
    "patients_affected", "harm", "age_range", "sex", "reporter_role", "taxonomy_version",
)
LIST_FIELDS = (
    "techniques", "problem_types_secondary", "contributing_factors", "barriers_failed", "barriers_caught",
    "corrective_actions", "ameliorating_actions",
)
INT_FIELDS = ("medical_severity", "dosimetric_severity")
KEY_FIELDS = ("event_key", "practice_key", "facility_key")
SHORT_TEXT_FIELDS = ("equipment_manufacturer", "equipment_model", "software_version")
ALLOWED_FIELDS = frozenset(
    TEXT_FIELDS + CODE_FIELDS + LIST_FIELDS + INT_FIELDS + KEY_FIELDS + SHORT_TEXT_FIELDS
    + ("revision", "pso_id", "quarter", "dose_deviation_percent", "equipment_related", "possibly_reportable")
)
_CODE_RE = re.compile(r"^[a-z0-9_.+-]{0,40}$")
# No taxonomy code carries more than five digits ("2026.1", "80_89"); an MRN or a phone number would.
_MAX_CODE_DIGITS = 5
_KEY_RE = re.compile(r"^[0-9a-f]{16,64}$")
_QUARTER_RE = re.compile(r"^\d{4}Q[1-4]$")
_INT_RANGES = {"medical_severity": (0, 10), "dosimetric_severity": (1, 10)}
# Widths of the store's columns (a longer value would fail at delivery, long after the review was finalized).
_WIDTHS = {"patients_affected": 20, "harm": 20, "age_range": 20, "sex": 20, "taxonomy_version": 20,
           "equipment_manufacturer": 100, "equipment_model": 100, "software_version": 50}
CODE_WIDTH = 40


class RecordError(ValueError):
    """The record does not fit the allowlist (a bug on the practice side, never silently passed on)."""


def _code(name: str, value) -> str:
    value = "" if value is None else str(value)
    too_wide = len(value) > _WIDTHS.get(name, CODE_WIDTH)
    if too_wide or not _CODE_RE.match(value) or sum(ch.isdigit() for ch in value) > _MAX_CODE_DIGITS:
        raise RecordError(f"{name}: not a coded value")
    return value


def _codes(name: str, values) -> list[str]:
    if values is None:
        return []
    # A bare string would otherwise be split into one-letter "codes".
    if not isinstance(values, list | tuple | set | frozenset):
        raise RecordError(f"{name}: expected a list of codes")
    return sorted({_code(name, v) for v in values})


def _int(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RecordError(f"{name}: not an integer")
    try:
        number = int(value)
    except ValueError:
        raise RecordError(f"{name}: not an integer") from None
    if not low <= number <= high:
        raise RecordError(f"{name}: out of range")
    return number


def _flag(name: str, value) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RecordError(f"{name}: expected true or false")
    return value


def _text(name: str, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{name}: expected text")
    return scrub(value)


def _deviation(value) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise RecordError("dose_deviation_percent: not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError("dose_deviation_percent: not a number") from None
    if not math.isfinite(number) or abs(number) > 100000:
        raise RecordError("dose_deviation_percent: out of range")
    return round(number, 2)


def deidentify(raw: dict) -> dict:
    """The de-identified record for the PSO: allowlisted, typed, free text scrubbed. Pure; no database."""
    if not isinstance(raw, dict):
        raise RecordError("expected a record (dict)")
    unknown = set(raw) - ALLOWED_FIELDS
    if unknown:
        raise RecordError(f"fields not allowed to leave the practice: {sorted(unknown)}")
    record: dict = {}
    for name in KEY_FIELDS:
        value = raw.get(name)
        if not isinstance(value, str) or not _KEY_RE.match(value):
            raise RecordError(f"{name}: not a pseudonymous key")
        record[name] = value
    quarter = raw.get("quarter")
    if not isinstance(quarter, str) or not _QUARTER_RE.match(quarter):
        raise RecordError("quarter: expected e.g. 2026Q3")
    record["quarter"] = quarter
    record["revision"] = _int("revision", raw.get("revision", 1), 1, 1_000_000)
    record["pso_id"] = _int("pso_id", raw.get("pso_id"), 1, 2**63 - 1)
    for name in CODE_FIELDS:
        record[name] = _code(name, raw.get(name))
    for name in LIST_FIELDS:
        record[name] = _codes(name, raw.get(name))
    for name in INT_FIELDS:
        value = raw.get(name)
        record[name] = None if value in (None, "") else _int(name, value, *_INT_RANGES[name])
    record["dose_deviation_percent"] = _deviation(raw.get("dose_deviation_percent"))
    record["equipment_related"] = _flag("equipment_related", raw.get("equipment_related"))
    record["possibly_reportable"] = _flag("possibly_reportable", raw.get("possibly_reportable"))
    # Scrubbed before truncation, so a cut never leaves half an identifier behind a placeholder.
    for name in SHORT_TEXT_FIELDS:
        record[name] = _text(name, raw.get(name))[: _WIDTHS[name]]
    for name in TEXT_FIELDS:
        record[name] = _text(name, raw.get(name))
    return record

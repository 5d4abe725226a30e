"""The one gate between the practice and the PSO: an allowlist of coded fields plus scrubbed free text.

`deidentify(raw)` keeps only the fields named here, coerces each to its type, and passes every free
text through the identifier scrubber. Anything not listed (names, users, dates, ids) never crosses.
"""

from __future__ import annotations

import re

from roils.scrubber import scrub

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
_KEY_RE = re.compile(r"^[0-9a-f]{16,64}$")
_QUARTER_RE = re.compile(r"^\d{4}Q[1-4]$")


class RecordError(ValueError):
    """The record does not fit the allowlist (a bug on the practice side, never silently passed on)."""


def _code(name: str, value) -> str:
    value = "" if value is None else str(value)
    if not _CODE_RE.match(value):
        raise RecordError(f"{name}: not a coded value")
    return value


def deidentify(raw: dict) -> dict:
    """The de-identified record for the PSO: allowlisted, typed, free text scrubbed. Pure; no database."""
    unknown = set(raw) - ALLOWED_FIELDS
    if unknown:
        raise RecordError(f"fields not allowed to leave the practice: {sorted(unknown)}")
    record: dict = {}
    for name in KEY_FIELDS:
        value = str(raw.get(name, ""))
        if not _KEY_RE.match(value):
            raise RecordError(f"{name}: not a pseudonymous key")
        record[name] = value
    quarter = str(raw.get("quarter", ""))
    if not _QUARTER_RE.match(quarter):
        raise RecordError("quarter: expected e.g. 2026Q3")
    record["quarter"] = quarter
    record["revision"] = int(raw.get("revision", 1))
    record["pso_id"] = int(raw["pso_id"])
    for name in CODE_FIELDS:
        record[name] = _code(name, raw.get(name))
    for name in LIST_FIELDS:
        record[name] = sorted({_code(name, v) for v in raw.get(name) or []})
    for name in INT_FIELDS:
        value = raw.get(name)
        record[name] = None if value in (None, "") else int(value)
    deviation = raw.get("dose_deviation_percent")
    record["dose_deviation_percent"] = None if deviation in (None, "") else round(float(deviation), 2)
    record["equipment_related"] = bool(raw.get("equipment_related"))
    record["possibly_reportable"] = bool(raw.get("possibly_reportable"))
    for name in SHORT_TEXT_FIELDS:
        record[name] = scrub(str(raw.get(name) or ""))[:100]
    for name in TEXT_FIELDS:
        record[name] = scrub(str(raw.get(name) or ""))
    return record

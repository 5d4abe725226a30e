"""What the dashboards break events down by: each dimension, its title and value labels, and the rows it shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from foundation.taxonomy.events import EventClassification, TreatmentTechnique, WorkflowStep
from foundation.taxonomy.review import (
    CONTRIBUTING_FACTORS,
    DOSIMETRIC_SEVERITY,
    MEDICAL_SEVERITY,
    SAFETY_BARRIERS,
    AapmCategory,
    Harm,
    ProblemType,
)
from foundation.taxonomy.review import choices as tree_choices

from ..rollups import NONE, SEVERITY_BANDS, UNSCORED

TOP_N_CHART = 15  # long taxonomies chart their top values; the table lists them all

SEVERITY_LABELS = {
    "none": "None (0)",
    "temporary": "Temporary harm (1–4)",
    "permanent": "Permanent harm (5–7)",
    "critical": "Life-threatening or death (8–10)",
    UNSCORED: "Not scored",
}
SEVERITY_CHOICES = [(band, SEVERITY_LABELS[band]) for band, _low, _high in SEVERITY_BANDS] + [
    (UNSCORED, SEVERITY_LABELS[UNSCORED])
]


@dataclass(frozen=True)
class Dimension:
    """A breakdown shown on the dashboards: its key, title and the labels of its values in taxonomy order."""

    key: str
    title: str
    choices: tuple[tuple[str, str], ...]
    none_label: str = "Not recorded"
    multi: bool = False

    def label(self, value: str) -> str:
        if value == NONE:
            return self.none_label
        return dict(self.choices).get(value, value)


def _str_choices(pairs) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in pairs)


DIMENSION_LIST = (
    Dimension("classification", "Event classification", _str_choices(EventClassification.choices)),
    Dimension("technique", "Treatment technique", _str_choices(TreatmentTechnique.choices), "None recorded", True),
    Dimension("workflow_origin", "Workflow step where it originated", _str_choices(WorkflowStep.choices)),
    Dimension("workflow_detected", "Workflow step where it was detected", _str_choices(WorkflowStep.choices)),
    Dimension("harm", "Harm (AHRQ Common Formats)", _str_choices(Harm.choices), "Not applicable or not recorded"),
    Dimension("medical_severity", "Medical severity (AAPM 0–10)", _str_choices(MEDICAL_SEVERITY), "Not scored"),
    Dimension(
        "dosimetric_severity", "Dosimetric severity (AAPM 1–10)", _str_choices(DOSIMETRIC_SEVERITY), "Not scored"
    ),
    Dimension(
        "cf_category", "Contributing factors by AAPM category",
        _str_choices([*AapmCategory.choices, ("unknown", "Unknown code")]), "None recorded", True,
    ),
    Dimension(
        "cf_item", "Contributing factors", _str_choices(tree_choices(CONTRIBUTING_FACTORS, include_retired=True)),
        "None recorded", True,
    ),
    Dimension(
        "barrier_failed", "Safety barriers that failed",
        _str_choices(tree_choices(SAFETY_BARRIERS, include_retired=True)), "None recorded", True,
    ),
    Dimension(
        "barrier_caught", "Safety barriers that caught it",
        _str_choices(tree_choices(SAFETY_BARRIERS, include_retired=True)), "None recorded", True,
    ),
    Dimension("problem_type", "Problem type (primary)", _str_choices(ProblemType.choices)),
)  # fmt: skip
DIMENSIONS = {d.key: d for d in DIMENSION_LIST}


@dataclass
class Row:
    """One value of a breakdown: its count and share, and (practice dashboard) the PSO-wide share."""

    value: str
    label: str
    n: int
    percent: float | None
    benchmark: float | None = None
    suppressed: bool = False


@dataclass
class Breakdown:
    """A dimension's rows in taxonomy order (values never seen are left out)."""

    dimension: Dimension
    rows: list[Row] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.dimension.key

    @property
    def title(self) -> str:
        return self.dimension.title


def quarter_span(first: str, last: str) -> list[str]:
    """Every quarter from first to last ("2025Q3" .. "2026Q2"), so trends show empty quarters as zero."""
    year, q = int(first[:4]), int(first[5])
    span = []
    while f"{year}Q{q}" <= last:
        span.append(f"{year}Q{q}")
        year, q = (year, q + 1) if q < 4 else (year + 1, 1)
    return span


def percent_of(n: int, total: int) -> float | None:
    """n as a percentage of total, to one decimal; None when there is no total."""
    return round(100.0 * n / total, 1) if total else None


def ordered_values(dimension: Dimension, values) -> list[str]:
    """Values in taxonomy order, then unknown codes, then "none recorded" last."""
    order = {value: i for i, (value, _label) in enumerate(dimension.choices)}
    return sorted(values, key=lambda v: (v == NONE, order.get(v, len(order)), v))


def breakdowns_from(counts: dict[str, dict[str, int]], total: int) -> list[Breakdown]:
    """Every dimension's rows from {dimension: {value: count}}, with their shares of the total."""
    result = []
    for dimension in DIMENSION_LIST:
        by_value = counts.get(dimension.key, {})
        rows = [
            Row(value, dimension.label(value), by_value[value], percent_of(by_value[value], total))
            for value in ordered_values(dimension, by_value)
        ]
        result.append(Breakdown(dimension, rows))
    return result

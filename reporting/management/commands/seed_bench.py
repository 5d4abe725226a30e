"""Fill the PSO aggregate store with N realistic de-identified records across hundreds of practices.

For benchmarks and load tests: records are written in bulk (COPY on PostgreSQL, large bulk_create
batches elsewhere), then the rollups are rebuilt in bulk. The practices of the PSO's real agreements
take part (under their real pseudonymous keys), so demo logins see their own figures beside the rest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.utils import timezone

from foundation.taxonomy.events import (
    AgeRange,
    EventClassification,
    PatientSex,
    ReporterRole,
    TreatmentTechnique,
    WorkflowStep,
)
from foundation.taxonomy.review import (
    CONTRIBUTING_FACTORS,
    CORRECTIVE_ACTIONS,
    SAFETY_BARRIERS,
    TAXONOMY_VERSION,
    AmelioratingAction,
    Harm,
    ProblemType,
)
from practices.choices import EXECUTED_STATES
from practices.models import PSO, Agreement
from reporting.keys import pseudonym
from reporting.models import StoreRecord
from reporting.rollups import TABLES, bulk_load, rollups_rebuild

PSO_DB = "pso"
BATCH = 20000

C = EventClassification
CLASSIFICATION_WEIGHTS = {C.NEAR_MISS: 45, C.UNSAFE_CONDITION: 20, C.THERAPEUTIC: 15, C.OTHER_SAFETY: 8,
                          C.OPERATIONAL: 12}  # fmt: skip
T = TreatmentTechnique
TECHNIQUE_WEIGHTS = {T.IMRT_VMAT: 40, T.THREE_D_CONFORMAL: 20, T.SRS_SBRT: 10, T.ELECTRONS: 5, T.HDR_BRACHY: 5,
                     T.PROTONS_PARTICLES: 3, T.TWO_D: 3, T.KV_XRAYS: 2, T.LDR_BRACHY: 2, T.RADIOPHARMACEUTICAL: 2,
                     T.TBI: 1, T.INTRAOPERATIVE: 1, T.NOT_APPLICABLE: 6}  # fmt: skip
W = WorkflowStep
WORKFLOW = [W.PATIENT_ASSESSMENT, W.IMAGING_FOR_PLANNING, W.TREATMENT_PLANNING, W.PRETREATMENT_REVIEW,
            W.TREATMENT_DELIVERY, W.ON_TREATMENT_QM, W.POST_TREATMENT, W.EQUIPMENT_QM]  # fmt: skip
ORIGIN_WEIGHTS = [10, 10, 30, 8, 25, 5, 2, 5]
HARM_WEIGHTS = {Harm.NONE: 60, Harm.MILD: 24, Harm.MODERATE: 10, Harm.SEVERE: 3, Harm.DEATH: 0.5, Harm.UNKNOWN: 2.5}
HARM_SEVERITY = {Harm.NONE: (0, 1), Harm.MILD: (1, 2), Harm.MODERATE: (3, 4), Harm.SEVERE: (5, 9),
                 Harm.DEATH: (10, 10), Harm.UNKNOWN: (0, 4)}  # fmt: skip
DOSIMETRIC = [(1, 2, 0.5, 5), (3, 4, 5.1, 10), (5, 6, 10.1, 25), (7, 8, 25.1, 100), (9, 10, 100.1, 200)]
FACTOR_CODES = [n.code for n in CONTRIBUTING_FACTORS if not n.retired]
BARRIER_CODES = [n.code for n in SAFETY_BARRIERS if not n.retired and n.code not in ("none", "other")]
ACTION_CODES = [n.code for n in CORRECTIVE_ACTIONS if not n.retired]

PROBLEM_TEXT = {
    ProblemType.LATERALITY: "the setup instructions named the wrong side",
    ProblemType.POSITION_SETUP: "the couch shift from the setup point was entered with the wrong sign",
    ProblemType.ACCESSORIES: "the immobilisation mask of another course was on the couch",
    ProblemType.PRESCRIPTION: "the prescription listed a different number of fractions than the plan",
    ProblemType.DOSE_CALCULATION: "the monitor units did not match the independent calculation",
    ProblemType.CONTOURS: "an organ at risk had not been contoured",
    ProblemType.IMAGING: "the cone-beam CT was acquired twice",
    ProblemType.EQUIPMENT_MALFUNCTION: "the linac interlock tripped repeatedly during the session",
    ProblemType.WORKFLOW_DELAY: "the plan was not approved in time for the first fraction",
}
STEP_TEXT = {w: str(w.label)[0].lower() + str(w.label)[1:] for w in WORKFLOW}


@dataclass
class BenchPractice:
    """A practice taking part in the benchmark: its key, its locations' keys and its share of reports."""

    key: str
    facilities: list[str]
    weight: float


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _quarters(count: int, end: str) -> list[str]:
    year, q = int(end[:4]), int(end[5])
    labels = []
    for _ in range(count):
        labels.append(f"{year}Q{q}")
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return labels[::-1]


def synthetic_record(rng: random.Random, *, pso_id: int, practice: BenchPractice, quarter: str) -> dict:
    """One plausible de-identified store record (coded fields consistent with each other, scrubbed text)."""
    classification = _pick(rng, CLASSIFICATION_WEIGHTS)
    reached = classification in (C.THERAPEUTIC, C.OTHER_SAFETY)
    techniques = sorted({_pick(rng, TECHNIQUE_WEIGHTS) for _ in range(1 if rng.random() < 0.8 else 2)})
    origin_index = rng.choices(range(len(WORKFLOW)), weights=ORIGIN_WEIGHTS)[0]
    detected_index = min(len(WORKFLOW) - 1, origin_index + rng.choice((0, 0, 1, 1, 2, 3)))
    harm = _pick(rng, HARM_WEIGHTS) if reached else ""
    if reached:
        medical = rng.randint(*HARM_SEVERITY[harm])
    elif classification == C.NEAR_MISS:
        medical = 0 if rng.random() < 0.7 else None
    else:
        medical = None
    dosimetric = deviation = None
    if classification == C.THERAPEUTIC:
        low, high, dev_low, dev_high = rng.choices(DOSIMETRIC, weights=[50, 25, 15, 8, 2])[0]
        dosimetric, deviation = rng.randint(low, high), round(rng.uniform(dev_low, dev_high), 1)
    problem = rng.choice(list(ProblemType))
    factors = sorted(set(rng.choices(FACTOR_CODES, weights=[1 + (i % 7) for i in range(len(FACTOR_CODES))],
                                     k=rng.randint(2, 9))))  # fmt: skip
    failed = sorted(set(rng.sample(BARRIER_CODES, rng.randint(0, 3))))
    caught = sorted(set(rng.sample(BARRIER_CODES, 1 if classification == C.NEAR_MISS else rng.randint(0, 1))))
    role = rng.choice(list(ReporterRole))
    who = str(role.label).lower()
    who = f"{'an' if who[0] in 'aeiou' else 'a'} {who}"
    what = PROBLEM_TEXT.get(problem, "the documented plan and what was set up did not agree")
    narrative = (
        f"During {STEP_TEXT[WORKFLOW[detected_index]]}, {who} noticed that {what}. "
        f"The issue arose in {STEP_TEXT[WORKFLOW[origin_index]]}. "
        + ("It was caught before it reached the patient." if not reached else "Treatment was paused and reviewed.")
    )
    return {
        "pso_id": pso_id,
        "event_key": f"{rng.getrandbits(128):032x}",
        "revision": 1,
        "practice_key": practice.key,
        "facility_key": rng.choice(practice.facilities),
        "quarter": quarter,
        "classification": str(classification),
        "techniques": [str(t) for t in techniques],
        "workflow_noticed": str(WORKFLOW[detected_index]),
        "workflow_origin": str(WORKFLOW[origin_index]),
        "workflow_detected": str(WORKFLOW[detected_index]),
        "problem_type": str(problem),
        "problem_types_secondary": [],
        "patients_affected": ("one" if rng.random() < 0.9 else "more_than_one") if reached else "none",
        "harm": str(harm),
        "medical_severity": medical,
        "dosimetric_severity": dosimetric,
        "dose_deviation_percent": deviation,
        "contributing_factors": factors,
        "barriers_failed": failed,
        "barriers_caught": caught,
        "corrective_actions": sorted(set(rng.sample(ACTION_CODES, rng.randint(1, 3)))),
        "ameliorating_actions": [str(AmelioratingAction.STAFF_DEBRIEF)] if reached and rng.random() < 0.3 else [],
        "equipment_related": problem == ProblemType.EQUIPMENT_MALFUNCTION,
        "equipment_manufacturer": "",
        "equipment_model": "",
        "software_version": "",
        "age_range": str(rng.choice(list(AgeRange))) if classification != C.UNSAFE_CONDITION else "",
        "sex": str(rng.choice(list(PatientSex))) if classification != C.UNSAFE_CONDITION else "",
        "reporter_role": str(role),
        "possibly_reportable": bool(deviation and deviation >= 20),
        "narrative": narrative,
        "lessons_learned": "Check the setup against the plan before the first fraction." if rng.random() < 0.4 else "",
        "taxonomy_version": TAXONOMY_VERSION,
    }


def bench_practices(pso: PSO | None, count: int, rng: random.Random) -> list[BenchPractice]:
    """The PSO's real practices (under their real keys) plus synthetic ones, with heavy-tailed report volumes."""
    practices: list[BenchPractice] = []
    if pso is not None:
        agreements = Agreement.objects.filter(pso=pso, state__in=EXECUTED_STATES).prefetch_related("coverages")
        for agreement in agreements[:count]:
            facility_ids = sorted({c.facility_id for c in agreement.coverages.all()})
            if facility_ids:
                practices.append(BenchPractice(
                    pseudonym("practice", agreement.practice_id),
                    [pseudonym("facility", pk) for pk in facility_ids], 1.0,
                ))  # fmt: skip
    for i in range(len(practices), count):
        facilities = [pseudonym("facility", f"bench-{i}-{j}") for j in range(rng.choice((1, 1, 1, 2, 2, 3, 4)))]
        practices.append(BenchPractice(pseudonym("practice", f"bench-{i}"), facilities, 1.0))
    for practice in practices:
        practice.weight = rng.lognormvariate(0, 0.8)
    return practices


class Command(BaseCommand):
    help = "Fill the PSO aggregate store with N realistic records across hundreds of practices, then the rollups."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help="number of records to add")
        parser.add_argument("--practices", type=int, default=300)
        parser.add_argument("--pso-id", type=int, help="PSO id (default: the first PSO, or 1 when there is none)")
        parser.add_argument("--quarters", type=int, default=40, help="spread over this many quarters up to now")
        parser.add_argument("--seed", type=int, help="random seed (default: derived from the store's size)")
        parser.add_argument("--clear", action="store_true", help="delete the PSO's store records first")
        parser.add_argument("--no-rollups", action="store_true", help="skip the rollup rebuild")

    def handle(self, *args, events: int, practices: int, pso_id: int | None, quarters: int, seed: int | None,
               clear: bool, no_rollups: bool, **options):  # fmt: skip
        from tqdm import tqdm

        if events < 0 or practices < 1:
            raise CommandError("--events must be >= 0 and --practices >= 1")
        pso = PSO.objects.filter(pk=pso_id).first() if pso_id else PSO.objects.order_by("pk").first()
        pso_id = pso.pk if pso else (pso_id or 1)
        store = StoreRecord.objects.using(PSO_DB)
        if clear:
            store.filter(pso_id=pso_id)._raw_delete(PSO_DB)
        rng = random.Random(seed if seed is not None else store.count() * 7919 + pso_id)
        members = bench_practices(pso, practices, rng)
        weights = [p.weight for p in members]
        now = timezone.now()
        periods = _quarters(quarters, f"{now.year}Q{(now.month - 1) // 3 + 1}")
        # Reporting grows over the years, as participation did in the national programme.
        period_weights = [1 + i / 4 for i in range(len(periods))]
        columns = [f.column for f in StoreRecord._meta.concrete_fields if f.column != "id"]

        def rows():
            for _ in tqdm(range(events), unit="record", desc="store"):
                practice = rng.choices(members, weights=weights)[0]
                quarter = rng.choices(periods, weights=period_weights)[0]
                record = synthetic_record(rng, pso_id=pso_id, practice=practice, quarter=quarter)
                record["received_at"] = now
                yield tuple(record[c] for c in columns)

        with transaction.atomic(using=PSO_DB):
            written = bulk_load(StoreRecord, rows(), columns, batch=BATCH)
        self.stdout.write(f"{written} records added for PSO {pso_id} across {len(members)} practices.")
        if not no_rollups:
            rows_written = rollups_rebuild(progress=True)
            self.stdout.write(f"Rollups rebuilt: {rows_written} rows.")
        connection = connections[PSO_DB]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (StoreRecord, *TABLES):
                    cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

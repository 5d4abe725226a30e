"""Demo events for `seed_demo`: about a hundred realistic, varied reports, created through `event_submit`."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from foundation.taxonomy.events import (
    AgeRange,
    EventClassification,
    PatientSex,
    ReporterRole,
    TreatmentTechnique,
    WorkflowStep,
)
from practices.models import Coverage

from .models import Event
from .services import event_submit

C, T, W, R = EventClassification, TreatmentTechnique, WorkflowStep, ReporterRole
DEMO_NAMESPACE = uuid.UUID("6f1c3a52-63f4-4a8e-9a1e-2b7f0d6c9e11")

# classification, techniques, workflow step noticed, reporter role, sub-location, narrative
SCENARIOS = [
    (C.THERAPEUTIC, [T.IMRT_VMAT], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 2",
     "Patient treated with the previous plan version after a replan was approved. The new plan was not made "
     "active in the record and verify system. Found at the weekly chart check after three fractions."),
    (C.THERAPEUTIC, [T.THREE_D_CONFORMAL], W.ON_TREATMENT_QM, R.MEDICAL_PHYSICIST, "",
     "Weekly chart check found the bolus was omitted for two fractions although the plan called for 5 mm bolus. "
     "Setup note did not mention bolus. Remaining fractions delivered with bolus; physician informed."),
    (C.THERAPEUTIC, [T.SRS_SBRT], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 1",
     "Couch shift from the cone beam CT was applied in the wrong direction in the superior-inferior axis. "
     "Noticed on the verification image before the second arc; first arc already delivered."),
    (C.THERAPEUTIC, [T.HDR_BRACHY], W.TREATMENT_DELIVERY, R.MEDICAL_PHYSICIST, "HDR suite",
     "Transfer tube length entered for the wrong channel, giving a 1 cm dwell position offset for one channel. "
     "Identified during the post-treatment review of the treatment record."),
    (C.THERAPEUTIC, [T.ELECTRONS], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 3",
     "Electron cutout for a different patient was used for one fraction; shapes were similar. "
     "Caught the next day when the cutout label was checked at setup."),
    (C.THERAPEUTIC, [T.IMRT_VMAT], W.TREATMENT_PLANNING, R.DOSIMETRIST, "",
     "Plan was normalised to the wrong structure after a late contour change, delivering about 4 percent "
     "less than prescribed for two fractions. Found at the physics second check of the revised plan."),
    (C.THERAPEUTIC, [T.TWO_D], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 1",
     "Palliative spine field treated one vertebral level too low for the first fraction. Marks had faded and "
     "the port film was reviewed after treatment instead of before."),
    (C.OTHER_SAFETY, [T.NOT_APPLICABLE], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 2",
     "Patient stood up from the couch before it was lowered and lost balance. Therapist caught the patient; "
     "no injury. Step stool was out of reach on the other side of the couch."),
    (C.OTHER_SAFETY, [T.IMRT_VMAT], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 1",
     "Gantry touched the immobilisation board during a couch rotation. Collision interlock stopped the motion. "
     "Patient was startled but not hurt."),
    (C.OTHER_SAFETY, [T.NOT_APPLICABLE], W.PATIENT_ASSESSMENT, R.NURSE, "Clinic",
     "Patient had a reaction to contrast in the CT simulator room. Treated per protocol and observed; "
     "allergy history had not been carried over from the referral."),
    (C.NEAR_MISS, [T.IMRT_VMAT], W.PRETREATMENT_REVIEW, R.MEDICAL_PHYSICIST, "",
     "Prescription in the plan was 60 Gy in 30 fractions while the physician's directive said 50 Gy in 25 "
     "fractions. Found at the pre-treatment physics check; plan corrected before the first treatment."),
    (C.NEAR_MISS, [T.THREE_D_CONFORMAL], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 3",
     "Wrong patient called into the vault: two patients with similar names were waiting. The time-out with "
     "two identifiers caught it before positioning."),
    (C.NEAR_MISS, [T.SRS_SBRT], W.TREATMENT_PLANNING, R.DOSIMETRIST, "",
     "Left and right lesions were swapped in the plan labels. Noticed at peer review of contours before "
     "the plan was approved."),
    (C.NEAR_MISS, [T.HDR_BRACHY], W.PRETREATMENT_REVIEW, R.MEDICAL_PHYSICIST, "HDR suite",
     "Source strength in the planning system had not been updated after the source exchange. "
     "Independent check of the dwell times flagged a mismatch; corrected before treatment."),
    (C.NEAR_MISS, [T.IMRT_VMAT], W.IMAGING_FOR_PLANNING, R.RADIATION_THERAPIST, "CT simulator",
     "Simulation was performed without the bladder filling protocol although it was ordered. "
     "Noticed by the dosimetrist; the patient was rescanned the same day."),
    (C.NEAR_MISS, [T.ELECTRONS, T.THREE_D_CONFORMAL], W.PRETREATMENT_REVIEW, R.MEDICAL_PHYSICIST, "",
     "Monitor units for the electron boost were calculated for the wrong applicator size. "
     "Hand calculation at the second check did not agree; recalculated before treatment."),
    (C.NEAR_MISS, [T.RADIOPHARMACEUTICAL], W.PATIENT_ASSESSMENT, R.NURSE, "Nuclear medicine",
     "Pregnancy test result was not in the chart on the day of the radiopharmaceutical treatment. "
     "Treatment was paused until the result was confirmed negative."),
    (C.NEAR_MISS, [T.SRS_SBRT], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Vault 1",
     "Surface guidance showed a 4 mm shift after the cone beam CT match because the patient moved their arm. "
     "Patient was repositioned and reimaged before beam on."),
    (C.NEAR_MISS, [T.IMRT_VMAT], W.TREATMENT_PLANNING, R.RADIATION_ONCOLOGIST, "",
     "Pacemaker was not noted on the simulation request. Found during contour review; cardiology "
     "was consulted and the device dose was estimated before treatment started."),
    (C.UNSAFE_CONDITION, [T.NOT_APPLICABLE], W.EQUIPMENT_QM, R.MEDICAL_PHYSICIST, "Vault 3",
     "Door interlock on vault 3 intermittently fails to register the door as closed. Machine was taken out of "
     "service until the service engineer replaced the switch."),
    (C.UNSAFE_CONDITION, [T.NOT_APPLICABLE], W.OTHER, R.ADMINISTRATOR, "Front desk",
     "Two treatment schedules printed on the same page by the new printer setup, so the daily list shows "
     "patients from the other clinic. No treatment affected."),
    (C.UNSAFE_CONDITION, [T.IMRT_VMAT], W.EQUIPMENT_QM, R.MEDICAL_PHYSICIST, "",
     "Morning output check on the linac read 2.5 percent high two days in a row, within tolerance but "
     "trending. Reported so the trend is tracked before it drifts out of tolerance."),
    (C.UNSAFE_CONDITION, [T.NOT_APPLICABLE], W.TREATMENT_DELIVERY, R.RADIATION_THERAPIST, "Mould room",
     "Immobilisation masks are stored without labels on the lower shelf, so masks could be mixed up. "
     "Suggest labelled bins."),
    (C.UNSAFE_CONDITION, [T.HDR_BRACHY], W.EQUIPMENT_QM, R.MEDICAL_PHYSICIST, "HDR suite",
     "Emergency container in the HDR room was partly blocked by a cart. Cleared at once; reminded the team "
     "the area must stay clear."),
    (C.UNSAFE_CONDITION, [T.NOT_APPLICABLE], W.TREATMENT_PLANNING, R.DOSIMETRIST, "",
     "Planning system update changed the default dose grid size. Plans started after the update used a "
     "coarser grid until it was noticed."),
    (C.OPERATIONAL, [T.NOT_APPLICABLE], W.OTHER, R.ADMINISTRATOR, "Front desk",
     "Patients often arrive for simulation without the preparation instructions. Suggest the instructions "
     "are sent by text message the day before."),
    (C.OPERATIONAL, [T.NOT_APPLICABLE], W.TREATMENT_PLANNING, R.DOSIMETRIST, "",
     "Contour approval requests are spread over email and the task list; some are missed for a day. "
     "Suggest one queue for all approval requests."),
    (C.OPERATIONAL, [T.NOT_APPLICABLE], W.PATIENT_ASSESSMENT, R.NURSE, "Clinic",
     "On-treatment visit notes are written in two places. Suggest one template so nothing is missed."),
    (C.OPERATIONAL, [T.IMRT_VMAT], W.PRETREATMENT_REVIEW, R.MEDICAL_PHYSICIST, "",
     "Patient-specific QA measurements are booked late in the day and delay new starts. Suggest a fixed "
     "QA slot each morning."),
    (C.OPERATIONAL, [T.NOT_APPLICABLE], W.POST_TREATMENT, R.RESIDENT_STUDENT, "",
     "Follow-up appointments are not always booked at the last fraction. Suggest adding it to the "
     "end-of-treatment checklist."),
]
ROLES_OF = {  # a full-access user reports as a physicist or a physician
    "physicist.riverside": R.MEDICAL_PHYSICIST, "director.riverside": R.RADIATION_ONCOLOGIST,
    "physicist.lakeside": R.MEDICAL_PHYSICIST,
}
# (practice key, facility name or None for the only one, share of the events)
PLACES = [("riverside", "Main Campus", 0.45), ("riverside", "North Clinic", 0.25), ("lakeside", None, 0.30)]
REPORTERS = {
    "riverside": [("reporter.riverside", 5), ("general.riverside", 4), ("physicist.riverside", 1),
                  ("director.riverside", 1)],
    "lakeside": [("reporter.lakeside", 5), ("physicist.lakeside", 1)],
}
AGE_WEIGHTS = [(AgeRange.AGE_40_49, 2), (AgeRange.AGE_50_59, 4), (AgeRange.AGE_60_69, 5), (AgeRange.AGE_70_79, 4),
               (AgeRange.AGE_80_89, 2), (AgeRange.AGE_90_PLUS, 1), (AgeRange.AGE_30_39, 1),
               (AgeRange.AGE_18_29, 1), (AgeRange.AGE_0_17, 1)]
PATIENT_CLASSES = {C.THERAPEUTIC, C.OTHER_SAFETY, C.NEAR_MISS}


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _coverage(world: dict, practice: str, facility_name: str | None) -> Coverage:
    agreement = world["agreements"][practice]
    coverages = Coverage.objects.filter(agreement=agreement).select_related("facility")
    if facility_name:
        coverages = coverages.filter(facility__name=facility_name)
    return coverages.first()


def _plan(rng: random.Random, world: dict, count: int, now: dt.datetime) -> list[dict]:
    """Who reports what, where and when; sorted by submission time so references rise with time."""
    plans = []
    coverages = {(p, f): _coverage(world, p, f) for p, f, _share in PLACES}
    for index in range(count):
        practice, facility, _share = rng.choices(PLACES, weights=[p[2] for p in PLACES])[0]
        username = _pick(rng, REPORTERS[practice])
        klass, techniques, step, role, area, narrative = rng.choice(SCENARIOS)
        days_ago = max(1, int(rng.triangular(0, 540, 30)))  # yesterday or earlier: never a future time
        event_day = timezone.localdate(now) - dt.timedelta(days=days_ago)
        event_time = dt.time(rng.randint(7, 18), rng.choice([0, 10, 15, 20, 30, 40, 45, 50])) if rng.random() < 0.7 \
            else None
        delay = dt.timedelta(days=min(days_ago, rng.choice([0, 0, 0, 1, 1, 2, 3, 7])), hours=rng.randint(0, 6))
        moment = timezone.make_aware(dt.datetime.combine(event_day, event_time or dt.time(12, 0))) + delay
        involved = klass in PATIENT_CLASSES
        plans.append({
            "username": username,
            "submitted_at": min(moment, now - dt.timedelta(minutes=count - index)),
            "key": uuid.uuid5(DEMO_NAMESPACE, f"demo-event-{index}"),
            "data": {
                "coverage": coverages[(practice, facility)],
                "sub_location": area if rng.random() < 0.6 else "",
                "classification": klass,
                "narrative": narrative,
                "techniques": list(techniques),
                "event_date": event_day,
                "event_time": event_time,
                "workflow_step_noticed": step if rng.random() < 0.85 else "",
                "age_range": _pick(rng, AGE_WEIGHTS) if involved and rng.random() < 0.9 else AgeRange.UNKNOWN,
                "patient_sex": rng.choice([PatientSex.FEMALE, PatientSex.MALE]) if involved else PatientSex.UNKNOWN,
                "reporter_role": ROLES_OF.get(username, role),
                "stay_anonymous": username.startswith("reporter.") and rng.random() < 0.2,
            },
        })
    plans.sort(key=lambda p: p["submitted_at"])
    return plans


def seed_events(world: dict, *, events: int = 100) -> str:
    """Create about `events` demo events across Riverside (both facilities) and Lakeside; idempotent."""
    agreements = list(world["agreements"].values())
    if Event.objects.filter(agreement__in=agreements).exists():
        return ""
    rng = random.Random(2026)  # demo data, reproducible on purpose
    now = timezone.now()
    users = world["users"]
    with transaction.atomic():
        for plan in _plan(rng, world, events, now):
            user = users[plan["username"]]
            data = dict(plan["data"])
            if not data["stay_anonymous"]:
                data["reporter_name"] = user.get_full_name()
            event_submit(by=user, data=data, idempotency_key=plan["key"], submitted_at=plan["submitted_at"],
                         notify=False)
    return f"Created {events} demo events (Riverside: Main Campus and North Clinic; Lakeside)."

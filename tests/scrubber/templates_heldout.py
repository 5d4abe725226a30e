"""Narrative templates of the held-out part (see generator.py).

Written before the name detector and never run while tuning it: only ``bench/scrubber_eval.py --part heldout``
reads them.  The wording differs from the tuning templates (shorter, note-like, more abbreviations), and the clean
narratives draw on clinical facts the tuning part does not use as well as on the shared pools.
"""

from __future__ import annotations

import random

from tests.scrubber import traps as t

PLANTED: list[str] = [
    "pt {PT} arrived for fx 14/25, therapists noted wrong mask on the couch. {PTAGAIN} was re-setup. {MRN}.",
    "Called {REL} re: missed appt {DATE}. Number on file {PHONE} disconnected, new # {PHONE}.",
    "During time out, {PT} stated {DOB} which did not match chart. Verified with photo. {STAFF} aware.",
    "{PT} {AGE} w/ pacemaker, {SERIAL} - no cardiology clearance in chart prior to sim on {DATE}.",
    "Plan for {PT} exported to wrong machine (Halcyon vs TrueBeam). Caught by {STAFF}. {ACCT}.",
    "Per {REL}, patient has moved; new address {ADDR}. Old {ZIP}. Please update MOSAIQ.",
    "Received fax for {PT} ({MRN}) containing another pt's labs, {SSN} on page 2. Returned to sender {DATE}.",
    "{STAFF} paged x3 between 1400-1500, no answer. {PT} waited 70 min in Vault 2. Pager {PHONE}.",
    "Insurance denied SBRT for {PT}; {ACCT}. Appeal sent {DATE}. Treatment delayed.",
    "{INITDATE} wrong bolus thickness (1 cm vs 0.5 cm) for 2 fx; dose to skin +12%. Reviewed w/ physics.",
    "{PT} ({AGE}) fell in the changing room, {REL} present. Ice applied, {STAFF} evaluated. No fx.",
    "Weekly physics chart check for {PT} missed wk 3; {MRNS} both affected by the same template issue.",
    "Portal image for {PT} shows iso 8 mm off vs DRR; {STAFF} approved shift on {DATE}. Eclipse 15.6.",
    "Pt's son {BARE} requested records via email {EMAIL}; release not on file. HIM contacted.",
    "Linac 2 interlock MLC fault x4 during {PT} tx; service ticket, {IP} console logs saved. {URL}",
    "{PT} - HDR cylinder, 2nd fx; source step size entered 5 mm (planned 2.5 mm). Caught by {STAFF} pre-tx.",
    "Transport brought {PT} instead of {BARE}; caught at ID check (name + {DOB}). No tx delivered.",
    "{PT} lives at {ADDR}. Reports home health nurse did not show; {REL} upset, phone {PHONE}.",
    "{BARE} ({MRN}) had CT sim w/o contrast though ordered; re-sim {DATE}. {STAFF} notified.",
    "Wrong prescription imported from previous course for {PT}: 30 Gy/10 vs 20 Gy/5. Found by {STAFF}. {PTAGAIN} ok.",
    "{STAFF} noted {PT}'s wristband read {BARE}. Registration fixed, {MRN}.",
    "Pt {PT}, {AGE}, confused at check-in; POA {BARE} arrived later. Tx held.",
    "Couch index wrong (H2 vs H1) for {PT}; {DATE}. Qfix indexing bar replaced, {SERIAL}.",
    "Voicemail from {REL} at {PHONE} re: skin burning after fx 18. Nurse called back {DATE}.",
    "{PT} insurance {ACCT} expired; prior auth resubmitted. {STAFF} spoke w/ {BARE} at payer.",
    "Dose summary for {PT} faxed to wrong office ({PHONE}); contained {MRN} and {DOB}.",
    "{PT} tx'd with arc 2 only on {DATE}; arc 1 skipped after beam hold. Dose deficit 48%. {PTAGAIN} informed.",
    "Survey after seed implant for {PT}: 0.3 mR/h at 1 m. Pt from {CITY}, {ZIP}. Instructions given.",
    "Chart rounds {DATE}: {PT} plan approved by {STAFF} w/o contour review. Resident {BARE} flagged it.",
    "Link to the MyChart photo of {PT}'s setup sent in chat: {URL}. Deleted.",
]

HELDOUT_ONLY_TRAPS = [
    "Xofigo", "Lutathera", "Pluvicto", "I-131", "Y-90 SIR-Spheres", "Cs-137", "Co-60", "Sr-90", "Pd-103 seeds",
    "Ethos", "Unity", "Leksell", "ArcCHECK", "MapCHECK", "Octavius", "Delta4", "EPIQ", "IMPAX", "Sectra", "AlignRT",
    "Kaplan-Meier", "Gray", "Hounsfield units", "Lugol", "Trendelenburg", "Valsalva", "Whipple", "Bolus", "Vac-Lok",
    "Alpha Cradle", "AccuForm", "Klarity mask", "Cook catheter", "Bard", "MammoSite", "Smit sleeve",
    "Utrecht applicator",
    "Venezia applicator", "Geneva applicator", "Freiburg flap", "Capri applicator", "Morphine", "Dexamethasone",
    "Ondansetron", "Emend", "Marinol", "Biafine", "Domeboro", "Lidocaine viscous", "Hydrocortisone", "Medrol",
]

_CLEAN = [
    "pt set up on {MACHINE}, CBCT {SIZE}; tx delivered {DOSE}. {ROLE} reviewed.",
    "{TRAP} noted in the chart; {ROLE} confirmed with {SOFTWARE} before {FX}.",
    "{ENERGY} beam on {MACHINE} {TIME}: output {STANDARD} check +1.8%, within tolerance.",
    "{DRUG} given pre-tx; {TRAP} also listed. {ROLE} signed off.",
    "{CODE} missing from charge capture {WHEN}; added by {ROLE}.",
    "{AGE_OK}, {EPONYM}; plan {DOSE}, {MU}. No issues at {FX}.",
    "{VENDOR} FSE on site {WHEN} for {MACHINE}; {TRAP} recalibrated; {STANDARD} repeated.",
    "{ROLE} found {SIZE} discrepancy in {SOFTWARE}; corrected before {FX}.",
    "Beam hold at {MU} ({TIME}); {ROLE} restarted after the {TRAP} check.",
    "{EPONYM} and {TRAP}; {DOSE} completed {WHEN}.",
]
_SLOTS = {"MACHINE": t.MACHINE, "SIZE": t.SIZE, "DOSE": t.DOSE, "MU": t.MU, "SOFTWARE": t.SOFTWARE, "ROLE": t.ROLE,
          "TIME": t.TIME, "FX": t.FX, "WHEN": t.WHEN, "ENERGY": t.ENERGY, "STANDARD": t.STANDARD, "EPONYM": t.EPONYM,
          "DRUG": t.DRUG, "CODE": t.CODE, "VENDOR": t.VENDOR, "AGE_OK": t.AGE_OK, "TRAP": HELDOUT_ONLY_TRAPS}


def clean(rng: random.Random, n: int) -> str:
    """A clean note of two to three sentences, every slot a clinical fact."""
    out = " ".join(rng.sample(_CLEAN, rng.randint(2, 3)))
    for name, pool in _SLOTS.items():
        while "{" + name + "}" in out:
            out = out.replace("{" + name + "}", t.trap(rng, pool), 1)
    return out

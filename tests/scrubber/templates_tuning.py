"""Narrative templates of the tuning part (see generator.py): the scrubber was tuned on what these produce."""

from __future__ import annotations

import random

from tests.scrubber import traps as t

PLANTED: list[str] = [
    "{PT} ({MRN}, {DOB}) was set up on TrueBeam 2 with a 1.5 cm superior shift instead of inferior on {DATE}. "
    "Plan PROST_VMAT_2A, 180 cGy x 28 fx; caught at fx 3/25 on CBCT by {STAFF}. {PTAGAIN} was informed.",
    "Wrong isocenter used for {PT}, {AGE}, on {DATE}. 212 MU delivered on field 1 before the beam was held. "
    "{STAFF} reviewed the log at 14:30; {REL} was called at {PHONE}.",
    "ARIA v15.6.3 flagged a couch tolerance for {PT} ({MRN}); overridden without a second check. "
    "Reported by {STAFF}; screenshot at {URL}.",
    "Bolus forgotten for fractions 4-6 for {PT}, {DOB}. 0.5 cm bolus daily, 50 Gy in 25 fractions, 6 MV. "
    "{REL} asked for a call back at {PHONE}. Found at weekly chart check {DATE}.",
    "RT_PELVIS_v2 opened instead of RT_PELVIS_v3 for {PT}, {MRN}. No dose delivered; event time 0830, Vault 3. "
    "Physics summary to {EMAIL}.",
    "HDR source did not retract on the first attempt for {PT} ({AGE}). Ir-192, 7 Gy x 3 fractions. {STAFF} notified; "
    "afterloader {SERIAL}. {PTAGAIN} tolerated the rest of the treatment.",
    "Gantry collision on Linac B; {PT}, {MRN}, not injured. Collision detection stopped the beam at 125 MU. "
    "Couch top {SERIAL} out of service.",
    "Patient fall in the waiting room: {PT}, {AGE}. No injury per {STAFF}. Home {ADDR}; {REL} at {PHONE}.",
    "Left parotid labelled right in the structure set for {PT} ({MRN}); found before approval {DATE}. Eclipse 16.1.",
    "MU mismatch 198 MU vs 212 MU for field 3 for {PT}, {DOB}. {STAFF} re-exported; version 4.2.1 suspected.",
    "CBCT auto-match locked on the wrong vertebra for {PT}, {MRNS}; 2.4 cm superior shift. Caught at fx 12/30. "
    "Setup sheet showed {SSN}.",
    "Pacemaker check not documented for {PT}, {AGE}. Device {SERIAL}; cardiology ({STAFF}) at {PHONE}. "
    "Estimated CIED dose < 2 Gy; 10 FFF, 9 fractions remaining.",
    "Wrong patient called back: {PT} answered to a similar name; {DOB} not checked. Caught before setup in Vault 3.",
    "6X used instead of 10 FFF for field 2 for {PT}, {MRN}. 1 of 5 SBRT fractions, 10 Gy per fraction. "
    "{STAFF} estimated 3% on {DATE}; billing {ACCT}.",
    "Channel length 1200 mm vs 1300 mm for {PT}. HDR T&O, 7 Gy x 4. Physicist caught it. Reported {DATE}; {EMAIL}.",
    "CPT 77386 charged twice for {PT}, {ACCT}. Mailing address {ADDR}; {ZIP}.",
    "kV images not reviewed before treatment for {PT} ({AGE}). Offline review {DATE}: 0.8 cm shift. "
    "Image server {IP} down at 0830.",
    "Right breast tangents planned but left marked at sim for {PT}, {MRN}. Found at the time-out. "
    "{STAFF}, pager {PHONE}.",
    "Heterogeneity correction off for {PT}, {DOB}. 60 Gy in 30 fractions, lung. {STAFF} recalculated; 4%.",
    "A photo of {PT} posted to {URL} by mistake. {STAFF} informed the privacy office. {PTAGAIN}'s family was told.",
    "Mask for {PT} ({MRN}) cracked during fraction 12 of 30. Re-sim {DATE}; 2 Gy/fx continued.",
    "Time-out not performed before SRS for {PT}, {AGE}. Cone 7.5 mm verified after; 18 Gy single fraction. "
    "Workstation {IP}.",
    "Insurance hold: {PT} ({ACCT}, {SSN}); start delayed 1 week. Social work called {REL} at {PHONE}.",
    "{PT} left on the couch 20 minutes while transport was paged; {AGE}, fall risk. {STAFF} informed.",
    "Rx said 45 Gy in 25 fractions, plan had 50.4 Gy in 28 fractions for {PT}, {MRN}. Caught by {STAFF} on {DATE}.",
    "Couch shifts entered ant instead of post for {PT}; noticed on CBCT. Patient lives at {ADDR} and wants the report "
    "mailed.",
    "Wrong electron cutout (6x6 vs 4x8) for {PT}, {AGE}, 9 MeV, 250 cGy x 10. Found fx 2/10; {STAFF}. Billing {ACCT}.",
    "CT sim done without the bladder protocol for {PT} ({DOB}). Re-sim booked; call-back {PHONE}.",
    "ARIA down 14:30 to 15:10; {PT} treated from a paper printout. Server {IP}, status {URL}. Logged by {STAFF}.",
    "Contrast given despite a documented allergy for {PT} ({MRN}, {AGE}). Diphenhydramine 25 mg; {STAFF} assessed.",
    "Implanted port ({SERIAL}) in the beam path for {PT}; side not recorded. Port dose < 3 Gy.",
    "Treatment summary for {PT} sent to {EMAIL} instead of the referring clinic. Privacy office notified {DATE}.",
    "Chart of {PT} showed the wrong {DOB}; caught by the two-identifier check. {MRN} merged by HIM.",
    "{PT} waited 80 minutes; Vault 3 down for an MLC fault; {AGE}. {REL} drove in {CITY}.",
    "PTV margin 5 mm instead of 7 mm for {PT} ({MRN}). Peer review {DATE}; {STAFF} re-planned.",
    "Gating disabled on Linac B for {PT}, {DOB}; 3 fractions ungated. Physics ({STAFF}, {EMAIL}) evaluated.",
    "{REL} entered the vault during beam-on for {PT}; beam interrupted at 40 MU. Interlock replaced ({SERIAL}).",
    "Leaf sequence from another plan exported for {PT}. Independent MU check caught it. {STAFF} at {PHONE}.",
    "ID band missing for {PT} ({AGE}), inpatient 5 West bed 12. Photo in ARIA used. {MRN}.",
    "SBRT fx 3 delivered with the previous day's shifts. {PT}, {DOB}. Reviewed by {STAFF} {DATE}.",
    "Only 2 of 3 fiducials visible for {PT}, {MRN}; matched to two seeds, 3 mm residual. {STAFF} approved.",
    "{PT} asked reminders go to {PHONE} and {EMAIL}; old address {ADDR} still on file.",
    "Grade 3 dermatitis at 40 Gy for {PT} ({AGE}); bolus left on 5 fractions instead of 3. {STAFF} held on {DATE}.",
    "Whole-brain fields opened instead of the spine plan for {PT}. {MRN}; reported by {STAFF}. "
    "Requisition listed {SSN}.",
    "TG-142 output 2.5% high on TrueBeam 2; {PT} ({MRN}) and 11 others treated before the adjustment. {DATE}.",
    "Old pacemaker ({SERIAL}) found during treatment of {PT}, {AGE}. 1.2 Gy to the device; rep at {PHONE}.",
    "Consent signed by {REL} but not witnessed for {PT}, {DOB}. {STAFF} obtained a new consent.",
    "Wrong applicator length for {PT}, {MRN}; dwell positions 1 cm off. Caught by {STAFF}. {PTAGAIN} not treated.",
    "{PT} uploaded a photo with a visible wristband to {URL}. Removed on request.",
    "Intake form for {PT} with {SSN} and {ACCT} left at the printer. Shredded {DATE}.",
    "Follow-up letter mailed to {PT} at {ADDR}; {REL} called {PHONE}, upset.",
    "Registration desk: {BARE}, {DOB}, {MRN}, checked in for the wrong department. Redirected by {STAFF}.",
    "Outside records faxed to {PHONE} instead of the clinic; they included {BARE} and {SSN}.",
    "Wristband of {BARE} printed with another patient's {MRN}; caught at the time-out before 2 Gy was delivered.",
    "Schedule note {INITDATE}: CBCT skipped, physician approval missing. 45 Gy/25 fx pelvis.",
    "{PT} from {ZIP} area missed 2 fractions (transport). {REL} is the contact; {PHONE}.",
    "Prior auth for {PT}: {ACCT}; plan start moved to {DATE}. Eclipse plan ready, 70 Gy/35 fx.",
    "{PT}, {AGE}, {DOB}: daily CBCT showed 8 mm rotation; Qfix board reindexed. {PTAGAIN} tolerated.",
    "Event {INITDATE} - couch vertical off 1.2 cm, corrected before beam on, TrueBeam 2.",
    "{PT} ({MRN}) - Gleason 4+3 prostate; Foley not placed before sim; 77 Gy planned. {STAFF} aware.",
]

_CLEAN_SENTENCES = [
    "Patient set up on {MACHINE} with the wrong immobilization; CBCT showed a {SIZE} shift; {DOSE}.",
    "MU mismatch of {MU} in the TPS vs {SOFTWARE} for field 2; caught by {ROLE} before beam on {TIME}.",
    "Bolus omitted for {FX}; chest wall, {DOSE}; {ROLE} reviewed {WHEN}.",
    "Wrong energy: {ENERGY} instead of {ENERGY} on {MACHINE}; no dose delivered.",
    "Morning QA {TIME} on {MACHINE} showed output 2.1% high; {STANDARD} tolerance 3%.",
    "{EPONYM} noted at sim; {ROLE} updated the plan in {SOFTWARE}.",
    "Premedication {DRUG} not given before {FX}; {ROLE} gave it {TIME}.",
    "{CODE} billed twice; corrected by {ROLE}. No clinical impact.",
    "{VENDOR} service replaced an MLC motor on {MACHINE}; {STANDARD} checks passed {TIME}.",
    "{AGE_OK} patient fell off the couch step {WHEN}; {ROLE} assessed, no injury.",
    "Plan approved without {SIZE} evaluated; {ROLE} re-evaluated in {SOFTWARE}: within limits.",
    "{DOSE} prescribed; {FX} delivered with yesterday's shifts ({SIZE}).",
    "Interlock stopped the beam at {MU}; {VENDOR} ticket opened; {MACHINE} down until {TIME}.",
    "Patient on {DRUG} and {DRUG}; {ROLE} held treatment {WHEN} for mucositis.",
    "{EPONYM}: {ROLE} asked for a re-plan with {SIZE}; {DOSE}.",
]

_SLOTS = {"MACHINE": t.MACHINE, "SIZE": t.SIZE, "DOSE": t.DOSE, "MU": t.MU, "SOFTWARE": t.SOFTWARE, "ROLE": t.ROLE,
          "TIME": t.TIME, "FX": t.FX, "WHEN": t.WHEN, "ENERGY": t.ENERGY, "STANDARD": t.STANDARD, "EPONYM": t.EPONYM,
          "DRUG": t.DRUG, "CODE": t.CODE, "VENDOR": t.VENDOR, "AGE_OK": t.AGE_OK}


def clean(rng: random.Random, n: int) -> str:
    """A clean narrative of two to four sentences, every slot a clinical fact."""
    sentences = rng.sample(_CLEAN_SENTENCES, rng.randint(2, 4))
    out = " ".join(sentences)
    for name, pool in _SLOTS.items():
        while "{" + name + "}" in out:
            out = out.replace("{" + name + "}", t.trap(rng, pool), 1)
    return out[0].upper() + out[1:]

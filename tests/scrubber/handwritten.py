"""Hand-written narratives, in the voice of real reports (part of the tuning set).

Planted identifiers are marked ``[[KIND|text]]``; ``parse`` turns a marked narrative into (text, plants) with the
plants as (kind, start, end, "handwritten").
"""

from __future__ import annotations

import re

_MARK = re.compile(r"\[\[([A-Z]+)\|(.+?)\]\]")

MARKED: list[str] = [
    "pt [[NAME|jones]] came in for fx 7/25 and the bolus was not on. [[NAME|Jones]] said nobody mentioned it.",
    "[[NAME|GARCIA]], [[NAME|MARIA]] [[MRN|00482913]] wrong shifts entered, caught on CBCT before beam on.",
    "Called pt's daughter [[NAME|Linda]] at [[PHONE|(617) 555-0142]] to reschedule; she asked us to use "
    "[[PHONE|555-0199]] instead.",
    "Mrs [[NAME|O'Neil]]'s POA ([[NAME|Robert]] [[NAME|O'Neil]]) signed consent; [[NAME|O'Neil]] was then treated.",
    "[[NAME|Hernandez-Ruiz]] treated on Halcyon with the wrong Qfix board. Klarity mask ok. MRNs "
    "[[MRN|44810293, 44810294]] were both opened in MOSAIQ.",
    "Pacemaker ser# [[SERIAL|PJN448120]] not documented; the rep from Medtronic called [[PHONE|800.633.8766 x4412]].",
    "Pt from [[ZIP|(02139)]] missed appts; insurance member # [[ACCOUNT|XJH884412209]], prior auth "
    "[[ACCOUNT|PA-2024-55812]] lapsed.",
    "[[AGE|92]]F on Xarelto, fell at the Tomo couch. Wife [[NAME|Ruth]] present.",
    "Plan approved [[DATE|Tues 3/12]] without physics check; found [[DATE|3.14.24]] by [[NAME|JK]] [[DATE|3/15]].",
    "see [[URL|bit.ly/3xRtq9]] for the photo that was posted. Guardian: [[NAME|Tom]] [[NAME|Okafor]].",
    "Patient [[NAME|Nguyen]] had Gleason 4+3, Foley in place, 78 Gy/39 fx on TrueBeam. Dr. [[NAME|Hodges]] aware.",
    "[[NAME|smith]], [[NAME|john]] DOB [[DATE|2/3/41]] lives at [[ADDRESS|14 Elm St]], [[ADDRESS|Quincy]], MA "
    "[[ZIP|02169]].",
    "therapist [[NAME|Becca]] noticed the 6FFF vs 10FFF mismatch on Versa HD at 0715. No dose given.",
    "The reference number for the Varian ticket is [[ACCOUNT|ABC-448812]]; lot [[SERIAL|23B0441]] of bolus recalled.",
]

CLEAN: list[str] = [
    "Gleason 4+3 prostate, Foley catheter placed at sim; 78 Gy in 39 fractions, VMAT on TrueBeam 2, 6 MV.",
    "Hodgkin lymphoma, ISRT 30.6 Gy/17 fx; Eclipse 16.1 plan approved after peer review on Monday.",
    "Varian service replaced the MLC motor on the Halcyon; Qfix board and Klarity mask re-indexed.",
    "Accuray TomoTherapy couch sag 3 mm; RayStation 11B plan recalculated; Pinnacle no longer used.",
    "MOSAIQ and ARIA interface down 13:45-14:30; Elekta Versa HD treated from paper; CPT 77386, 77427 billed.",
    "Pt on dexamethasone 4 mg BID and Keppra; grade 2 dermatitis at 40 Gy; Mepitel applied.",
    "Winston-Lutz 0.8 mm, TG-142 monthly passed; Monte Carlo recalculation within 2%.",
    "The 89-year-old was treated with 8 Gy x 1 to the left hip; temp 101 F, held next day.",
    "Ann Arbor stage IIA; 20 Gy/10 fx; Lugano criteria; Karnofsky 80; Fletcher suit applicator not used.",
    "Morning QA at 0715: output +1.2%, 6FFF and 10FFF within tolerance; IEC 61217 coordinates confirmed.",
]


def parse(marked: str) -> tuple[str, list[tuple[str, int, int, str]]]:
    text: list[str] = []
    plants = []
    pos = 0
    last = 0
    for m in _MARK.finditer(marked):
        chunk = marked[last : m.start()]
        text.append(chunk)
        pos += len(chunk)
        kind, value = m.group(1), m.group(2)
        plants.append((kind, pos, pos + len(value), "handwritten"))
        text.append(value)
        pos += len(value)
        last = m.end()
    text.append(marked[last:])
    return "".join(text), plants


PLANTED = [parse(m) for m in MARKED]

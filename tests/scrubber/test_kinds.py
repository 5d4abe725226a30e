"""Each kind of identifier in the formats US clinics type, the clinical guard list, and recurrence masking.

Pure Python: ``.venv/bin/python -m pytest tests/scrubber/test_kinds.py -q``.
"""

from __future__ import annotations

import pytest

from foundation.scrubber import find_identifiers, scrub
from tests.scrubber import handwritten
from tests.scrubber.generator import SIZES, build


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_identifiers(text)]


# --- names: cues, letter case, forms ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("pt smith tolerated the sim", "smith"),
        ("Pt Okafor was set up on Linac B", "Okafor"),
        ("patient Garcia-Lopez arrived late", "Garcia-Lopez"),
        ("PATIENT: SMITH, JOHN arrived", "SMITH"),
        ("Jones, Mary was treated with the wrong plan", "Mary"),
        ("GARCIA, MARIA 00482913 wrong shifts", "GARCIA"),
        ("BAKER,MARK gated wrongly", "MARK"),
        ("john smith was set up wrongly", "john"),
        ("JOHN SMITH was set up wrongly on the Halcyon", "SMITH"),
        ("John Q. Sanders had the wrong bolus", "Sanders"),
        ("Hernandez-Ruiz treated on the Halcyon", "Hernandez-Ruiz"),
        ("daughter Linda called back", "Linda"),
        ("his wife, Ruth, was present", "Ruth"),
        ("POA: Jane Doe signed the consent", "Doe"),
        ("power of attorney Robert Chen asked for records", "Chen"),
        ("guardian Tom Okafor arrived", "Okafor"),
        ("healthcare proxy Ann Lee was called", "Lee"),
        ("wife (April) asked for a call", "April"),
        ("RTT Becca noticed the wrong cutout", "Becca"),
        ("physicist Lee Nguyen checked the plan", "Nguyen"),
        ("dr patel approved the plan", "patel"),
        ("per Dr. A. Fleming the shift was fine", "Fleming"),
        ("Mrs. Young was treated", "Young"),
        ("spoke with Karen at the front desk", "Karen"),
        ("the patient (Aisha Torres) was treated", "Aisha"),
        ("name: Adebukola Olujimi", "Olujimi"),
    ],
)
def test_find_identifiers_name_in_context_is_masked(text, name):
    assert ("NAME", name) in _kinds(text) or any(k == "NAME" and name in t for k, t in _kinds(text))
    assert name not in scrub(text)


@pytest.mark.parametrize(
    ("text", "initials"),
    [("JS 3/14/24 wrong bolus", "JS"), ("Event 03/14/2024 - K.B.: couch off", "K.B."),
     ("M.R. January 27, 2023", "M.R.")],
)
def test_find_identifiers_initials_next_to_a_date_are_a_name(text, initials):
    assert ("NAME", initials) in _kinds(text)


@pytest.mark.parametrize(
    ("text", "later"),
    [
        ("Mr. Okafor was set up on TrueBeam 2. Later okafor said the mask was loose; OKAFOR left.",
         ["okafor", "OKAFOR"]),
        ("pt smith had the wrong bolus. Smith tolerated the rest.", ["Smith"]),
        ("Dr. Patel approved. The plan Patel approved had 2 Gy/fx.", ["Patel"]),
    ],
)
def test_scrub_name_found_once_is_masked_wherever_it_recurs(text, later):
    out = scrub(text)
    for word in later:
        assert word not in out, out


def test_scrub_common_word_name_recurs_only_capitalised():
    out = scrub("Mr. Young was treated. The young resident checked; Young signed.")
    assert "young resident" in out and "Young" not in out


# --- the clinical guard list: clean sentences come out unchanged --------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Gleason 4+3 prostate; Foley catheter placed at sim; Hodgkin lymphoma in remission.",
        "Varian TrueBeam, Elekta Versa HD and Accuray TomoTherapy all passed TG-142 monthly QA.",
        "Plan from Eclipse 16.1 exported to MOSAIQ; RayStation and Pinnacle plans were compared in ARIA.",
        "Qfix board, Klarity mask, Halcyon couch; the Tomo unit was down.",
        "Winston-Lutz 0.8 mm; Monte Carlo recalculation; Bragg peak; Ann Arbor stage IIA.",
        "Patient on dexamethasone 4 mg, Keppra, Zofran and Xarelto; Decadron was held.",
        "180 cGy x 28 fx, 212 MU at 14:30, 6 MV, 10 FFF, 9 MeV, fx 3/25, fraction 12 of 30, 2 Gy/fx.",
        "CPT 77386 billed twice; 77427 and 77336 missing; G6015; ICD-10 C61; IEC 60601; 10 CFR 35.3045.",
        "ARIA v15.6.3, Eclipse 16.1.24, version 4.2.10, MOSAIQ 2.83; dose rate 600 MU/min; range 100-1400 MU/min.",
        "Pt tolerated well; pt will return Monday; patient positioning system faulted; Patient Safety Organization.",
        "Physics, Dosimetry, Radiology and Scheduling were notified; the RTT and the RN agreed.",
        "An 89-year-old and a 67-year-old, 72M and 58F, were treated; temp 101 F held the next fraction.",
        "Karnofsky 70, Wilms tumor, Ewing sarcoma, Merkel cell, Kaposi sarcoma; Fletcher suit applicator.",
        "RT Breast and RT Lung plans; PA field and AP field; the right parotid was spared.",
    ],
)
def test_scrub_clinical_vocabulary_is_never_masked(text):
    assert scrub(text) == text


@pytest.mark.parametrize("text", handwritten.CLEAN)
def test_scrub_handwritten_clean_narrative_is_unchanged(text):
    assert scrub(text) == text


# --- structured identifiers, widened ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("lives in (02139) area", "ZIP", "02139"),
        ("pt from 02115 missed appts", "ZIP", "02115"),
        ("Tateside 50207", "ADDRESS", "Tateside"),
        ("lives in Springfield now", "ADDRESS", "Springfield"),
        ("home 8396 Jeremiah Locks Apt. 304", "ADDRESS", "8396 Jeremiah Locks Apt. 304"),
        ("Cook County resident", "ADDRESS", "Cook County"),
        ("ser# 1234567", "SERIAL", "1234567"),
        ("serial no. ABC12345", "SERIAL", "abc12345"),
        ("lot 23B0441 recalled", "SERIAL", "23B0441"),
        ("model/serial AB123/1234567", "SERIAL", "AB123/1234567"),
        ("member # XJH884412209", "ACCOUNT", "XJH884412209"),
        ("prior auth # PA-2024-55812", "ACCOUNT", "PA-2024-55812"),
        ("authorization number 88123456", "ACCOUNT", "88123456"),
        ("ref # 554321", "ACCOUNT", "554321"),
        ("BCBS ID XYZ123456789", "ACCOUNT", "XYZ123456789"),
        ("call (617)555-0142", "PHONE", "(617)555-0142"),
        ("cell 617.555.0142 x123", "PHONE", "617.555.0142 x123"),
        ("001-617-555-0142x4412", "PHONE", "001-617-555-0142x4412"),
        ("faxed to 555-0199 by mistake", "PHONE", "555-0199"),
        ("MRNs 44810293 and 44810294", "MRN", "44810293 and 44810294"),
        ("DOB 3.14.45", "DATE", "3.14.45"),
        ("seen 3.14.24 at sim", "DATE", "3.14.24"),
        ("on Mon 3/14 the plan", "DATE", "Mon 3/14"),
        ("found Tuesday, March 12 at sim", "DATE", "Tuesday, March 12"),
        ("3/14 (Thu) re-sim", "DATE", "3/14"),
        ("dated 03/14/'24", "DATE", "03/14/'24"),
        ("Reported 091123 by phone", "DATE", "091123"),
        ("a 92F on Xarelto", "AGE", "92"),
        ("aged 94yoM", "AGE", "94"),
        ("see bit.ly/3xRtq9 now", "URL", "bit.ly/3xRtq9"),
        ("tinyurl.com/abcde was posted", "URL", "tinyurl.com/abcde"),
    ],
)
def test_find_identifiers_widened_format_is_found(text, kind, value):
    assert any(k == kind and value.lower() in t.lower() for k, t in _kinds(text)), _kinds(text)


# --- the generated corpus meets the brief -------------------------------------------------------------------------
def test_generator_tuning_part_meets_the_sizes_of_the_brief():
    planted, clean = build("tuning")
    assert len(planted) >= SIZES["planted"] >= 1000 and len(clean) >= SIZES["clean"] >= 300
    for text, plants in planted[:200]:
        assert all(0 <= start < end <= len(text) for _kind, start, end, _tag in plants)


def test_generator_heldout_names_outside_the_detector_lists_are_unknown_to_it():
    from foundation.scrubber.lexicon import lexicon
    from tests.scrubber.generator import _oov_firsts, _oov_lasts

    lex = lexicon()
    firsts, lasts = _oov_firsts(), _oov_lasts()
    assert len(firsts) > 50 and len(lasts) > 50
    assert not any(lex.is_first(n.lower()) for n in firsts)
    assert not any(lex.is_last(n.lower()) for n in lasts)

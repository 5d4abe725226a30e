"""Clinical facts that look like identifiers to a careless scrubber: what clean narratives are made of.

Each pool is a list of phrases; ``trap(rng, pool)`` picks one.  Doses, fractions, MU, CPT and ICD codes, times,
energies, versions, standards, vendor and product names, eponyms and drug names; nothing here identifies anyone.
"""

from __future__ import annotations

import random

DOSE = ["180 cGy x 28 fx", "50.4 Gy in 28 fractions", "2 Gy/fx", "45 Gy/25 fx", "60 Gy in 30 fractions", "8 Gy x 1",
        "30 Gy in 10 fractions", "7 Gy x 3", "250 cGy x 10", "18 Gy single fraction", "40.05 Gy/15 fx", "70 Gy/35 fx",
        "3 Gy x 10", "5 Gy x 5", "12 Gy in 4 fx BID", "20 Gy/5", "4 Gy x 5", "36 Gy in 12 fractions", "54 Gy/30",
        "1.8 Gy daily", "26 Gy/5 fx", "600 cGy x 5", "35 Gy in 5 fractions", "24 Gy/3 fx", "15 Gy x 1"]
MU = ["212 MU", "198 MU", "1400 MU/min", "600 MU/min", "85 MU of 212 MU", "1,245 MU", "40 MU", "325 MU", "2400 MU"]
FX = ["fx 3/25", "fraction 12 of 30", "fx 12/30", "fraction 2 of 6", "fx #4", "fractions 4-6", "fx 1/28", "day 3 of 5",
      "after 3/5 fractions", "fx 5 of 5", "fraction 17/33", "fx 22/28"]
TIME = ["at 14:30", "2:15 pm", "0830", "at 07:45", "0715", "13:45", "at 0930", "around 1600", "at 11:05 am", "1930"]
ENERGY = ["6 MV", "6X", "10 FFF", "10X FFF", "18MV", "15X", "9 MeV", "12 MeV", "6 MeV electrons", "6FFF", "16 MeV"]
MACHINE = ["TrueBeam 2", "Vault 3", "Linac B", "the Halcyon", "Tomo", "TomoTherapy", "CyberKnife", "Versa HD",
           "Elekta Synergy", "the Ethos", "Varian Edge", "Truebeam #1", "Trilogy", "Clinac iX", "Infinity",
           "Gamma Knife Icon", "MR-Linac", "Elekta Unity", "ViewRay MRIdian", "Radixact", "the Tomo unit"]
SOFTWARE = ["ARIA v15.6.3", "Eclipse 16.1", "version 4.2.1", "MOSAIQ 2.83", "RayStation 11B", "Pinnacle 16.2",
            "Eclipse v15.6", "ARIA 16", "Monaco 6.1", "Mobius3D", "RadCalc 7.1", "SunCHECK", "MIM 7.2", "Velocity 4.1",
            "Epic", "BrachyVision", "Oncentra Brachy 4.6", "AlignRT 6.3", "ExacTrac 6.5", "Calypso", "Qfix", "Klarity",
            "PerFRACTION", "DoseCHECK", "iView", "XVI 5.0", "Portal Dosimetry", "ARIA OIS", "Mosaiq"]
STANDARD = ["TG-142", "TG-51", "TG-100", "TG-218", "TG-203", "10 CFR 35.3045", "IEC 60601", "ICRU 83", "NCRP 151",
            "TG-43", "MPPG 5.a", "IEC 61217", "AAPM TG-40", "ACR", "ASTRO", "SAFRON", "RO-ILS", "Joint Commission"]
CODE = ["CPT 77386", "77301", "CPT 77412", "77427", "77336", "G6015", "77014", "77300", "CPT 77470", "77290",
        "ICD-10 C61", "C50.911", "C34.12", "Z51.0", "77263", "77338", "77373", "77435", "77767", "77770"]
SIZE = ["shift 1.2 cm", "5 mm", "0.5 cm bolus", "2.4 cm superior", "3%/2 mm", "couch kick of 90 degrees", "gantry 270",
        "SSD 100 cm", "1 cm ITV", "7.5 mm cone", "10x10 applicator", "6x6 cutout", "1300 mm", "0.8 mm", "collimator 30",
        "V20 < 30%", "V70 of 18%", "mean 5.2 Gy", "Dmax 107%", "D95 of 98%", "2.5 mm", "CTV to PTV 7 mm"]
EPONYM = ["Gleason 4+3", "Foley catheter", "Hodgkin lymphoma", "Winston-Lutz", "Wilms tumor", "Ewing sarcoma",
          "Karnofsky 70", "Fletcher suit applicator", "Syed template", "Bragg peak", "Monte Carlo", "Gafchromic film",
          "Mammosite", "SAVI applicator", "Henschke applicator", "Manchester point A", "Clarkson integration",
          "Cherenkov imaging", "Pancoast tumor", "Merkel cell", "Kaposi sarcoma", "Barrett esophagus", "Bell palsy",
          "Graves disease", "Hurthle cell", "Brachial plexus", "Lhermitte sign", "Crohn disease", "Parkinson disease",
          "Foley", "Gleason 9", "non-Hodgkin", "Swiss roll"]
DRUG = ["dexamethasone 4 mg", "ondansetron 8 mg", "Zofran", "Decadron", "temozolomide", "cisplatin 40 mg/m2",
        "capecitabine", "Keytruda", "pembrolizumab", "lidocaine", "Silvadene", "Aquaphor", "Mepitel", "morphine",
        "lorazepam", "Ativan", "Compazine", "prochlorperazine", "Lasix", "Coumadin", "warfarin", "Eliquis", "Xarelto",
        "Plavix", "metformin", "insulin", "Benadryl", "diphenhydramine 25 mg", "prednisone", "Keppra", "Tylenol",
        "Miralax", "Imodium", "Neulasta", "Herceptin", "tamoxifen", "Lupron", "Zoladex", "Xgeva", "Ensure",
        "Magic mouthwash", "sucralfate", "Flomax", "oxycodone", "gabapentin", "Lyrica", "fentanyl patch", "Dilaudid"]
VENDOR = ["Varian", "Elekta", "Accuray", "Siemens", "Philips", "GE", "Canon", "Brainlab", "Sun Nuclear", "IBA", "PTW",
          "Standard Imaging", "CIRS", "Civco", "Orfit", "Bionix", "Medtronic", "Boston Scientific", "St. Jude",
          "Abbott", "Biotronik", "Vision RT", "C-RAD", "Xoft", "Best Theratronics", "Nucletron", "Eckert & Ziegler"]
ROLE = ["the therapist", "the attending", "the physicist", "Physics", "Dosimetry", "the charge nurse", "the resident",
        "the RSO", "the second therapist", "IT", "Biomed", "the service engineer", "the front desk", "the MD",
        "the nurse navigator", "Scheduling", "the dosimetrist", "Dr. on call", "the covering physician", "radiology"]
AGE_OK = ["a 67-year-old", "an 89-year-old", "age 67", "the patient, aged 45,", "a 34 yo", "72M", "58F", "a 7 y/o",
          "45 y/o female", "81 year old male", "a man in his 70s"]
WHEN = ["in 2019", "week 3", "on Monday", "Tuesday morning", "last week", "yesterday", "during the 2023 upgrade",
        "in Q3", "every Friday", "at the weekly chart rounds", "over the weekend", "on day 1", "in March"]


def trap(rng: random.Random, pool: list[str]) -> str:
    return rng.choice(pool)

"""Synthetic radiation-oncology safety narratives for the identifier scrubber.

Nothing here is real patient data: every name, number and address is generated from the pools
below with a fixed seed, so the corpus is identical on every run.

* ``PLANTED``: (narrative, [(kind, planted substring)]).  Templates carry ``{SLOT}`` markers; each
  slot is filled by a generator that cycles through the formats a reporter might use (so every
  format is exercised) and returns the phrase written into the narrative plus the identifying part
  that must not survive (for "MRN 12345678" that is "12345678"; for "Dr. Patel" it is "Patel").
  Each planted substring occurs exactly once in its narrative, so tests can locate it.
* ``CLEAN``: narratives with no identifiers but dense with clinical facts that must survive.
* ``CLINICAL_FACTS``: short phrases that must come out of ``scrub`` unchanged.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable

Plant = tuple[str, str]  # (kind, planted substring)
Filled = tuple[str, list[Plant]]  # (phrase written into the narrative, what it plants)


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "John Maria Robert Linda James Patricia Michael Jennifer David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Margaret Donald "
    "Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna Kenneth Michelle Kevin Dorothy Brian Carol "
    "George Amanda Edward Melissa Ronald Deborah Timothy Stephanie Rebecca Sharon Ryan Laura Jacob Cynthia "
    "Gary Kathleen Amy Eric Angela Shirley Anna Larry Brenda Pamela Emma Nicole Helen Samuel Gregory Rachel "
    "Priya Wei Aisha Jamal Mei Olga Hiroshi Fatima Carlos Ngozi June April"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Taylor Moore Jackson Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker "
    "Young Allen King Wright Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell "
    "Carter Roberts Patel Okafor Kowalski Lindqvist Whitfield McAllister MacDonald O'Brien D'Angelo Yamamoto "
    "Chen Haddad Novak Fitzgerald Brooks Alvarez Harper Nakamura Ivanova Schmidt"
)
STREETS = _words("Oak Maple Cedar Pine Elm Main Washington Lake Sunset Highland Chestnut Walnut Willow Jefferson "
                 "Lincoln")
SUFFIXES = _words("Street Avenue Road Lane Drive Court Place Way Boulevard Terrace")
CITIES = [("Springfield", "IL"), ("Columbus", "OH"), ("Austin", "TX"), ("Denver", "CO"), ("Portland", "OR"),
          ("Madison", "WI"), ("Fairview", "PA"), ("Cedar Rapids", "IA"), ("Ann Arbor", "MI"),
          ("Salt Lake City", "UT"), ("Boston", "MA"), ("Hartford", "CT"), ("Baltimore", "MD"), ("Raleigh", "NC"),
          ("Tucson", "AZ")]
HOSPITALS = _words("stmarys mercyhealth riverside-onc lakeviewcancer northshore valleyrad")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]
ONES = _words("one two three four five six seven eight nine")


def _ord(d: int) -> str:
    return "th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


def _nth(n: int) -> str:
    return f"{n}{_ord(n)}"


def _n(rng: random.Random, digits: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))


def _letters(rng: random.Random, k: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(k))


def _ymd(rng: random.Random, lo: int, hi: int) -> tuple[int, int, int]:
    return rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28)


def _same(phrase: str, kind: str) -> Filled:
    return phrase, [(kind, phrase)]


def _labelled(label: str, value: str, kind: str) -> Filled:
    return f"{label}{value}", [(kind, value)]


# --- generators: each is a list of formats; a format maps an RNG to (phrase, plants) -------------
Format = Callable[[random.Random], Filled]


def _event_date(fmt: Callable[[int, int, int], str]) -> Format:
    return lambda rng: _same(fmt(*_ymd(rng, 2019, 2025)), "DATE")


DATE: list[Format] = [
    _event_date(lambda y, m, d: f"{m:02d}/{d:02d}/{y}"),
    _event_date(lambda y, m, d: f"{m}-{d}-{y % 100:02d}"),
    _event_date(lambda y, m, d: f"{y}-{m:02d}-{d:02d}"),
    _event_date(lambda y, m, d: f"{MONTHS[m - 1]} {d}, {y}"),
    _event_date(lambda y, m, d: f"{d} {ABBR[m - 1]} {y}"),
    _event_date(lambda y, m, d: f"{ABBR[m - 1]} {d}{_ord(d)}"),
    _event_date(lambda y, m, d: f"{m}/{d}/{y}"),
    _event_date(lambda y, m, d: f"{ABBR[m - 1]}. {d}, {y}" if m != 5 else f"May {d}, {y}"),
    _event_date(lambda y, m, d: f"{d:02d}-{ABBR[m - 1][:3].upper()}-{y}"),
    _event_date(lambda y, m, d: f"{d}{_ord(d)} of {MONTHS[m - 1]}"),
    _event_date(lambda y, m, d: f"{MONTHS[m - 1]} {d}"),
    _event_date(lambda y, m, d: f"{m:02d}.{d:02d}.{y}"),
    _event_date(lambda y, m, d: f"{y}/{m:02d}/{d:02d}"),
    _event_date(lambda y, m, d: f"{d} {MONTHS[m - 1]}"),
    _event_date(lambda y, m, d: f"{MONTHS[m - 1]} {y}"),
    _event_date(lambda y, m, d: f"{d:02d}/{m:02d}/{y % 100:02d}"),
]


def _dob(label: str, fmt: Callable[[int, int, int], str]) -> Format:
    return lambda rng: _labelled(label, fmt(*_ymd(rng, 1925, 1965)), "DATE")


DOB: list[Format] = [
    _dob("DOB ", lambda y, m, d: f"{m}/{d}/{y % 100:02d}"),
    _dob("DOB: ", lambda y, m, d: f"{m:02d}/{d:02d}/{y}"),
    _dob("date of birth ", lambda y, m, d: f"{MONTHS[m - 1]} {d}, {y}"),
    _dob("born ", lambda y, m, d: f"{ABBR[m - 1]} {d}, {y}"),
    _dob("D.O.B. ", lambda y, m, d: f"{m}-{d}-{y}"),
    _dob("DOB ", lambda y, m, d: f"{m:02d}{d:02d}{y}"),
    _dob("DOB ", lambda y, m, d: f"{y}-{m:02d}-{d:02d}"),
    _dob("birthdate ", lambda y, m, d: f"{d} {ABBR[m - 1]} {y}"),
    _dob("DOB ", lambda y, m, d: f"{m}/{d}"),
    _dob("dob ", lambda y, m, d: f"{m}.{d}.{y}"),
]

MRN: list[Format] = [
    lambda r: _labelled("MRN ", _n(r, 8), "MRN"),
    lambda r: _labelled("MRN: ", _letters(r, 1) + _n(r, 7), "MRN"),
    lambda r: _labelled("record # ", _n(r, 6), "MRN"),
    lambda r: _labelled("medical record number ", "00" + _n(r, 6), "MRN"),
    lambda r: _labelled("MR# ", _n(r, 7), "MRN"),
    lambda r: _labelled("chart # ", _n(r, 7), "MRN"),
    lambda r: _labelled("MRN#", _n(r, 8), "MRN"),
    lambda r: _labelled("patient ID ", _n(r, 9), "MRN"),
    lambda r: _labelled("EMPI ", _n(r, 8), "MRN"),
    lambda r: _labelled("med rec no. ", _n(r, 7), "MRN"),
    lambda r: _labelled("chart ", _n(r, 8), "MRN"),  # no label keyword: caught as a long bare number
    lambda r: _labelled("MRN ", _letters(r, 2) + _n(r, 6), "MRN"),
]

ACCT: list[Format] = [
    lambda r: _labelled("acct ", f"{_n(r, 4)}-{_n(r, 3)}", "ACCOUNT"),
    lambda r: _labelled("account number ", _n(r, 8), "ACCOUNT"),
    lambda r: _labelled("acct # ", f"{_n(r, 5)}-{_n(r, 2)}", "ACCOUNT"),
    lambda r: _labelled("billing account ", _n(r, 7), "ACCOUNT"),
    lambda r: _labelled("insurance ID ", _letters(r, 3) + _n(r, 6), "ACCOUNT"),
    lambda r: _labelled("member ID ", _letters(r, 1) + _n(r, 9), "ACCOUNT"),
    lambda r: _labelled("policy number ", f"{_n(r, 3)}-{_n(r, 3)}-{_n(r, 3)}", "ACCOUNT"),
    lambda r: _labelled("Medicare number ", f"{_n(r, 1)}{_letters(r, 2)}{_n(r, 1)}-{_letters(r, 2)}{_n(r, 1)}-"
                                            f"{_letters(r, 2)}{_n(r, 2)}", "ACCOUNT"),
    lambda r: _labelled("account #", _n(r, 7), "ACCOUNT"),
    lambda r: _labelled("Acct: ", _n(r, 6), "ACCOUNT"),
]


def _area(r: random.Random) -> str:
    return str(r.randint(201, 989))


PHONE: list[Format] = [
    lambda r: _same(f"{_area(r)}-{_area(r)}-{_n(r, 4)}", "PHONE"),
    lambda r: _same(f"({_area(r)}) {_area(r)}-{_n(r, 4)}", "PHONE"),
    lambda r: _same(f"+1 {_area(r)} {_area(r)} {_n(r, 4)}", "PHONE"),
    lambda r: _same(f"{_area(r)}.{_area(r)}.{_n(r, 4)}", "PHONE"),
    lambda r: _same(f"1-800-{_area(r)}-{_n(r, 4)}", "PHONE"),
    lambda r: _same(f"({_area(r)}){_area(r)}-{_n(r, 4)}", "PHONE"),
    lambda r: _same(f"{_area(r)} {_area(r)} {_n(r, 4)}", "PHONE"),
    lambda r: _labelled("phone ", f"{_area(r)}-{_n(r, 4)}", "PHONE"),
    lambda r: _same(f"+1-{_area(r)}-{_area(r)}-{_n(r, 4)}", "PHONE"),
    lambda r: _labelled("cell ", f"{_area(r)}-{_area(r)}-{_n(r, 4)}", "PHONE"),
]


def _email(fmt: Callable[[str, str, random.Random], str]) -> Format:
    return lambda r: _same(fmt(r.choice(FIRST), r.choice(LAST).replace("'", ""), r), "EMAIL")


EMAIL: list[Format] = [
    _email(lambda f, la, r: f"{f.lower()}.{la.lower()}@gmail.com"),
    _email(lambda f, la, r: f"{f[0].lower()}{la.lower()}{_n(r, 2)}@yahoo.com"),
    _email(lambda f, la, r: f"{f.lower()}_{la.lower()}@{r.choice(HOSPITALS)}.org"),
    _email(lambda f, la, r: f"{f.lower()}.{la.lower()}+rt@example.net"),
    _email(lambda f, la, r: f"pt{_n(r, 4)}@mychart.{r.choice(HOSPITALS)}.edu"),
    _email(lambda f, la, r: f"{f}.{la}@Outlook.com"),
]


def _ssn(r: random.Random, sep: str = "-") -> str:
    area = r.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}{sep}{r.randint(1, 99):02d}{sep}{r.randint(1, 9999):04d}"


SSN: list[Format] = [
    lambda r: _same(_ssn(r), "SSN"),
    lambda r: _same(_ssn(r, " "), "SSN"),
    lambda r: _labelled("SSN ", _ssn(r, ""), "SSN"),
    lambda r: _labelled("SSN: ", _ssn(r), "SSN"),
    lambda r: _labelled("social security number ", _ssn(r, " "), "SSN"),
    lambda r: _labelled("last four of SSN ", f"{r.randint(1000, 9999)}", "SSN"),
    lambda r: _labelled("SS# ", _ssn(r), "SSN"),
]


def _street(r: random.Random) -> str:
    return f"{r.randint(1, 9899)} {r.choice(STREETS)}"


def _city_zip(r: random.Random, comma: bool = True, plus4: bool = False) -> Filled:
    city, state = r.choice(CITIES)
    zip5 = f"{r.randint(1, 99999):05d}" + (f"-{r.randint(1, 9999):04d}" if plus4 else "")
    return f"{city}{',' if comma else ''} {state} {zip5}", [("ADDRESS", city), ("ZIP", zip5)]


def _street_city_zip(r: random.Random) -> Filled:
    street = f"{_street(r)} Ave"
    city_phrase, plants = _city_zip(r)
    city = plants[0][1]
    return f"{street}, {city_phrase}", [("ADDRESS", f"{street}, {city}"), plants[1]]


ADDR: list[Format] = [
    lambda r: _same(f"{_street(r)} Street", "ADDRESS"),
    lambda r: _same(f"{r.randint(1, 999)} {r.choice('NSEW')}. {r.choice(STREETS)} St. Apt {r.randint(1, 40)}",
                    "ADDRESS"),
    lambda r: _same(f"PO Box {r.randint(10, 9999)}", "ADDRESS"),
    lambda r: _same(f"P.O. Box {r.randint(10, 9999)}", "ADDRESS"),
    lambda r: _same(f"{r.randint(10, 999)} {_nth(r.randint(1, 12))} Avenue", "ADDRESS"),
    lambda r: _same(f"{_street(r)} {r.choice(SUFFIXES)}, Unit {r.randint(1, 9)}{_letters(r, 1)}", "ADDRESS"),
    lambda r: _same(f"{r.randint(100, 9999)} North {r.choice(STREETS)} Drive", "ADDRESS"),
    lambda r: _same(f"{_street(r)} Ridge Rd", "ADDRESS"),
    lambda r: _same(f"{_street(r)} Blvd, Suite {r.randint(100, 999)}", "ADDRESS"),
    _street_city_zip,
]

ZIP: list[Format] = [
    lambda r: _city_zip(r),
    lambda r: _city_zip(r, comma=False, plus4=True),
    lambda r: _labelled("zip ", f"{r.randint(1, 99999):05d}", "ZIP"),
    lambda r: _labelled("zip code ", f"{r.randint(1, 99999):05d}-{r.randint(1, 9999):04d}", "ZIP"),
    lambda r: _labelled("ZIP: ", f"{r.randint(1, 99999):05d}", "ZIP"),
    lambda r: _city_zip(r, plus4=True),
]

def _plain(name: str) -> str:
    return name.lower().replace("'", "")


URL: list[Format] = [
    lambda r: _same(f"https://portal.{r.choice(HOSPITALS)}.org/chart?id={_n(r, 6)}", "URL"),
    lambda r: _same(f"www.facebook.com/{r.choice(FIRST).lower()}.{_plain(r.choice(LAST))}.{_n(r, 2)}", "URL"),
    lambda r: _same(f"http://{r.choice(HOSPITALS)}.com/pt/{_n(r, 5)}", "URL"),
    lambda r: _same(f"mychart.{r.choice(HOSPITALS)}.org/patient/{_n(r, 5)}", "URL"),
    lambda r: _same(f"https://www.gofundme.com/f/help-{r.choice(FIRST).lower()}-{_n(r, 3)}", "URL"),
    lambda r: _same(f"HTTPS://{r.choice(HOSPITALS)}.net/records/{_n(r, 4)}", "URL"),
]


def _octet(r: random.Random) -> int:
    return r.randint(0, 255)


IP: list[Format] = [
    lambda r: _same(f"10.{_octet(r)}.{_octet(r)}.{r.randint(1, 254)}", "IP"),
    lambda r: _same(f"192.168.{_octet(r)}.{r.randint(1, 254)}", "IP"),
    lambda r: _same(f"172.16.{_octet(r)}.{r.randint(1, 254)}", "IP"),
    lambda r: _same(f"{r.randint(11, 223)}.{_octet(r)}.{_octet(r)}.{r.randint(1, 254)}", "IP"),
]

SERIAL: list[Format] = [
    lambda r: _labelled("serial number ", _letters(r, 2) + _n(r, 5), "SERIAL"),
    lambda r: _labelled("S/N ", f"{_n(r, 4)}-{_letters(r, 2)}", "SERIAL"),
    lambda r: _labelled("SN: ", _letters(r, 3) + _n(r, 6), "SERIAL"),
    lambda r: _labelled("serial # ", f"{_n(r, 4)}-{_n(r, 2)}{_letters(r, 1)}", "SERIAL"),
    lambda r: _labelled("lot number ", "L" + _n(r, 5), "SERIAL"),
    lambda r: _labelled("serial no. ", _letters(r, 3) + _n(r, 6), "SERIAL"),
    lambda r: _labelled("UDI ", "0" + _n(r, 13), "SERIAL"),
    lambda r: _labelled("s/n ", _letters(r, 1) + _n(r, 7), "SERIAL"),
    lambda r: _labelled("Serial No: ", f"{_letters(r, 2)}-{_n(r, 6)}", "SERIAL"),
]


def _age(fmt: str) -> Format:
    def fill(r: random.Random) -> Filled:
        n = str(r.randint(90, 104))
        return fmt.format(n), [("AGE", n)]

    return fill


def _spelled_age(r: random.Random) -> Filled:
    words = f"ninety-{r.choice(ONES)}"
    return f"{words}-year-old", [("AGE", words)]


AGE: list[Format] = [
    _age("{}-year-old"), _age("age {}"), _age("aged {}"), _age("{} y/o"), _age("{} yo"), _age("{} year old"),
    _age("{}-yr-old"), _age("Age: {}"), _spelled_age, _age("{} years old"), _age("{}yo"), _age("{} y.o."),
]


def _person(fmt: str) -> Format:
    """fmt uses {f} first, {l} last, {i} initial, {l2} second last name; the plant is what follows the
    title/label (everything after the first '|')."""

    def fill(r: random.Random) -> Filled:
        values = {"f": r.choice(FIRST), "l": r.choice(LAST), "l2": r.choice(LAST), "i": _letters(r, 1)}
        label, name = fmt.split("|")
        name = name.format(**values)
        return label.format(**values) + name, [("NAME", name)]

    return fill


PT: list[Format] = [
    _person("patient |{f} {l}"), _person("pt |{f} {l}"), _person("Mr. |{l}"), _person("Mrs. |{l}"),
    _person("Ms. |{f} {l}"), _person("Miss |{l}"), _person("Mr |{l}"), _person("Mrs. |{l}-{l2}"),
    _person("Patient |{f} {i}. {l}"), _person("Mr. |{l2}"), _person("pt. |{f} {l}"), _person("Mrs. |{f} {l}"),
]
DR: list[Format] = [
    _person("Dr. |{l}"), _person("Dr |{l}"), _person("Dr. |{i}. {l}"), _person("Prof. |{l}"),
    _person("Dr. |{f} {l}"), _person("Doctor |{l}"),
]
NAMELBL: list[Format] = [
    _person("name: |{f} {l}"), _person("Name: |{l}, {f}"), _person("patient name is |{f} {l}"),
    _person("NAME: |{f} {l}"),
]
FAM: list[Format] = [_person("daughter |{f}"), _person("husband |{f} {l}"), _person("wife |{f}"), _person("son |{f}")]

GENERATORS: dict[str, list[Format]] = {
    "DATE": DATE, "DOB": DOB, "MRN": MRN, "ACCT": ACCT, "PHONE": PHONE, "EMAIL": EMAIL, "SSN": SSN,
    "ADDR": ADDR, "ZIP": ZIP, "URL": URL, "IP": IP, "SERIAL": SERIAL, "AGE": AGE, "PT": PT, "DR": DR,
    "NAMELBL": NAMELBL, "FAM": FAM,
}

TEMPLATES: list[str] = [
    "{PT} ({MRN}, {DOB}) was set up on TrueBeam 2 with a 1.5 cm superior shift instead of inferior on {DATE}. "
    "Plan PROST_VMAT_2A, 180 cGy x 28 fx; error caught at fx 3/25 on CBCT by {DR}.",
    "Wrong isocenter: therapists used the sim tattoo instead of the marked iso for {PT}, {AGE}, on {DATE}. "
    "A 2.1 cm lateral shift was missed; 212 MU delivered on field 1 before the beam was held. Physics ({DR}) "
    "reviewed the log at 14:30.",
    "R&V override: ARIA v15.6.3 flagged a couch tolerance for {PT} ({MRN}). The therapist overrode it without a "
    "second check; couch vertical off by 1.2 cm. Reported by {DR}, callback {PHONE}; screenshot saved to {URL}.",
    "Bolus forgotten for fractions 4-6 on a chest wall patient, {PT}, {DOB}. 0.5 cm bolus ordered daily; 50 Gy "
    "in 25 fractions, 6 MV. Found at the weekly chart check on {DATE}. Family ({FAM}) asked to be called at "
    "{PHONE}.",
    "Wrong plan loaded: RT_PELVIS_v2 was opened instead of RT_PELVIS_v3 for {PT}, {MRN}. Field count mismatch "
    "noticed at the console before beam on; no dose delivered. Event time 0830, Vault 3. Contact {EMAIL} for the "
    "physics summary.",
    "HDR source did not retract on the first attempt during a cylinder treatment for {PT} ({AGE}). Emergency "
    "procedure followed, source retracted within 30 s. Ir-192 source, 7 Gy x 3 fractions. {DR} notified; "
    "afterloader {SERIAL}.",
    "Gantry collision with the couch during a VMAT arc on Linac B; {PT}, {MRN}, was not injured. Collision "
    "detection stopped the beam at 125 MU. Service called, couch top {SERIAL} out of service until 2:15 pm.",
    "Patient fall in the waiting room: {PT}, {AGE}, tripped on a wheelchair footrest. No injury per {DR}. Home "
    "address on file {ADDR}; the daughter asked to be notified at {PHONE}.",
    "Contouring error: the left parotid was labelled as right in the structure set for {PT} ({MRN}). Found by "
    "dosimetry before plan approval on {DATE}; Eclipse 16.1, no dose delivered.",
    "MU mismatch between the TPS and R&V: 198 MU vs 212 MU for field 3. The second check flagged it for {PT}, "
    "{DOB}. {DR} re-exported the plan; version 4.2.1 of the export script is suspected.",
    "CBCT misregistration: auto-match locked on the wrong vertebra for {PT}, {MRN}; a 2.4 cm superior shift was "
    "applied. Caught at fx 12/30 by the therapist. The setup sheet also showed {SSN}, which should never be "
    "printed.",
    "Pacemaker check not documented before treatment for {PT}, {AGE}. Device {SERIAL}; cardiology ({DR}) reached "
    "at {PHONE}. Estimated dose to the CIED < 2 Gy; 10 FFF beam, 9 fractions remaining.",
    "Wrong patient called to the vault: {PT} answered to a similar name. Two identifiers (name and {DOB}) were "
    "not checked. Caught before setup; no dose delivered. Vault 3, 18MV plan.",
    "Incorrect energy: 6X used instead of 10 FFF for field 2 for {PT}, {MRN}. 1 of 5 SBRT fractions, 10 Gy per "
    "fraction. {DR} estimated a 3% dose difference on {DATE}; billing adjusted on {ACCT}.",
    "Brachy: the wrong channel length was entered (1200 mm vs 1300 mm) for {PT}. HDR T&O, 7 Gy x 4. The "
    "physicist caught it at the second check; the source position error would have been 10 cm. Reported {DATE}; "
    "contact {EMAIL}.",
    "Billing: CPT 77386 was charged twice for {PT}, {ACCT}. The front desk corrected the claim. Mailing address "
    "on file: {ADDR}; {ZIP}.",
    "Imaging: kV images acquired but not reviewed before treatment for {PT} ({AGE}). Offline review on {DATE} "
    "showed a 0.8 cm shift, within the 1 cm action level. Image server {IP} was down at 0830.",
    "Wrong side: right breast tangents planned but the left breast was marked at sim for {PT}, {MRN}. Found at "
    "the time-out, no dose delivered. {DR}, pager {PHONE}.",
    "Dose calculation: heterogeneity correction was off in the plan for {PT}, {DOB}. 60 Gy in 30 fractions, "
    "lung. Physics ({DR}) recalculated; 4% difference, within tolerance.",
    "A photo of {PT} taken for the setup record was posted to {URL} by mistake. IT removed it within an hour. "
    "{DR} informed the privacy office.",
    "Immobilization: the mask for {PT} ({MRN}) cracked during fraction 12 of 30. New mask made, re-sim on {DATE}; "
    "2 Gy/fx continued after the re-plan.",
    "Time-out not performed before SRS for {PT}, {AGE}. Cone size 7.5 mm verified afterwards; 18 Gy single "
    "fraction delivered correctly. {DR} reviewed; workstation {IP}.",
    "Insurance hold: {PT} ({ACCT}, {SSN}) was told treatment could not start; delayed 1 week. Social work contacted "
    "the {FAM} at {PHONE}.",
    "Transport: {PT} was left on the couch for 20 minutes after treatment while transport was paged; {AGE}, "
    "fall risk. Attending {DR} was informed.",
    "Prescription mismatch: the written Rx said 45 Gy in 25 fractions, the plan had 50.4 Gy in 28 fractions, "
    "for {PT}, {MRN}. Caught at the initial chart check by {DR} on {DATE}.",
    "Couch shifts entered in the wrong direction (ant instead of post, 1.0 cm) for {PT}; therapists noticed on "
    "CBCT. The patient lives at {ADDR}, {ZIP} and asked for a copy of the report by mail.",
    "Electron cutout: the wrong cutout was inserted (6x6 instead of 4x8) for {PT}, {AGE}, 9 MeV, 250 cGy x 10. "
    "Discovered at fx 2/10; {DR} estimated the dose impact. Billing {ACCT}.",
    "Simulation: CT sim was done without the planned bladder protocol for {PT} ({DOB}). Re-sim scheduled; plan "
    "PROST_VMAT_2A delayed. Call-back number {PHONE}.",
    "Network outage: ARIA down from 14:30 to 15:10; {PT} treated from a paper printout with a second therapist "
    "check. Server {IP}, status page {URL}. Event logged by {DR}.",
    "Medication: {PT} ({MRN}, {AGE}) received contrast despite a documented allergy at CT sim. Treated with "
    "diphenhydramine 25 mg; {DR} assessed.",
    "The implanted port ({SERIAL}) was in the beam path for {PT} because its side was not recorded. Dose to the "
    "port under 3 Gy per physics.",
    "E-mail error: the treatment summary for {PT} was sent to {EMAIL} instead of the referring clinic. Privacy "
    "office notified on {DATE}.",
    "Registration: the chart of {PT} showed the wrong {DOB}; the two-identifier check caught it. Corrected in "
    "ARIA; {MRN} merged by HIM.",
    "Delay: {PT} waited 80 minutes because Vault 3 was down for an MLC fault; {AGE}. Rescheduled for the "
    "afternoon; no change to the 28 fraction course.",
    "Dosimetry: the PTV margin was 5 mm instead of the 7 mm in the protocol for {PT} ({MRN}). Found at peer "
    "review on {DATE}. {DR} decided to re-plan.",
    "Gating: respiratory gating was disabled on Linac B for {PT}, {DOB}; 3 fractions delivered ungated. Physics "
    "({DR}, {EMAIL}) evaluated the dose.",
    "A visitor, the {FAM}, entered the vault during beam-on for {PT}; the beam was interrupted at 40 MU. Door "
    "interlock replaced by service ({SERIAL}).",
    "Wrong MLC file: the leaf sequence from another plan was exported to the linac for {PT}. The independent MU "
    "check (212 MU vs 198 MU) caught it. {DR} at {PHONE}.",
    "ID band missing for {PT} ({AGE}), an inpatient from 5 West, bed 12. The photo in ARIA was used for "
    "identification. Requisition: {MRN}.",
    "SBRT: 5 fractions of 8 Gy, but fraction 3 was delivered with the previous day's shifts. {PT}, {DOB}. "
    "Reviewed by {DR} on {DATE}.",
    "Prostate fiducials: only 2 of 3 seeds visible on kV for {PT}, {MRN}; matched to two seeds with a 3 mm "
    "residual. Physician {DR} approved.",
    "Home care: {PT} asked that appointment reminders go to {PHONE} and {EMAIL}; the old address {ADDR} was "
    "still in the system.",
    "Skin reaction: grade 3 dermatitis at 40 Gy for {PT} ({AGE}); bolus had been left on for 5 fractions instead "
    "of 3. {DR} held treatment on {DATE}.",
    "Wrong site: whole-brain fields were opened instead of the spine plan for {PT}. Therapists caught it at the "
    "time-out. {MRN}; reported by {DR}. The requisition also listed {SSN}.",
    "TG-142 monthly output was 2.5% high on TrueBeam 2; {PT} ({MRN}) and 11 others were treated before the "
    "adjustment. Physics report dated {DATE}.",
    "An old pacemaker ({SERIAL}) was discovered during treatment for {PT}, {AGE}. Cumulative dose to the device "
    "estimated at 1.2 Gy; the cardiology rep was contacted at {PHONE}.",
    "Consent: signed by the {FAM} but not witnessed, for {PT}, {DOB}. Treatment started anyway; {DR} obtained a "
    "new consent.",
    "HDR: the wrong applicator length was selected for {PT}, {MRN}. Dwell positions shifted 1 cm; caught at the "
    "independent check by {DR}.",
    "Patient portal: {PT} uploaded a photo with a visible wristband to {URL}. Removed on request; no other "
    "exposure.",
    "Verification: isocenter shifts typed as 12 cm instead of 1.2 cm for {PT} ({AGE}); the R&V tolerance flag "
    "was overridden. {DR} reported it on {DATE}.",
    "Communication: the {FAM} of {PT} called the vault phone, {PHONE}, asking for results; the therapist gave "
    "information without verifying. Privacy reminder issued.",
    "Scheduling: {PT} was scheduled on two machines at 0830; treated on Vault 3 as planned. {MRN}. {DR} reviewed "
    "the schedule.",
    "Re-irradiation: prior dose (30 Gy in 10 fractions, 2019) was not summed for {PT}, {DOB}. Spinal cord Dmax "
    "48 Gy cumulative. {DR} approved after review on {DATE}.",
    "Surface guidance: the SGRT reference surface from the first fraction was used after a 3 kg weight loss for "
    "{PT}. CBCT showed 7 mm; re-sim ordered. The patient lives in {ZIP} and travels 2 hours each day.",
    "Contrast reaction at sim for {PT} ({AGE}); rapid response called, vitals stable. The nurse contacted the "
    "{FAM}. {MRN}.",
    "Lost to follow-up: letters to {ADDR}, {ZIP} were returned; {PT} could not be reached at {PHONE}. Social work "
    "engaged.",
    "Machine QA: the morning output check was skipped on Linac B before {PT} ({MRN}) was treated at 07:45. "
    "Output later 1.1%, within tolerance. {DR} informed; the patient e-mail on the schedule is {EMAIL}.",
    "Data entry: the height and weight of {PT} were swapped in the TPS; no dose effect. {DOB}; corrected by "
    "{DR}.",
    "Lead shield: the eye shield was not placed for an electron treatment of the eyelid for {PT}, {AGE}; 6 MeV, "
    "3 Gy x 10. {DR} estimated the lens dose at 0.4 Gy.",
    "Remote access: a planning workstation at {IP} was left logged in with the plan of {PT} open; a screenshot "
    "was shared via {URL}.",
    "Tattoo error: the lateral tattoos for {PT} were 1.5 cm off from the sim marks; {MRN}. Corrected at fx 1/28 "
    "by {DR}.",
    "An intake form for {PT} listing {SSN} and {ACCT} was left at the front desk printer. Shredded on {DATE}.",
    "Deceased patient letter: a follow-up reminder was mailed to {PT} at {ADDR}, {ZIP}; the family called "
    "{PHONE}, upset.",
    "Respiratory motion: 4DCT showed 1.8 cm motion but the plan used a 1 cm ITV expansion for {PT}, {AGE}; "
    "{NAMELBL} on the re-plan request. Re-planned on {DATE}.",
    "Registration desk: {NAMELBL}, {DOB}, {MRN}, checked in for the wrong department. Redirected by {DR}.",
    "Outside records were faxed to {PHONE} instead of the clinic fax; they included {NAMELBL} and {SSN}. The "
    "recipient confirmed deletion.",
    "Wristband: {NAMELBL} printed with another patient's {MRN}; caught at the time-out in Vault 3 before 2 Gy "
    "was delivered. {DR} notified.",
]

_SLOT = re.compile(r"\{([A-Z]+)\}")


def _build(rounds: int = 3, seed: int = 20240314) -> list[tuple[str, list[Plant]]]:
    rng = random.Random(seed)
    turn: defaultdict[str, int] = defaultdict(int)  # per-slot format cursor: every format gets used
    out: list[tuple[str, list[Plant]]] = []
    for _ in range(rounds):
        for template in TEMPLATES:
            slots = _SLOT.findall(template)
            formats = []
            for slot in slots:
                formats.append(GENERATORS[slot][turn[slot] % len(GENERATORS[slot])])
                turn[slot] += 1
            for _attempt in range(200):
                fills = [fmt(rng) for fmt in formats]
                it = iter(fills)
                text = _SLOT.sub(lambda _m, it=it: next(it)[0], template)
                plants = [p for _, ps in fills for p in ps]
                if all(text.count(planted) == 1 for _, planted in plants):
                    break
            else:  # pragma: no cover - the pools are large enough
                raise RuntimeError(f"could not place unique identifiers in {template!r}")
            out.append((text, plants))
    return out


PLANTED: list[tuple[str, list[Plant]]] = _build()

CLEAN: list[str] = [
    "Patient set up on TrueBeam 2 with the wrong immobilization bag; CBCT showed a 1.2 cm shift in the "
    "vertical direction. Therapists re-set up the patient and treated. 180 cGy x 28 fx, plan PROST_VMAT_2A.",
    "MU mismatch of 212 MU in the TPS vs 198 MU in ARIA v15.6.3 for field 2. Caught by the second check before "
    "beam on. Dr. on call notified at 14:30.",
    "Bolus omitted for fraction 12 of 30. Chest wall plan, 50 Gy in 25 fractions with 0.5 cm bolus daily. "
    "Estimated skin dose reduction of 15%. Physics reviewed in week 3.",
    "Wrong energy selected: 6X instead of 10 FFF on Linac B. Therapist noticed at the console; no dose delivered. "
    "Dose of 7 Gy per fraction for SBRT lung, 5 fractions.",
    "At 0830 the morning QA on Vault 3 showed output 2.1% high. Per TG-142 the tolerance is 3%, so treatment "
    "continued; physics recalibrated per TG-51 at 2:15 pm.",
    "HDR cylinder: source position 1 cm off due to the wrong transfer tube. Caught at the independent check. "
    "Ir-192, 7 Gy x 3 fractions, 2 cm cylinder.",
    "Eclipse 16.1 plan exported with the couch structure missing. Dosimetrist re-exported; version 4.2.1 of the "
    "scripting API is being reviewed. No patient impact.",
    "CBCT misregistration: auto-match aligned to the wrong vertebral body, shift of 2.4 cm superior. Caught by "
    "the second therapist; fx 3/25 delayed 20 minutes.",
    "Gantry to couch collision during a non-coplanar arc on TrueBeam 2. Patient not injured. Collision detection "
    "stopped the beam at 85 MU of 212 MU.",
    "Pacemaker patient: cardiology check not documented before fraction 1. Estimated CIED dose 1.8 Gy with 6 MV "
    "beams; policy requires a check above 2 Gy. Attending physician reviewed.",
    "Patient fell while getting off the couch in Vault 3 after treatment. A 67-year-old on anticoagulants; the "
    "nurse assessed, no injury. Couch height was 110 cm.",
    "Contouring error: the PTV margin was 5 mm instead of 7 mm per protocol. Found at physics plan review before "
    "approval. 60 Gy in 30 fractions, 2 Gy/fx.",
    "Wrong plan opened: RT_PELVIS_v2 instead of RT_PELVIS_v3 (the approved re-plan). Therapist caught the field "
    "count difference at the time-out.",
    "CPT 77386 billed twice for the same IMRT session; billing corrected. Also 77301 missing for the plan. No "
    "clinical impact.",
    "Door interlock failed to interrupt the beam during QA on Linac B. Machine taken out of service; IEC 60601 "
    "requirements reviewed with the vendor.",
    "Medical event review: delivered dose differed by 22% from the written directive for one HDR fraction, "
    "above the 20% threshold in 10 CFR 35.3045. RSO notified within 24 hours.",
    "The 9 MeV electron cutout for the scalp lesion was made for the 12 MeV plan. Caught at the first fraction; "
    "250 cGy x 10 fx, 6x6 cm field.",
    "SRS: 18 Gy single fraction, 7.5 mm cone. Winston-Lutz test at 0715 showed 0.8 mm, within the 1 mm tolerance. "
    "Treatment delivered as planned.",
    "Week 3 chart check found that the weekly physics check for week 2 was not signed. No dosimetric error found.",
    "18MV beam used for a prostate patient whose plan specified 6 MV. Discovered after fraction 4 of 44; the "
    "dose difference is under 1%.",
    "Shift 1.2 cm left entered as 1.2 cm right. Therapist noticed on the kV image; corrected before treatment. "
    "5 mm residual error accepted per the attending.",
    "Treatment delayed 45 minutes because ARIA was down from 14:30 to 15:15; paper downtime procedure used. IT "
    "restored service; no treatment errors.",
    "The 89-year-old patient was confused at the time-out and answered to the wrong name; the photo ID check "
    "caught it. Two patient identifiers used per policy.",
    "Plan normalized to 95% instead of 100% of the PTV covered by the prescription. Caught by the dosimetrist "
    "during plan check; 50.4 Gy in 28 fractions.",
    "Respiratory gating window set to 30-70% phase instead of 40-60%. Physics corrected; 3 fractions were "
    "delivered with the wider window, estimated dose impact 2%.",
    "Incorrect SSD for the electron field: 105 cm instead of 100 cm. Output correction of 9% applied "
    "retrospectively; Dr. on call informed.",
    "Dose rate set to 1400 MU/min for a 6 MV FFF plan that required 600 MU/min. Interlock prevented delivery. "
    "No patient impact.",
    "The contrast injector was not primed before CT sim; the patient was re-scanned 15 minutes later. Extra "
    "imaging dose about 2 cGy.",
    "Fraction 12 of 30 delivered with yesterday's couch shifts (0.4 cm lateral). Within tolerance; the therapist "
    "team re-educated on shift reset.",
    "The IMRT QA gamma pass rate was 89% at 3%/2 mm for the head and neck plan. The plan was re-optimized in "
    "Eclipse 16.1 and passed at 97%.",
    "Linac B MLC leaf 34 stuck at 0830 during morning QA. Service replaced the motor; leaf positions verified "
    "to 0.5 mm before the first patient.",
    "Patient with a cardiac device: the device was 3 cm from the field edge. Physics estimated 0.5 Gy total. "
    "Cardiology check before and after the course.",
    "TG-100 risk analysis identified the missing bolus check as a high RPN step. A bolus prompt was added to the "
    "ARIA task list in version 15.6.",
    "Prostate fiducial match off by 4 mm because one seed migrated. The attending approved matching to the "
    "remaining two seeds; 2.5 Gy/fx.",
    "The wrong immobilization mask was used (the mask from a previous patient with a similar name). Caught at "
    "the time-out by the second therapist.",
    "Pregnancy screening form not completed before CT sim for a 34-year-old. Form completed on arrival; "
    "negative test documented.",
    "HDR afterloader: the daily source position check failed by 1.5 mm. Physics recalibrated; all treatments "
    "delayed by 1 hour.",
    "Total body irradiation: the lung blocks were placed at 1 cm off position for fraction 2 of 6. Diode readings "
    "showed 8% higher dose; 2 Gy per fraction BID.",
    "Treatment planning: the density override for the hip prosthesis was missing. Recalculation showed a 3.5% "
    "dose difference to the PTV.",
    "CBCT acquired with the head protocol for a pelvis patient; images unusable. Re-acquired with the pelvis "
    "protocol; extra imaging dose about 3 cGy.",
    "Electron treatment started with a 10x10 applicator instead of 15x15. Beam held after 40 MU; correct "
    "applicator inserted, remaining 160 MU delivered.",
    "Prescription entered as 3 Gy x 10 but the consult note said 2.5 Gy x 14. The attending clarified before "
    "the first fraction; plan corrected.",
    "SBRT spine: the couch was rotated 2 degrees instead of 0.2 degrees during the 6D correction. Therapist "
    "caught it; cord dose within the limit.",
    "The vault door was opened during beam on at 2:15 pm by a new staff member; the interlock stopped the beam at "
    "50 MU. Training reinforced.",
    "Weekly chart check: the week 5 imaging was not reviewed by the physician. Reviewed retrospectively; no "
    "setup errors above 3 mm.",
    "Treatment unit TrueBeam 2 had a 10 FFF output 2.8% low. Per TG-142 the action level is 3%; physics "
    "adjusted the monitor chamber the same day.",
    "The 6 MV plan was calculated with the 10 MV beam model after a beam data update. Caught by the independent "
    "MU check; difference 4%.",
    "PROST_VMAT_2A was approved without the rectum constraint evaluation. Dosimetry re-evaluated; V70 of 18% "
    "within the 20% limit.",
    "Brachytherapy: the wrong treatment length of 1300 mm was entered instead of 1200 mm. Caught at the second "
    "physics check before the first dwell.",
    "The CT simulator was calibrated with the wrong HU-to-density table after the software upgrade to version "
    "4.2.1. Three plans were re-calculated; all within 1%.",
    "The 77-year-old patient reported a fall at home between fractions 8 and 9. Referred to physical therapy; "
    "treatment continued.",
    "Palliative 8 Gy x 1 to the hip: the field was placed on the left instead of the right. Caught at the "
    "time-out using the photo and the simulation films.",
    "The QA phantom was left on the couch and the next patient's setup began around it. No injury; the room "
    "clearance checklist was updated.",
    "An R&V override was used to treat without a CBCT because the imager failed. The attending approved; CBCT "
    "resumed the next day. 2 Gy/fx, fraction 15 of 33.",
    "The dosimetrist used the CT from the prior course (2019) for planning. Caught at the physics check; new CT "
    "scheduled within week 1.",
    "Skin marks washed off; the therapist re-marked from the tattoos with a 3 mm discrepancy. CBCT confirmed "
    "setup within 2 mm.",
    "Energy 15X selected in the plan but the machine in Vault 3 only has 6X and 10X. Plan transferred to Linac B; "
    "no delay.",
    "Prescription of 36 Gy in 12 fractions to the whole brain was delivered at 3 Gy/fx as planned. The hippocampal "
    "avoidance structure was missing; peer review requested a re-plan.",
    "Morning warm-up not completed on Linac B; the first patient at 0745 was delayed 10 minutes. No treatment "
    "impact.",
    "The ion chamber was connected to the wrong electrometer channel during monthly QA; readings 100 times too "
    "low. Repeated correctly; output within 1%.",
    "A pediatric patient under anesthesia was moved during the CBCT; re-imaged and shifted 0.6 cm. Anesthesia "
    "team and the attending present.",
    "Field light and radiation field coincidence off by 2.5 mm on TrueBeam 2 per TG-142 monthly QA; tolerance "
    "is 2 mm. Service adjusted the mirror.",
    "HDR prostate boost: 15 Gy x 1 with 17 catheters. Catheter 9 reconstructed with an offset of 2 mm; found at "
    "the second check and corrected.",
    "The plan was approved by the resident instead of the attending. The attending approved before fraction 1; "
    "policy reminder sent.",
    "Dose to the heart exceeded the plan constraint (mean 5.2 Gy vs 4 Gy) for a left breast plan using DIBH. "
    "Re-planned with a 2 mm tighter margin.",
    "Couch kick of 90 degrees was programmed as 270 degrees in the plan for the SRS arc; the collision check "
    "flagged it before beam on.",
    "Vault 3 intercom not working at 13:45; treatments paused until the backup audio was connected. Patient "
    "monitored on camera throughout.",
    "The Patient Positioning System on the proton gantry faulted at 0930 with a 0.7 mm pitch error; the "
    "patient was repositioned and imaged again. Service call opened; no dose delivered before the fault.",
    "A St. Jude pacemaker and a Boston Scientific ICD were both in the field region for two different patients "
    "this week. Per the AAPM TG-203 policy both were risk-stratified as low; cumulative dose under 2 Gy.",
    "The daughter was present at the bedside during the HDR session and left the room before the source was "
    "sent out. Survey meter read 0.2 mR/h at the door after retraction.",
]

# Short phrases that must survive scrubbing unchanged.
CLINICAL_FACTS: list[str] = [
    "180 cGy x 28 fx", "50.4 Gy in 28 fractions", "2 Gy/fx", "dose of 7 Gy", "fx 3/25", "fraction 12 of 30",
    "212 MU", "at 14:30", "2:15 pm", "0830", "6 MV", "6X", "10 FFF", "9 MeV", "18MV", "TrueBeam 2", "Vault 3",
    "Linac B", "plan RT_PELVIS_v2", "PROST_VMAT_2A", "Eclipse 16.1", "ARIA v15.6.3", "version 4.2.1", "CPT 77386",
    "77301", "TG-142", "TG-51", "10 CFR 35.3045", "IEC 60601", "95%", "shift 1.2 cm", "5 mm", "a 67-year-old",
    "an 89-year-old", "age 67", "in 2019", "week 3", "Dr. on call", "fx 12/30", "fraction 2 of 6", "600 MU/min",
    "2.5 Gy/fx", "15 Gy x 1", "V70 of 18%", "3%/2 mm", "0.5 cm bolus", "TG-100", "Ir-192", "1300 mm",
    "couch kick of 90 degrees", "gantry 270", "the patient, aged 45,", "Patient Safety Organization",
    "two patient identifiers", "patient ID verified", "the attending physician", "at 07:45", "250 cGy x 10",
    "dose rate 1400 MU/min", "CBCT shift 0.4 cm lateral", "version 15.6", "mean 5.2 Gy", "from 2/3 of the volume",
    "after 3/5 fractions", "SSD 100 cm", "ICRU 83", "a lot of noise", "member of the team",
]

"""A generator of radiation-oncology safety narratives with planted identifiers, for tuning and for a held-out check.

Faker's en_US providers (names, addresses, phones, e-mails, URLs, IPs) and hand-written formats fill the slots of
narrative templates.  Two parts, never mixed:

* ``tuning``: the templates of ``templates_tuning.py``, seed 20240314, names from Faker en_US (most are in the
  detector's census lists).  The scrubber was tuned by looking at this part's misses.
* ``heldout``: the templates of ``templates_heldout.py`` (written before the detector, never read while tuning),
  seed 977, a few identifier formats only it uses, and names half from Faker en_US and half from Faker's other
  locales *filtered to names absent from the detector's lists*, so the name cues are tested on names the lists
  cannot know.  ``bench/scrubber_eval.py --part heldout`` runs it; the tests never do.

A narrative is ``(text, plants)``; a plant is ``(kind, start, end, tag)``: the characters that must be masked,
and a tag saying which format or name source planted it (for the per-source report).  Clean narratives carry
no identifier at all and are dense with clinical facts that must come out unchanged.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from functools import cache

from faker import Faker

Plant = tuple[str, int, int, str]
Narrative = tuple[str, list[Plant]]
Piece = tuple[str, str | None, str]  # (text, kind it plants or None, tag)

SEEDS = {"tuning": 20240314, "heldout": 977}
SIZES = {"planted": 1000, "clean": 300}
OTHER_LOCALES = [
    "en_GB",
    "en_IE",
    "en_AU",
    "en_NZ",
    "en_IN",
    "es_MX",
    "es_ES",
    "it_IT",
    "pl_PL",
    "de_DE",
    "fr_FR",
    "pt_BR",
    "nl_NL",
    "yo_NG",
    "sw",
    "zu_ZA",
    "tw_GH",
    "cs_CZ",
    "hu_HU",
    "fi_FI",
    "sv_SE",
    "tr_TR",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WDAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


class Person:
    """A name and the ways a narrative may write it."""

    def __init__(self, first: str, last: str, source: str, rng: random.Random):
        self.first, self.last, self.source = first, last, source
        self.initial = rng.choice("ABCDEFGHJKLMNPRSTW")


class Gen:
    """Slot fillers for one part (seeded); each returns pieces, of which the planted ones carry a kind."""

    def __init__(self, part: str):
        self.part = part
        self.rng = random.Random(SEEDS[part])
        self.fake = Faker("en_US")
        self.fake.seed_instance(SEEDS[part])
        self.patient: Person | None = None

    # --- names --------------------------------------------------------------------------------------------
    def person(self) -> Person:
        if self.part == "heldout" and self.rng.random() < 0.5:
            first, last = self.rng.choice(_oov_firsts()), self.rng.choice(_oov_lasts())
            return Person(first, last, "outside-lists", self.rng)
        return Person(self.fake.first_name(), self.fake.last_name(), "faker-en_US", self.rng)

    def name_pieces(self, p: Person, style: str) -> list[Piece]:
        """The name in one of many written forms; each name word is planted on its own (separators are free)."""
        f, la, tag = p.first, p.last, f"name:{p.source}"

        def n(text: str) -> Piece:
            return (text, "NAME", tag)

        forms: dict[str, list[Piece]] = {
            "First Last": [n(f), (" ", None, ""), n(la)],
            "Last": [n(la)],
            "last": [n(la.lower())],
            "first last": [n(f.lower()), (" ", None, ""), n(la.lower())],
            "FIRST LAST": [n(f.upper()), (" ", None, ""), n(la.upper())],
            "Last, First": [n(la), (", ", None, ""), n(f)],
            "LAST, FIRST": [n(la.upper()), (", ", None, ""), n(f.upper())],
            "LAST,FIRST": [n(la.upper()), (",", None, ""), n(f.upper())],
            "First I. Last": [n(f), (" ", None, ""), n(p.initial + "."), (" ", None, ""), n(la)],
            "First": [n(f)],
            "first": [n(f.lower())],
            "FIRST": [n(f.upper())],
            "LAST": [n(la.upper())],
            "First Last-Other": [n(f), (" ", None, ""), n(f"{la}-{self.fake.last_name()}")],
            "F. Last": [n(f[0] + "."), (" ", None, ""), n(la)],
        }
        return forms[style]

    # --- dates ---------------------------------------------------------------------------------------------
    def date_parts(self, lo: int = 2019, hi: int = 2025) -> tuple[int, int, int, int]:
        y, m, d = self.rng.randint(lo, hi), self.rng.randint(1, 12), self.rng.randint(1, 28)
        return y, m, d, self.rng.randint(0, 6)

    def date_text(self, lo: int = 2019, hi: int = 2025, heldout_only: bool = False) -> tuple[str, str]:
        y, m, d, w = self.date_parts(lo, hi)
        yy = y % 100
        formats = [
            ("m/d/yyyy", f"{m}/{d}/{y}"),
            ("mm/dd/yyyy", f"{m:02d}/{d:02d}/{y}"),
            ("m/d/yy", f"{m}/{d}/{yy:02d}"),
            ("m-d-yy", f"{m}-{d}-{yy:02d}"),
            ("iso", f"{y}-{m:02d}-{d:02d}"),
            ("Month d, yyyy", f"{MONTHS[m - 1]} {d}, {y}"),
            ("d Mon yyyy", f"{d} {ABBR[m - 1]} {y}"),
            ("Mon d", f"{ABBR[m - 1]} {d}"),
            ("Month dth", f"{MONTHS[m - 1]} {d}th"),
            ("m.d.yy", f"{m}.{d}.{yy:02d}"),
            ("mm.dd.yyyy", f"{m:02d}.{d:02d}.{y}"),
            ("dd-MON-yy", f"{d:02d}-{ABBR[m - 1].upper()}-{yy:02d}"),
            ("Weekday m/d", f"{WEEKDAYS[w]} {m}/{d}"),
            ("Wday m/d", f"{WDAY[w]} {m}/{d}"),
            ("Weekday, Month d", f"{WEEKDAYS[w]}, {MONTHS[m - 1]} {d}"),
            ("on m/d", f"{m}/{d}"),
            ("Mon. d, yyyy", f"{ABBR[m - 1]}. {d}, {y}"),
            ("mmddyy", f"{m:02d}{d:02d}{yy:02d}"),
        ]
        if heldout_only or self.part == "heldout":
            formats += [
                ("m/d (Wday)", f"{m}/{d} ({WDAY[w]})"),
                ("Month d yyyy", f"{MONTHS[m - 1]} {d} {y}"),
                ("d.m.yyyy", f"{d}.{m}.{y}"),
                ("yyyy/mm/dd", f"{y}/{m:02d}/{d:02d}"),
                ("Wday, Mon d", f"{WDAY[w]}, {ABBR[m - 1]} {d}"),
                ("mm/dd/'yy", f"{m:02d}/{d:02d}/'{yy:02d}"),
            ]
        tag, text = self.rng.choice(formats)
        return tag, text

    def date(self) -> list[Piece]:
        tag, text = self.date_text()
        if tag == "on m/d":
            return [("on ", None, ""), (text, "DATE", "date:" + tag)]
        return [(text, "DATE", "date:" + tag)]

    def dob(self) -> list[Piece]:
        label = self.rng.choice(["DOB ", "DOB: ", "dob ", "D.O.B. ", "date of birth ", "born ", "DOB- ", "birthdate "])
        tag, text = self.date_text(1925, 1965)
        return [(label, None, ""), (text, "DATE", "dob:" + tag)]

    # --- numbers -------------------------------------------------------------------------------------------
    def digits(self, k: int) -> str:
        return str(self.rng.randint(1, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(k - 1))

    def letters(self, k: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(k))

    def labelled(self, kind: str, options: list[tuple[str, Callable[[], str]]]) -> list[Piece]:
        label, value = self.rng.choice(options)
        return [(label, None, ""), (value(), kind, f"{kind.lower()}:{label.strip()}")]

    def mrn(self) -> list[Piece]:
        d, a = self.digits, self.letters
        return self.labelled(
            "MRN",
            [
                ("MRN ", lambda: d(8)),
                ("MRN: ", lambda: d(7)),
                ("MRN#", lambda: d(8)),
                ("MR# ", lambda: d(7)),
                ("med rec # ", lambda: d(6)),
                ("medical record number ", lambda: "00" + d(6)),
                ("chart # ", lambda: d(7)),
                ("patient ID ", lambda: a(1) + d(7)),
                ("EMPI ", lambda: d(9)),
                ("acct/MRN ", lambda: d(8)),
                ("MRN ", lambda: f"{d(3)}-{d(3)}-{d(2)}"),
                ("hospital # ", lambda: d(6)),
                ("CSN ", lambda: d(10)),
                ("FIN ", lambda: d(9)),
                ("MRN ", lambda: d(6)),
            ],
        )

    def mrns(self) -> list[Piece]:
        label = self.rng.choice(["MRNs ", "MRNs: ", "MRN's ", "medical record numbers ", "charts "])
        sep = self.rng.choice([" and ", ", ", " & ", "/"])
        return [
            (label, None, ""),
            (self.digits(8), "MRN", "mrn:plural"),
            (sep, None, ""),
            (self.digits(7), "MRN", "mrn:plural-second"),
        ]

    def account(self) -> list[Piece]:
        d, a = self.digits, self.letters
        return self.labelled(
            "ACCOUNT",
            [
                ("acct ", lambda: f"{d(4)}-{d(3)}"),
                ("account # ", lambda: d(8)),
                ("billing account ", lambda: d(7)),
                ("insurance ID ", lambda: a(3) + d(9)),
                ("member ID ", lambda: a(1) + d(9)),
                ("member # ", lambda: d(11)),
                ("policy # ", lambda: f"{d(3)}-{d(3)}-{d(3)}"),
                ("prior auth # ", lambda: f"PA{d(7)}"),
                ("prior authorization ", lambda: d(9)),
                ("auth # ", lambda: a(2) + d(6)),
                ("ref # ", lambda: d(6)),
                ("reference number ", lambda: a(3) + "-" + d(5)),
                ("claim # ", lambda: d(10)),
                ("Medicare ID ", lambda: f"{d(1)}{a(2)}{d(1)}-{a(2)}{d(1)}-{a(2)}{d(2)}"),
                ("group # ", lambda: d(6)),
                ("subscriber ID ", lambda: a(3) + d(8)),
                ("BCBS ID ", lambda: a(3) + d(9)),
                ("Medicaid # ", lambda: d(10)),
                ("authorization number ", lambda: d(8)),
                ("confirmation # ", lambda: a(2) + d(6)),
            ],
        )

    def phone(self) -> list[Piece]:
        if self.rng.random() < 0.5:
            return [(self.fake.phone_number(), "PHONE", "phone:faker")]
        a, b, c = self.rng.randint(201, 989), self.rng.randint(201, 989), self.digits(4)
        options = [
            f"({a}) {b}-{c}",
            f"{a}.{b}.{c}",
            f"{a}-{b}-{c} x{self.digits(3)}",
            f"{a}-{b}-{c} ext. {self.digits(4)}",
            f"{b}-{c}",
            f"{a} {b} {c}",
            f"({a}){b}-{c}",
            f"1-{a}-{b}-{c}",
            f"{a}/{b}-{c}",
        ]
        return [(self.rng.choice(options), "PHONE", "phone:format")]

    def email(self) -> list[Piece]:
        return [(self.fake.email(), "EMAIL", "email")]

    def ssn(self) -> list[Piece]:
        s = self.fake.ssn()
        return self.rng.choice(
            [
                [(s, "SSN", "ssn:bare")],
                [("SSN ", None, ""), (s.replace("-", ""), "SSN", "ssn:label")],
                [("SS# ", None, ""), (s, "SSN", "ssn:label")],
                [("last 4 of SSN ", None, ""), (s[-4:], "SSN", "ssn:last4")],
            ]
        )

    def address(self) -> list[Piece]:
        street = self.fake.street_address()
        if self.rng.random() < 0.4:
            city, state, z = self.fake.city(), self.fake.state_abbr(), self.fake.zipcode()
            return [
                (street, "ADDRESS", "address:street"),
                (", ", None, ""),
                (city, "ADDRESS", "address:city"),
                (f", {state} ", None, ""),
                (z, "ZIP", "zip:after-state"),
            ]
        return [(street, "ADDRESS", "address:street")]

    def zip(self) -> list[Piece]:
        z = self.fake.zipcode()
        return self.rng.choice(
            [
                [("(", None, ""), (z, "ZIP", "zip:parens"), (")", None, "")],
                [("zip ", None, ""), (z, "ZIP", "zip:label")],
                [(self.fake.city(), "ADDRESS", "address:city"), (" ", None, ""), (z, "ZIP", "zip:after-city")],
                [("lives in ", None, ""), (z, "ZIP", "zip:alone")],
                [(self.fake.zipcode_plus4(), "ZIP", "zip:plus4")],
                [("from the ", None, ""), (z, "ZIP", "zip:alone"), (" area", None, "")],
            ]
        )

    def city(self) -> list[Piece]:
        lead = self.rng.choice(["lives in ", "resides in ", "from ", "drives in from ", "moved to "])
        return [(lead, None, ""), (self.fake.city(), "ADDRESS", "address:city-cue")]

    def url(self) -> list[Piece]:
        options = [
            self.fake.url() + self.fake.uri_path(),
            f"bit.ly/{self.letters(3).lower()}{self.digits(3)}",
            f"tinyurl.com/{self.letters(5).lower()}",
            f"www.facebook.com/{self.fake.user_name()}",
            f"https://mychart.{self.fake.domain_word()}.org/visit/{self.digits(6)}",
        ]
        return [(self.rng.choice(options), "URL", "url")]

    def ip(self) -> list[Piece]:
        return [(self.rng.choice([self.fake.ipv4_private(), self.fake.ipv4()]), "IP", "ip")]

    def serial(self) -> list[Piece]:
        d, a = self.digits, self.letters
        return self.labelled(
            "SERIAL",
            [
                ("serial number ", lambda: a(2) + d(6)),
                ("S/N ", lambda: f"{d(4)}-{a(2)}"),
                ("SN: ", lambda: a(3) + d(6)),
                ("ser# ", lambda: d(7)),
                ("serial no. ", lambda: a(3) + d(5)),
                ("lot ", lambda: a(1) + d(5)),
                ("lot# ", lambda: d(6) + a(1)),
                ("Lot: ", lambda: f"{d(2)}{a(1)}{d(4)}"),
                ("UDI ", lambda: "0" + d(13)),
                ("device serial ", lambda: a(3) + d(6)),
                ("model/serial ", lambda: f"{a(2)}{d(3)}/{d(7)}"),
                ("pacemaker serial ", lambda: a(3) + d(6)),
                ("SN ", lambda: d(8)),
            ],
        )

    def age(self) -> list[Piece]:
        n = str(self.rng.randint(90, 104))
        sex = self.rng.choice(["F", "M"])
        forms = [
            (n, "-year-old", "hyphen"),
            (n, " y/o", "y/o"),
            (n, "yo", "yo"),
            (n, sex, "compact"),
            (n, " " + sex, "compact-space"),
            (n, f"yo{sex}", "yoF"),
            (n, " years old", "years"),
            (n, f" y.o. {'female' if sex == 'F' else 'male'}", "y.o."),
        ]
        lead = self.rng.choice(["", "", "age ", "aged "])
        num, rest, tag = self.rng.choice(forms)
        if lead:
            return [(lead, None, ""), (num, "AGE", "age:label"), (rest if tag != "hyphen" else "", None, "")]
        return [(num, "AGE", f"age:{tag}"), (rest, None, "")]

    def initials_date(self) -> list[Piece]:
        p = self.person()
        ini = self.rng.choice([f"{p.first[0]}{p.last[0]}".upper(), f"{p.first[0]}.{p.last[0]}.".upper()])
        tag, text = self.date_text()
        if tag == "on m/d":  # a month/day alone is a date only with its word ("on 3/14"), as in date()
            return [(ini, "NAME", "name:initials"), (" on ", None, ""), (text, "DATE", "date:" + tag)]
        if self.rng.random() < 0.5:
            return [(ini, "NAME", "name:initials"), (" ", None, ""), (text, "DATE", "date:" + tag)]
        return [(text, "DATE", "date:" + tag), (" ", None, ""), (ini, "NAME", "name:initials")]

    # --- named people in context ---------------------------------------------------------------------------
    def pt(self) -> list[Piece]:
        p = self.patient = self.person()
        cue, style = self.rng.choice(
            [
                ("patient ", "First Last"),
                ("pt ", "last"),
                ("pt ", "first last"),
                ("Pt ", "Last"),
                ("patient ", "Last"),
                ("Mr. ", "Last"),
                ("Mrs. ", "First Last"),
                ("Ms ", "Last"),
                ("", "First Last"),
                ("", "Last, First"),
                ("", "LAST, FIRST"),
                ("pt ", "FIRST LAST"),
                ("", "first last"),
                ("Patient ", "First I. Last"),
                ("pt. ", "First Last-Other"),
                ("", "LAST,FIRST"),
                ("patient ", "LAST"),
                ("Miss ", "Last"),
                ("pt ", "Last"),
                ("", "FIRST LAST"),
                ("patient, ", "First Last"),
                ("the patient (", "First Last"),
            ]
        )
        pieces = ([(cue, None, "")] if cue else []) + self.name_pieces(p, style)
        if cue.endswith("("):
            pieces.append((")", None, ""))
        return pieces

    def pt_again(self) -> list[Piece]:
        """The patient's surname again, alone (masked because it was found once)."""
        p = self.patient or self.person()
        return self.name_pieces(p, self.rng.choice(["Last", "Last", "LAST", "last"]))

    def relative(self) -> list[Piece]:
        p = self.person()
        cue, style = self.rng.choice(
            [
                ("daughter ", "First"),
                ("his wife ", "First"),
                ("her husband, ", "First Last"),
                ("son ", "First Last"),
                ("POA ", "First Last"),
                ("POA: ", "Last, First"),
                ("guardian ", "First Last"),
                ("legal guardian: ", "First Last"),
                ("power of attorney ", "First Last"),
                ("mother ", "first"),
                ("HCP ", "First Last"),
                ("sister ", "First"),
                ("caregiver ", "First"),
                ("wife (", "First"),
                ("grandson ", "First Last"),
                ("healthcare proxy ", "First Last"),
                ("niece ", "First"),
                ("spouse ", "FIRST"),
                ("daughter-in-law ", "First"),
                ("partner ", "First Last"),
            ]
        )
        pieces = [(cue, None, "")] + self.name_pieces(p, style)
        if cue.endswith("("):
            pieces.append((")", None, ""))
        return pieces

    def staff(self) -> list[Piece]:
        p = self.person()
        cue, style = self.rng.choice(
            [
                ("Dr. ", "Last"),
                ("Dr ", "Last"),
                ("Dr. ", "First Last"),
                ("dr ", "last"),
                ("Dr. ", "F. Last"),
                ("therapist ", "First"),
                ("RTT ", "First Last"),
                ("physicist ", "First Last"),
                ("dosimetrist ", "First"),
                ("RN ", "First"),
                ("nurse ", "First Last"),
                ("Dr. ", "LAST"),
                ("per Dr. ", "Last"),
                ("resident Dr ", "Last"),
            ]
        )
        return [(cue, None, "")] + self.name_pieces(p, style)

    def bare(self) -> list[Piece]:
        """A name with no cue at all."""
        p = self.person()
        return self.name_pieces(p, self.rng.choice(["First Last", "FIRST LAST", "Last, First", "first last"]))

    def slot(self, name: str) -> list[Piece]:
        return {
            "PT": self.pt,
            "PTAGAIN": self.pt_again,
            "REL": self.relative,
            "STAFF": self.staff,
            "BARE": self.bare,
            "DATE": self.date,
            "DOB": self.dob,
            "MRN": self.mrn,
            "MRNS": self.mrns,
            "ACCT": self.account,
            "PHONE": self.phone,
            "EMAIL": self.email,
            "SSN": self.ssn,
            "ADDR": self.address,
            "ZIP": self.zip,
            "CITY": self.city,
            "URL": self.url,
            "IP": self.ip,
            "SERIAL": self.serial,
            "AGE": self.age,
            "INITDATE": self.initials_date,
        }[name]()


@cache
def _detector_lists() -> tuple[frozenset[str], frozenset[str]]:
    from foundation.scrubber.lexicon import lexicon

    lex = lexicon()
    return frozenset(lex.first_names), frozenset(lex.surnames)


def _oov(attr: str, known: frozenset[str]) -> list[str]:
    out: set[str] = set()
    for locale in OTHER_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(SEEDS["heldout"])
        for _ in range(300):
            name = getattr(fake, attr)()
            if " " in name or "-" in name:
                continue
            plain = _ascii(name)
            if len(plain) >= 3 and plain.isalpha() and plain.lower() not in known and name.lower() not in known:
                out.add(plain if random.Random(name).random() < 0.8 else name)
    return sorted(out)


@cache
def _oov_firsts() -> list[str]:
    return _oov("first_name", _detector_lists()[0])


@cache
def _oov_lasts() -> list[str]:
    return _oov("last_name", _detector_lists()[1])


SLOT = re.compile(r"\{([A-Z]+)\}")


def fill(gen: Gen, template: str) -> Narrative:
    gen.patient = None
    text: list[str] = []
    plants: list[Plant] = []
    pos = 0
    for i, chunk in enumerate(SLOT.split(template)):
        pieces = gen.slot(chunk) if i % 2 else [(chunk, None, "")]
        for piece, kind, tag in pieces:
            if kind:
                plants.append((kind, pos, pos + len(piece), tag))
            text.append(piece)
            pos += len(piece)
    return "".join(text), plants


def build(part: str) -> tuple[list[Narrative], list[str]]:
    """(planted narratives, clean narratives) of one part; the same on every run."""
    if part == "tuning":
        from tests.scrubber import templates_tuning as t
    elif part == "heldout":
        from tests.scrubber import templates_heldout as t
    else:
        raise ValueError(part)
    gen = Gen(part)
    planted = [fill(gen, t.PLANTED[i % len(t.PLANTED)]) for i in range(SIZES["planted"])]
    clean = [t.clean(gen.rng, i) for i in range(SIZES["clean"])]
    return planted, clean

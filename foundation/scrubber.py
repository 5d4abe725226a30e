"""Find and scrub patient identifiers in short free-text safety narratives.

Pure Python on purpose (no Django, no database): the same code warns the reporter in the Submit
Event form and scrubs narratives before the PSO export, and it must be testable on its own.

Design notes
------------
* Every rule is a regex compiled once at import time.  A rule may name a group ``v``: only that
  group is replaced, so labels survive ("MRN 12345678" -> "MRN [MRN]", "Dr. Patel" -> "Dr. [NAME]")
  and the scrubbed narrative still reads naturally.
* Rules run in priority order (most specific first: an e-mail beats the URL inside it, a labelled
  MRN beats the bare-number fallback).  A later match overlapping an earlier one is dropped, so
  findings never overlap.
* Backtracking: no unbounded quantifier is nested in another quantifier; every repeat over user text
  is bounded ({m,n}), and digit-led rules start with a bare ``\\d`` (their "not preceded by"
  look-behind comes after it) so the regex engine can skip to the next digit in C and a 1 MB run of
  "1"s is tried at one position, not a million.
* Speed (a 4,000-character narrative in about a millisecond per pass): label rules ("MRN", "acct",
  "DOB", ...) are written in lower case and run on an ASCII-lower-cased copy of the text with the
  same offsets (``(?i)`` alternations are several times slower in ``re``), and they are only tried
  where one of their label words occurs, found by a single scan over the words of the text.  Other
  rules are skipped when the text lacks a digit or a word/substring they need.
* Recall beats precision for structured identifiers (the PSO export is irreversible), but clinical
  facts -- doses, fractions, MU, times, energies, versions, standards, shifts -- must survive, which
  is why most numeric rules need a label or a shape no clinical quantity has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

__all__ = ["KINDS", "Finding", "find_identifiers", "scrub"]

# kind -> short description shown to the reporter ("This narrative seems to contain a date ...").
KINDS: dict[str, str] = {
    "DATE": "a date (possibly a date of birth)",
    "MRN": "a medical record number",
    "ACCOUNT": "an account, insurance or billing number",
    "PHONE": "a phone or fax number",
    "EMAIL": "an e-mail address",
    "SSN": "a Social Security number",
    "ADDRESS": "a street address or city",
    "ZIP": "a ZIP code",
    "URL": "a web address (URL)",
    "IP": "an IP address",
    "SERIAL": "a device or implant serial number",
    "AGE": "an age over 89",
    "NAME": "a person's name",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


Check = Callable[[re.Match[str], str], bool]  # (match, original text) -> keep?


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    check: Check | None
    # Label rules start on a label word ("mrn", "dob", "dr"): one scan for every label word in the text
    # gives their candidate starts, and the rule regex is only tried there (pattern.match).  That is
    # several times cheaper than 20 separate full scans.
    anchors: frozenset[str]
    # Other rules are skipped unless the lower-cased text has one of these words or substrings.
    words: frozenset[str]
    substrings: tuple[str, ...]
    digit: bool  # skip unless the text contains a digit
    lower: bool  # pattern is lower case and runs on the ASCII-lower-cased text
    # NAME candidates may run into a span an earlier rule took ("Dr. Patel March 14"): cutting the
    # name short beats dropping it.
    truncatable: bool


def _r(kind: str, pattern: str, check: Check | None = None, *, at: str = "", needs: str = "", digit: bool = True,
       lower: bool = False, truncatable: bool = False) -> _Rule:
    split = needs.split()
    return _Rule(kind, re.compile(pattern), check, frozenset(at.split()), frozenset(n for n in split if n.isalpha()),
                 tuple(n for n in split if not n.isalpha()), digit, lower, truncatable)


# Placeholders we emit are pre-claimed so they are never flagged again (idempotence).
_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")
_DIGIT = re.compile(r"\d")
# str.lower() may change the length of some non-ASCII strings; offsets must not move.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MAX_PASSES = 5

# --- shared pieces -------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return text.split()


_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    r"NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)
# Lower-case month; checks insist the original is capitalised, so "may"/"mar"/"dec" (verbs,
# "decreased") never start a date.
_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_MONTH_WORDS = ("jan january feb february mar march apr april may jun june jul july aug august sep sept september "
                "oct october nov november dec december")
_ORD = r"(?:st|nd|rd|th)?"
# A number followed by one of these is a clinical quantity, not a day of the month (lower case).
_UNIT_AHEAD = r"(?![ \t]{0,3}(?:(?:c?gy|mu|mm|cm|fx|fractions?|mv|mev|of)\b|%))"
# Labels may be followed by "is", "of", ":", "#", "=" before the value (lower case).
_SEP = r"(?:[ \t]{1,3}(?:is|of|was))?[ \t]{0,3}[:#=]?[ \t]{0,3}"
# Record/account values: up to 3 letters, a digit, then digits/letters/hyphens (A1234567, 4455-221).
_ID_VALUE = r"(?P<v>[a-z]{0,3}\d[0-9a-z-]{2,20})(?![\w-])"
_URL_TAIL = r"[^\s<>\"'()\[\]]{0,2000}[^\s<>\"'()\[\].,;:!?]"  # stop before trailing punctuation

# Capitalised words that follow a title or "patient" but are not names.  Months are deliberately
# absent ("Dr. June Park"); a following date is handled by truncation instead.
_NOT_NAMES = _words(
    "The This That These Those On In At And Or But Of To For With From By As Was Were Is Are Be Been Has "
    "Had Have Did Does Do Not No Yes It He She They We His Her Their Our Who Which Then When After Before "
    "During While Today Yesterday Tomorrow Tonight Called Notified Paged Aware Informed Reviewed Approved "
    "Said Stated Asked Agreed Confirmed Requested Ordered Came Arrived Left Returned Please Patient Pt Mr "
    "Mrs Ms Miss Mx Dr Prof Doctor Professor Physics Physicist Radiation Oncology Oncologist Dosimetry "
    "Dosimetrist Therapist Therapists Therapy Nurse Nursing Resident Attending Fellow Team Staff Department "
    "Dept Clinic Hospital Center Vault Linac Machine Plan Treatment Safety Organization Identification "
    "Education Portal Care Services Transport Room Unit Floor Emergency Unknown Office Desk Front Scheduling "
    "Registration Chart Record Pacemaker Device Cardiology Anesthesia Brachytherapy Simulation Sim Call "
    "Oncall Duty Covering Positioning Experience Relations Advocate Access Information Records Support Intake "
    "Navigator Financial Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
)
_NOT_NAME = r"(?!(?:" + "|".join(_NOT_NAMES + [w.upper() for w in _NOT_NAMES]) + r")\b)"
# Name word: Smith, O'Brien, McDonald, Garcia-Lopez, "de la Cruz"; or an initial "J.".  Bounded, no nesting.
_PREFIX = r"(?:Mc|Mac|O['’]|D['’])?"
_NAME_WORD = (r"(?:(?:de|del|della|la|le|van|von|der|den|da|di|du|dos)[ \t]{1,3}){0,2}" + _NOT_NAME
              + r"(?:" + _PREFIX + r"[A-Z][a-z]{1,30}(?:-" + _PREFIX + r"[A-Z][a-z]{1,30})?\b|[A-Z]\.)")
# After a title or a "name:" label an ALL-CAPS name counts too ("Dr. SMITH", "Name: SMITH, JOHN"), but
# not mixed with title case, so "Dr. Patel CBCT ..." keeps "CBCT"; after "patient" it could be
# "CT SIM", so that rule takes title case only.
_CAPS_WORD = _NOT_NAME + r"[A-Z]{2,30}(?:['’-][A-Z]{1,30})?\b"
_NAME_1_3 = (r"(?:" + _NAME_WORD + r"(?:[ \t]{1,3}" + _NAME_WORD + r"){0,2}|" + _CAPS_WORD + r"(?:[ \t]{1,3}"
             + _CAPS_WORD + r"){0,2})")
_LAST_FIRST = r"(?:" + _NAME_WORD + r",[ \t]{0,3}" + _NAME_WORD + r"|" + _CAPS_WORD + r",[ \t]{0,3}" + _CAPS_WORD + r")"


# --- checks: cheap Python validation where a regex would be unreadable -----------------------------
def _preceding_word(text: str, start: int) -> str:
    tail = re.search(r"([A-Za-z]+)\W{0,3}$", text[max(0, start - 40) : start])
    return tail.group(1) if tail else ""


def _capital_month(m: re.Match[str], text: str) -> bool:
    return text[m.start("mon")].isupper()


def _month_day(m: re.Match[str], text: str) -> bool:
    return _capital_month(m, text) and 1 <= int(m.group("d")) <= 31


def _numeric_date(m: re.Match[str], text: str) -> bool:
    a, b = int(m.group("a")), int(m.group("b"))
    # US month/day or European day/month: one field a month, the other a plausible day.
    return a >= 1 and b >= 1 and ((a <= 12 and b <= 31) or (b <= 12 and a <= 31))


def _iso_date(m: re.Match[str], text: str) -> bool:
    return m.group("y")[:2] in ("19", "20")


def _ip(m: re.Match[str], text: str) -> bool:
    # "version 15.6.3.10" / "build 1.2.3.4" are software versions, not hosts.
    return (all(int(octet) <= 255 for octet in m.group(0).split("."))
            and _preceding_word(text, m.start()).lower() not in {"v", "ver", "version", "build", "release"})


def _ipv6(m: re.Match[str], text: str) -> bool:
    # Hex groups joined by colons; times ("14:30:00") and ratios ("1:2:3") have neither "::" nor a hex letter.
    value = m.group(0)
    return value.count(":") >= 2 and ("::" in value or any(c in "abcdefABCDEF" for c in value))


def _state_zip(m: re.Match[str], text: str) -> bool:
    # "Springfield IL 62704" needs a capitalised city before the state; after a comma, anything goes.
    before = text[max(0, m.start() - 40) : m.start()].rstrip(" \t")
    return before.endswith(",") or (before[-1:].isalpha() and _preceding_word(text, m.start())[:1].isupper())


def _ssn_shape(m: re.Match[str], text: str) -> bool:
    digits = re.sub(r"\D", "", m.group(0))
    return digits[:3] not in {"000", "666"} and digits[0] != "9" and digits[3:5] != "00" and digits[5:] != "0000"


def _age(m: re.Match[str], text: str) -> bool:
    return 90 <= int(m.group("v")) <= 149


_NAME_LABEL_OWNERS = {"plan", "field", "course", "structure", "file", "machine", "user", "beam", "protocol",
                      "site", "drug", "product", "device", "template", "study", "trial", "image", "series"}


def _person_name_label(m: re.Match[str], text: str) -> bool:
    # "plan name: Prostate Boost" names a plan, not a person.
    return _preceding_word(text, m.start()).lower() not in _NAME_LABEL_OWNERS


# --- rules, in priority order ----------------------------------------------------------------------
_RULES: tuple[_Rule, ...] = (
    _r("EMAIL", r"(?<![\w.%+-])[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}\.){1,5}[a-z]{2,24}\b",
       needs="@", digit=False, lower=True),
    _r("URL", r"(?<![\w@./-])(?:(?:https?|ftp)://|www\.)" + _URL_TAIL, at="http https ftp www", digit=False,
       lower=True),
    # Bare host names only with a common TLD, so "e.g." or "RT_PELVIS_v2" never look like URLs.
    _r("URL", r"(?<![\w@./-])[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,4}\.(?:com|org|net|edu|gov|io|info"
              r"|health)\b(?:/" + _URL_TAIL + r")?", needs=".com .org .net .edu .gov .io .info .health",
       digit=False, lower=True),
    _r("IP", r"\d(?<![\w.]\d)\d{0,2}(?:\.\d{1,3}){3}(?!\w|\.\d)", _ip, needs="."),
    _r("IP", r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:{1,2}){1,7}[0-9A-Fa-f]{1,4}(?![\w:])", _ipv6, needs=":"),
    # Labelled identifiers first: the label makes them certain whatever the value's shape.
    _r("SSN", r"\b(?:ssn|ss\#|ss[ \t]?no\.?|social[ \t]{1,3}security(?:[ \t]{1,3}(?:number|no\.?|\#))?)" + _SEP
              + r"(?P<v>\d{3}(?P<s>[- ]?)\d{2}(?P=s)\d{4}|\d{4})(?![\w-])", at="ssn ss social", lower=True),
    _r("MRN", r"\b(?:mrn|mr[ \t]?\#|mr[ \t]?no\.?|med(?:ical)?[ \t]{0,3}rec(?:ord)?s?(?:[ \t]{0,3}(?:number|num|"
              r"no\.?|\#))?|(?:hospital|chart|record|patient|pt|unit|case)[ \t]{0,3}(?:number|num|no\.?|\#|id)"
              r"|empi|csn)" + _SEP + _ID_VALUE,
       at="mrn mr med medical medrec hospital chart record patient pt unit case empi csn", lower=True),
    _r("ACCOUNT", r"\b(?:acct|account|(?:insurance|policy|member|subscriber|medicare|medicaid|claim|billing|"
                  r"encounter|visit|guarantor)[ \t]{0,3}(?:number|num|no\b\.?|id|\#)|mbi|hicn)"
                  r"(?:[ \t]{0,3}(?:number|num|no\.?|\#))?" + _SEP + _ID_VALUE,
       at="acct account insurance policy member subscriber medicare medicaid claim billing encounter visit guarantor "
          "mbi hicn", lower=True),
    _r("SERIAL", r"\b(?:serial(?:[ \t]{0,3}(?:number|num|no\.?|\#))?|s/n|sn|s\.n\.|lot[ \t]{0,3}(?:number|no\.?|\#)"
                 r"|udi|device[ \t]{1,3}id(?:entifier)?)" + _SEP
                 + r"(?P<v>(?=[a-z0-9-]{0,24}\d)[a-z0-9][a-z0-9-]{2,24})(?![a-z0-9-])",
       at="serial s sn lot udi device", lower=True),
    # North American numbers: 555-123-4567, (555) 123-4567, +1 555 123 4567, 555.123.4567.
    _r("PHONE", r"(?<![\w+(-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-]|\.\d)"),
    _r("PHONE", r"\b(?:phone|tel|telephone|cell|mobile|pager|fax|ph|call(?:ed)?|contact)\b[ \t#:.]{0,3}"
                r"(?:at[ \t]{1,3}|number[ \t]{1,3}|no\.?[ \t]{0,3})?(?P<v>\d{3}[-.]\d{4})(?![\w-]|\.\d)",
       at="phone tel telephone cell mobile pager fax ph call called contact", lower=True),
    _r("SSN", r"\d(?<![\w-]\d)\d{2}(?P<s>[- ])\d{2}(?P=s)\d{4}(?![\w-])", _ssn_shape),
    # Dates.  A "DOB"-style label makes even "1/2" or "01021945" a date.
    _r("DATE", r"\b(?:dob|d\.o\.b\b\.?|date[ \t]{1,3}of[ \t]{1,3}birth|birth[ \t]?date|born(?:[ \t]{1,3}on)?)"
               + _SEP + r"(?P<v>\d{1,2}[/.-]\d{1,2}(?:[/.-](?:\d{4}|\d{2}))?|\d{6}(?:\d{2})?)(?![\w/]|[-.]\d)",
       at="dob d date birth birthdate born", lower=True),
    _r("DATE", r"(?P<y>[12](?<![\w./-][12])\d{3})(?P<s>[-/])(?:0?[1-9]|1[0-2])(?P=s)(?:0?[1-9]|[12]\d|3[01])"
               r"(?![\w/]|[-.]\d)", _iso_date, needs="- /"),
    _r("DATE", r"(?P<y>[12](?<![\w./-][12])\d{3})\.(?:0[1-9]|1[0-2])\.(?:0[1-9]|[12]\d|3[01])(?!\w|\.\d)",
       _iso_date, needs="."),
    # Three numeric fields only: "fx 3/25" (fraction 3 of 25) has two and survives.
    _r("DATE", r"(?P<a>\d(?<![\w./-]\d)\d?)(?P<s>[/-])(?P<b>\d{1,2})(?P=s)(?:\d{4}|\d{2})(?![\w/]|[-.]\d)",
       _numeric_date, needs="- /"),
    # Dots only with a 4-digit year, so "ARIA v15.6.3" / "version 4.2.1" survive.
    _r("DATE", r"(?P<a>\d(?<![\w./-]\d)\d?)\.(?P<b>\d{1,2})\.(?:19|20)\d{2}(?!\w|\.\d)", _numeric_date, needs="."),
    _r("DATE", r"\b" + _MONTH + r"[ \t]{0,3}(?P<d>\d{1,2})" + _ORD + r"\b" + _UNIT_AHEAD + r"(?:[-–]\d{1,2}\b)?"
               + r"(?:,?[ \t]{1,3}(?:19|20)\d{2}\b|,?[ \t]{1,3}'\d{2}\b)?", _month_day, at=_MONTH_WORDS,
       lower=True),
    _r("DATE", r"(?P<d>\d(?<![\w./-]\d)\d?)" + _ORD + r"(?:[ \t]{1,3}of)?[ \t-]{1,3}" + _MONTH
               + r"(?:,?[ \t]{1,3}(?:19|20)\d{2}\b|-(?:19|20)?\d{2}\b)?", _month_day, needs=_MONTH_WORDS,
       lower=True),
    _r("DATE", r"\b" + _MONTH + r",?[ \t]{1,3}(?:19|20)\d{2}\b", _capital_month, at=_MONTH_WORDS, lower=True),
    # Month/day without a year only after a word that introduces a date ("on 3/14", "since 12/2").
    _r("DATE", r"\b(?:on|dated?|since|from|until|till|by|before|after)[ \t]{1,3}(?P<v>(?P<a>\d{1,2})/(?P<b>\d{1,2}))"
               r"(?![\w/]|[-.]\d)" + _UNIT_AHEAD,
       lambda m, _t: int(m.group("a")) <= 12 and 1 <= int(m.group("b")) <= 31,
       at="on date dated since from until till by before after", lower=True),
    # Ages over 89 (HIPAA Safe Harbor); only the number is replaced: "[AGE]-year-old".
    _r("AGE", r"(?P<v>[19](?<![\w.][19])\d{1,2})(?=[ \t-]?(?:years?|yrs?)[ \t-]?(?:old|of[ \t]{1,3}age)\b"
              r"|[ \t]?(?:y/o|y\.o\b|yo\b|yoa\b))", _age, needs="y yo yoa yr yrs year years", lower=True),
    _r("AGE", r"\bage[ds]?[ \t]{0,3}(?:is[ \t]{1,3}|of[ \t]{1,3})?[:=]?[ \t]{0,3}(?P<v>\d{2,3})\b(?![.,]\d)"
              + _UNIT_AHEAD, _age, at="age aged ages", lower=True),
    _r("AGE", r"\b(?P<v>ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:one[ \t]{1,3})?"
              r"hundred(?:[ \t]{1,3}and)?(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?)"
              r"(?=[ \t-]{1,3}years?[ \t-]{1,3}old\b)", at="ninety one hundred", digit=False, lower=True),
    # Street addresses: number, optional direction, 1-3 capitalised words, a street suffix, unit, and
    # the city when a state follows.
    _r("ADDRESS", r"\d(?<![\w:./,-]\d)\d{0,5}[ \t]{1,3}(?:[NSEW]\.?[ \t]{1,3}|(?:North|South|East|West)[ \t]{1,3})?"
                  r"(?:(?:[A-Z][a-z]{1,30}|\d{1,3}(?:st|nd|rd|th))[ \t]{1,3}){1,3}"
                  r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|"
                  r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Loop|Pike|Alley|Plaza)"
                  r"\b\.?(?:,?[ \t]{1,3}(?:Apt|Apartment|Unit|Suite|Ste|Fl|Floor|Bldg|Rm)\.?[ \t]{0,3}\#?[ \t]{0,3}"
                  r"[A-Za-z0-9-]{1,6}\b|,?[ \t]{1,3}\#[ \t]{0,3}[A-Za-z0-9-]{1,6}\b)?"
                  r"(?:,[ \t]{0,3}[A-Z][a-z]{1,30}(?:[ \t][A-Z][a-z]{1,30}){0,2}(?=,?[ \t]{1,3}" + _STATES + r"\b))?"),
    _r("ADDRESS", r"\b(?:p\.?[ \t]?o\.?|post[ \t]{1,3}office)[ \t]{0,3}box[ \t]{1,3}\d{1,6}\b", at="p po post",
       lower=True),
    _r("ADDRESS", r"(?P<v>[A-Z](?<![A-Za-z][A-Z])[a-z]{1,30}(?:[ \t][A-Z][a-z]{1,30}){0,2})(?:,[ \t]{0,3}|[ \t]{1,3})"
                  + _STATES + r"[ \t]{1,3}\d{5}(?:-\d{4})?(?![\w-])"),
    # ZIP codes only in context: a bare 5-digit number is far more often a CPT code (77386).
    _r("ZIP", _STATES + r"(?<!\w..)[ \t]{1,3}(?P<v>\d{5}(?:-\d{4})?)(?![\w-])", _state_zip),
    _r("ZIP", r"\b(?:zip(?:[ \t]{0,3}code)?|postal[ \t]{0,3}code)" + _SEP + r"(?P<v>\d{5}(?:-\d{4})?)(?![\w-])",
       at="zip zipcode postal", lower=True),
    _r("ZIP", r"\d(?<![\w-]\d)\d{4}-\d{4}(?![\w-])", needs="-"),
    # Names: after a title (the title is kept), after "patient"/"pt" (two words needed, so
    # "patient Smith" alone is missed but "patient Safety" is never hit), after "name:", after kin.
    _r("NAME", r"\b(?:(?:Mrs|Mr|Ms|Mx|Dr|Prof)(?:\.[ \t]{0,3}|[ \t]{1,3})|(?:Miss|Doctor|Professor)[ \t]{1,3})"
               r"(?P<v>" + _NAME_1_3 + r")", at="mr mrs ms mx dr prof miss doctor professor",
       digit=False, truncatable=True),
    _r("NAME", r"\b(?:[Pp]atient|PATIENT|[Pp]t)[.,:]?(?:[ \t]{1,3}(?:named|called))?[ \t]{1,3}(?P<v>"
               + _NAME_WORD + r",[ \t]{0,3}" + _NAME_WORD + r"|" + _NAME_WORD + r"[ \t]{1,3}" + _NAME_WORD
               + r"(?:[ \t]{1,3}" + _NAME_WORD + r")?)",
       at="pt patient", digit=False, truncatable=True),
    _r("NAME", r"\b(?:[Nn]ame|NAME)(?:[ \t]{0,3}[:=-]|[ \t]{1,3}is|[ \t]{1,3}was)[ \t]{0,3}(?P<v>" + _LAST_FIRST
               + r"|" + _NAME_1_3 + r")", _person_name_label,
       at="name", digit=False, truncatable=True),
    _r("NAME", r"\b(?:[Ww]ife|[Hh]usband|[Ss]pouse|[Ss]on|[Dd]aughter|[Mm]other|[Ff]ather|[Ss]ister|[Bb]rother|"
               r"[Cc]aregiver|[Gg]randson|[Gg]randdaughter|[Nn]iece|[Nn]ephew),?[ \t]{1,3}(?P<v>" + _NAME_WORD
               + r"(?:[ \t]{1,3}" + _NAME_WORD + r")?)",
       at="wife husband spouse son daughter mother father sister brother caregiver grandson granddaughter niece nephew",
       digit=False, truncatable=True),
    # Fallback: a bare run of 7-16 digits is no dose, MU, time or code; treat it as a record number.
    _r("MRN", r"\d(?<![\w.,/:-]\d)\d{6,15}(?!\w|[.,/:-]\d)"),
)


_ANCHORS_OF: dict[str, tuple[int, ...]] = {  # label word -> indexes of the rules anchored on it
    word: tuple(i for i, rule in enumerate(_RULES) if word in rule.anchors)
    for word in {word for rule in _RULES for word in rule.anchors}
}
_INTERESTING = frozenset(_ANCHORS_OF).union(*(rule.words for rule in _RULES))
_LETTER_RUN = re.compile(r"[a-z]+")  # words as runs of letters, so "mrn" is found in "MRN#123", "ss" not in "pass"


def _matches_at(pattern: re.Pattern[str], subject: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """Like pattern.finditer(subject), but only trying the given (sorted) start positions."""
    end = -1
    for pos in starts:
        if pos >= end and (m := pattern.match(subject, pos)) is not None:
            end = m.end()
            yield m


def find_identifiers(text: str) -> list[Finding]:
    """Return non-overlapping identifier findings in ``text``, sorted by start offset."""
    if not text:
        return []
    low = text.translate(_ASCII_LOWER)
    has_digit = _DIGIT.search(text) is not None
    taken = bytearray(len(text))  # 1 = already claimed; bytearray.find keeps overlap checks in C
    gate = low
    if "[" in text:  # our own placeholders ("[SERIAL]", "[AGE]") must not wake the label rules up
        for m in _PLACEHOLDER.finditer(text):
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        gate = _PLACEHOLDER.sub(lambda m: " " * len(m.group()), text).translate(_ASCII_LOWER)
    seen: set[str] = set()
    starts: dict[int, list[int]] = {}
    for m in _LETTER_RUN.finditer(gate):
        if (word := m.group()) in _INTERESTING:
            seen.add(word)
            for i in _ANCHORS_OF.get(word, ()):
                starts.setdefault(i, []).append(m.start())
    found: list[Finding] = []
    for i, rule in enumerate(_RULES):
        if rule.digit and not has_digit:
            continue
        subject = low if rule.lower else text
        if rule.anchors:
            if i not in starts:
                continue
            matches: Iterable[re.Match[str]] = _matches_at(rule.pattern, subject, starts[i])
        elif (rule.words or rule.substrings) and rule.words.isdisjoint(seen) and not any(
            n in gate for n in rule.substrings
        ):
            continue
        else:
            matches = rule.pattern.finditer(subject)
        has_value = "v" in rule.pattern.groupindex
        for m in matches:
            if rule.check is not None and not rule.check(m, text):
                continue
            start, end = m.span("v") if has_value else m.span()
            clash = taken.find(1, start, end)
            if clash != -1:
                if not rule.truncatable:
                    continue
                end = start + len(text[start:clash].rstrip(" \t,.-"))
            if end <= start:
                continue
            taken[start:end] = b"\x01" * (end - start)
            found.append(Finding(rule.kind, start, end, text[start:end]))
    found.sort(key=lambda f: f.start)
    return found


def _scrub_once(text: str) -> str:
    parts: list[str] = []
    pos = 0
    for f in find_identifiers(text):
        parts.append(text[pos : f.start])
        parts.append(f"[{f.kind}]")
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def scrub(text: str) -> str:
    """Replace every identifier with a typed placeholder such as ``[DATE]``; idempotent.

    Replacing a span can, rarely, change what a neighbouring rule sees (a look-behind now meets "]"
    instead of a letter), so we repeat until nothing changes: a fixpoint is idempotent by
    construction.  Real narratives settle after one pass; the second pass is a no-op check.
    """
    for _ in range(_MAX_PASSES):
        out = _scrub_once(text)
        if out == text:
            return out
        text = out
    return text

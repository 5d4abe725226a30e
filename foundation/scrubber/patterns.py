"""The regex rules of the scrubber (everything but names), in priority order: what US clinics type.

Most numeric rules need a label or a shape no clinical quantity has, so doses, fractions, MU, times, energies,
versions, standards, CPT codes and shifts survive; the checks below are the Python half of those shapes.
"""

from __future__ import annotations

import re

from .clinical import GUARD, PRODUCTS
from .engine import RuleSet
from .engine import rule as _r

_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    r"NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AA|AE|AP|AS|GU|MP|VI|FM|MH|PW)"
)
# Lower-case month; checks insist the original is capitalised, so "may"/"mar"/"dec" never start a date.
_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_MONTH_WORDS = ("jan january feb february mar march apr april may jun june jul july aug august sep sept september "
                "oct october nov november dec december")
_WEEKDAYS = ("monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun")
_WEEKDAY_ALT = "|".join(sorted(_WEEKDAYS.split(), key=len, reverse=True))
_WEEKDAY = r"(?:" + _WEEKDAY_ALT + r")\b\.?"
_ORD = r"(?:st|nd|rd|th)?"
_UNITS = (r"c?gy|mu|mm|cm|fx|fractions?|mv|mev|kev|kv|of|mu/min|hu|ms|sec|s|min|mins|minutes?|hours?|hrs?|counts?|"
          r"cc|ml|mg|mcg|kg|lbs?|mci|mbq|degrees?|deg|patients?|pts|cases|beams?|fields?|arcs?|slices|images")
# A number followed by one of these is a clinical quantity, not a day, a ZIP or a phone (lower case).
_UNIT_AHEAD = r"(?![ \t]{0,3}(?:(?:" + _UNITS + r")\b|%|°))"
# Labels may be followed by "is", "of", ":", "#", "=" before the value (lower case).
_SEP = r"(?:[ \t]{1,3}(?:is|of|was))?[ \t]{0,3}[:#=]?[ \t]{0,3}"
_NUMBER_WORD = r"(?:[ \t]{0,3}(?:number|numbers|num|no\b\.?|nos\b\.?|\#|id\b))?"
# Record/account values: up to 3 letters, a digit, then digits/letters/hyphens (A1234567, 4455-221).
_ID_VALUE = r"(?P<v>[a-z]{0,3}\d[0-9a-z-]{2,20})(?![\w-])"
# Any value with a digit in it (ABC-12345, PA1234567, 1EG4-TE5-MK73).
_ANY_VALUE = r"(?=[a-z0-9-]{0,24}\d)[a-z0-9][a-z0-9/-]{2,24}(?![a-z0-9-])"
_URL_TAIL = r"[^\s<>\"'()\[\]]{0,2000}[^\s<>\"'()\[\].,;:!?]"  # stop before trailing punctuation
_VERSION_WORDS = {"v", "ver", "version", "versions", "release", "build", "rev", "revision", "software", "firmware",
                  "update", "upgrade", "patch", "sp", "mr", "hotfix", "driver"}
_TEMPERATURE = re.compile(r"\b(?:temp|temperature|fever|febrile|t)\b\W{0,3}(?:of\W{1,3}|was\W{1,3}|is\W{1,3})?$")
_CPT_CONTEXT = re.compile(r"\b(?:cpt|hcpcs|codes?|charges?|charged|billed|bill|billing|icd|drg|rvu)\b")
_NOT_ZIP_BEFORE = {"iec", "iso", "cfr", "ncrp", "icru", "tg", "part", "model", "version", "v", "ver", "build",
                   "ticket", "case", "sr", "ref", "report", "event", "item", "catalog", "cat", "order", "mu", "mus",
                   "dose",
                   "total", "sum", "rate", "x", "histories", "port", "step", "steps"}
_STREET_SUFFIXES = (
    "Alley Avenue Ave Boulevard Blvd Branch Bridge Brook Brooks Bypass Camp Canyon Cape Causeway Circle Cir Cliff "
    "Cliffs Club Common Corner Corners Course Court Ct Courts Cove Coves Creek Crescent Crest Crossing Crossroad "
    "Curve Dale Dam Divide Drive Dr Drives Estate Estates Expressway Expy Extension Falls Ferry Fields Flat Flats "
    "Ford Forest Forge Fork Forks Fort Freeway Fwy Garden Gardens Gateway Glen Glens Green Greens Grove Groves "
    "Harbor Harbors Haven Heights Highway Hwy Hill Hills Hollow Inlet Island Islands Isle Junction Key Keys Knoll "
    "Knolls Lake Lakes Landing Lane Ln Light Lights Loaf Lock Locks Lodge Loop Mall Manor Manors Meadow Meadows "
    "Mews Mill Mills Mission Motorway Mount Mountain Mountains Neck Orchard Oval Overpass Park Parks Parkway Pkwy "
    "Parkways Pass Passage Path Pike Pine Pines Place Pl Plain Plains Plaza Point Points Port Ports Prairie Radial "
    "Ramp Ranch Rapid Rapids Rest Ridge Ridges River Road Rd Roads Route Row Rue Run Shoal Shoals Shore Shores "
    "Skyway Spring Springs Spur Spurs Square Sq Squares Station Stravenue Stream Street St Streets Summit Terrace "
    "Ter Throughway Trace Track Trafficway Trail Trl Tunnel Turnpike Underpass Union Unions Valley Valleys Via "
    "Viaduct View Views Village Villages Ville Vista Walk Walks Wall Way Ways Well Wells Burg Burgs Centers Circles "
    "Drives Extensions Fall Forges Fords Harbors Lights Parkways Streams Unions Center"
)
_SUFFIX = r"(?:" + "|".join(sorted(set(_STREET_SUFFIXES.split()), key=len, reverse=True)) + r")"


# --- checks: cheap Python validation where a regex would be unreadable -----------------------------------------
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


def _dotted_short_date(m: re.Match[str], text: str) -> bool:
    # "3.14.24" is a date; "Eclipse 16.1.24" or "version 4.2.10" is software.
    before = _preceding_word(text, m.start())
    return (_numeric_date(m, text) and before.lower() not in _VERSION_WORDS and before.lower() not in PRODUCTS
            and not text[max(0, m.start() - 1) : m.start()].isalpha())


def _month_day_no_year(m: re.Match[str], text: str) -> bool:
    return int(m.group("a")) <= 12 and 1 <= int(m.group("b")) <= 31


def _introduced_month_day(m: re.Match[str], text: str) -> bool:
    return bool(m.group("intro") or m.group("wd")) and _month_day_no_year(m, text)


def _six_digit_date(m: re.Match[str], text: str) -> bool:
    value = m.group(0)
    month, day = int(value[:2]), int(value[2:4])
    return 1 <= month <= 12 and 1 <= day <= 31 and not _cpt_context(m, text)


def _iso_date(m: re.Match[str], text: str) -> bool:
    before = _preceding_word(text, m.start()).lower()
    dotted_version = m.group("s") == "." and (before in _VERSION_WORDS or before in PRODUCTS)
    return m.group("y")[:2] in ("19", "20") and not dotted_version


def _ip(m: re.Match[str], text: str) -> bool:
    # "version 15.6.3.10" / "build 1.2.3.4" are software versions, not hosts.
    return (all(int(octet) <= 255 for octet in m.group(0).split("."))
            and _preceding_word(text, m.start()).lower() not in _VERSION_WORDS)


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


def _compact_age(m: re.Match[str], text: str) -> bool:
    # "92F" is an age; "temp 101 F" is a fever.
    before = text[max(0, m.start() - 20) : m.start()].lower()
    return _age(m, text) and not _TEMPERATURE.search(before)


def _cpt_context(m: re.Match[str], text: str) -> bool:
    return _CPT_CONTEXT.search(text[max(0, m.start() - 30) : m.start()].lower()) is not None


def _bare_zip(m: re.Match[str], text: str) -> bool:
    """A lone five-digit number is a ZIP unless it is a radiation-oncology CPT code or a numbered standard."""
    value = m.group("v")
    if value[:2] in ("76", "77", "79") or value[:4] in ("6179", "6180", "3270", "1929", "5587", "5715", "5716"):
        return False  # CPT ranges of radiation oncology, nuclear medicine therapy, SRS and brachytherapy
    if _preceding_word(text, m.start()).lower() in _NOT_ZIP_BEFORE:
        return False
    return not _cpt_context(m, text)


def _city_before_zip(m: re.Match[str], text: str) -> bool:
    return _town(m.group("v").split())


def _common_word(word: str) -> bool:
    from .lexicon import lexicon

    lex = lexicon()
    return word in lex.common and not lex.is_strong(word)


_TOWN_PREFIXES = {"new", "lake", "port", "east", "west", "north", "south", "fort", "mount", "saint", "san", "santa",
                  "los", "las", "el", "la", "glen", "grand", "little", "big", "upper", "lower", "old", "palm", "cape"}


def _town(words: list[str]) -> bool:
    """Capitalised words that may name a town: no clinical word, and not everyday English ("Medical Physics")."""
    low = [w.lower() for w in words]
    if any(w in GUARD for w in low) or (low[0] in _TOWN_PREFIXES and len(low) == 1):
        return False
    return all(not _common_word(w) or (i == 0 and w in _TOWN_PREFIXES) for i, w in enumerate(low))


def _city_after_cue(m: re.Match[str], text: str) -> bool:
    return _town(m.group("v").split())


def _street(m: re.Match[str], text: str) -> bool:
    # "2 Gy Field" is a dose, not 2 Gy Field Street.
    return not any(w.lower() in GUARD for w in re.findall(r"[A-Za-z]+", m.group("street")))


def _seven_digit_phone(m: re.Match[str], text: str) -> bool:
    before = _preceding_word(text, m.start()).lower()
    return m.group(0)[0] not in "01" and before not in {"from", "between", "range", "of", "v", "version"}


# --- rules, in priority order ----------------------------------------------------------------------------------
RULES = RuleSet((
    _r("EMAIL", r"(?<![\w.%+-])[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}\.){1,5}[a-z]{2,24}\b",
       needs="@", digit=False, lower=True),
    _r("URL", r"(?<![\w@./-])(?:(?:https?|ftp)://|www\.)" + _URL_TAIL, at="http https ftp www", digit=False,
       lower=True),
    # Bare host names only with a common TLD, so "e.g." or "RT_PELVIS_v2" never look like URLs.
    _r("URL", r"(?<![\w@./-])[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,4}\.(?:com|org|net|edu|gov|io|info"
              r"|health)\b(?:/" + _URL_TAIL + r")?", needs=".com .org .net .edu .gov .io .info .health",
       digit=False, lower=True),
    # Short links and other hosts with any TLD, when a path follows: bit.ly/3xYz, tinyurl.com/abc, t.co/x.
    _r("URL", r"(?<![\w@./-])[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,3}\.[a-z]{2,6}/[a-z0-9](?:" + _URL_TAIL
              + r")?", needs="/", digit=False, lower=True),
    _r("IP", r"\d(?<![\w.]\d)\d{0,2}(?:\.\d{1,3}){3}(?!\w|\.\d)", _ip, needs="."),
    _r("IP", r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:{1,2}){1,7}[0-9A-Fa-f]{1,4}(?![\w:])", _ipv6, needs=":"),
    # Labelled identifiers first: the label makes them certain whatever the value's shape.
    _r("SSN", r"\b(?:ssn|ss\#|ss[ \t]?no\.?|social[ \t]{1,3}security(?:[ \t]{1,3}(?:number|no\.?|\#))?)" + _SEP
              + r"(?P<v>\d{3}(?P<s>[- ]?)\d{2}(?P=s)\d{4}|\d{4})(?![\w-])", at="ssn ss social", lower=True),
    # Plural labels take a list: "MRNs 12345678 and 2345678" (one placeholder for the list).
    _r("MRN", r"\b(?:mrns|mrn['’]s|mr[ \t]?\#s|medical[ \t]{1,3}record[ \t]{1,3}numbers|charts|records)" + _SEP
              + r"(?P<v>[a-z]{0,3}\d[0-9a-z-]{4,20}(?:[ \t]{0,3}(?:,|&|/|and|,[ \t]{0,3}and)[ \t]{0,3}[a-z]{0,3}\d"
                r"[0-9a-z-]{4,20}){1,9})(?![\w-])",
       at="mrns mrn medical mr charts records", lower=True),
    _r("MRN", r"\b(?:mrn|mr[ \t]?\#|mr[ \t]?no\.?|med(?:ical)?[ \t]{0,3}rec(?:ord)?s?(?:[ \t]{0,3}(?:number|num|"
              r"no\.?|\#))?|(?:hospital|chart|record|patient|pt|unit|case)[ \t]{0,3}(?:number|num|no\.?|\#|id)"
              r"|empi|csn|fin|har|mpi)" + _SEP + _ID_VALUE,
       at="mrn mr med medical medrec hospital chart record patient pt unit case empi csn fin har mpi", lower=True),
    _r("ACCOUNT", r"\b(?:acct|account|mbi|hicn|(?:prior|pre)[ \t-]?auth(?:ori[sz]ation)?|authori[sz]ation|pa[ \t]?\#|"
                  r"(?:insurance|ins|policy|member|subscriber|medicare|medicaid|claim|billing|encounter|visit|"
                  r"guarantor|license|licence|plate|vin|bcbs|aetna|cigna|humana|uhc|tricare|payer)[ \t]{0,3}"
                  r"(?:number|num|no\b\.?|id\b|\#|:)|(?:group|auth|ref|reference|confirmation|conf|dl|certificate|cert)"
                  r"[ \t]{0,3}(?:number|num|no\b\.?|id\b|\#))"
                  + _NUMBER_WORD + _SEP + r"(?P<v>" + _ANY_VALUE + r")",
       at="acct account mbi hicn prior pre authorization authorisation pa insurance ins policy member subscriber "
          "medicare medicaid claim billing encounter visit guarantor group auth ref reference confirmation conf "
          "license licence dl plate vin certificate cert bcbs aetna cigna humana uhc tricare payer", lower=True),
    _r("SERIAL", r"\b(?:serial(?:[ \t]{0,3}(?:number|num|no\.?|\#))?|ser\.?[ \t]{0,3}(?:no\.?|\#)|s/n\#?|sn\#?|"
                 r"s\.n\.|lot(?:[ \t]{0,3}(?:number|no\.?|\#))?|udi|(?:device|implant)[ \t]{1,3}(?:id(?:entifier)?|"
                 r"serial)|model/serial|(?:pacemaker|icd|generator)[ \t]{1,3}serial)" + _SEP + r"(?P<v>" + _ANY_VALUE
                 + r")", at="serial ser s sn lot udi device implant model pacemaker icd generator", lower=True),
    # North American numbers: 555-123-4567, (555) 123-4567, +1 555 123 4567, 555.123.4567, 001-555-123-4567x89.
    _r("PHONE", r"(?<![\w+(-])(?:001[ .-]|\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ ./-])\d{3}[ .-]\d{4}"
                r"(?:[ \t]{0,2}(?:x|ext\.?|extension)[ \t.]{0,2}\d{1,6})?(?![\w-]|\.\d)"),
    _r("PHONE", r"\b(?:phone|tel|telephone|cell|mobile|pager|fax|ph|call(?:ed)?|contact|number|home|work|"
                r"beeper|vm|voicemail)\b[ \t#:.]{0,3}(?:at[ \t]{1,3}|number[ \t]{1,3}|no\.?[ \t]{0,3})?"
                r"(?P<v>\d{3}[-. ]\d{4}(?:[ \t]{0,2}(?:x|ext\.?)[ \t.]{0,2}\d{1,6})?)(?![\w-]|\.\d)",
       at="phone tel telephone cell mobile pager fax ph call called contact number home work beeper vm voicemail",
       lower=True),
    # Seven digits alone ("555-1234"), unless a unit follows or it is a range ("from 200-1000").
    _r("PHONE", r"\d(?<![\w.,/:#-]\d)\d{2}-\d{4}(?:[ \t]{0,2}(?:x|ext\.?)[ \t.]{0,2}\d{1,6})?(?!\w|[-.,/:]\d)"
                + _UNIT_AHEAD, _seven_digit_phone, lower=True, needs="-"),
    _r("SSN", r"\d(?<![\w-]\d)\d{2}(?P<s>[- ])\d{2}(?P=s)\d{4}(?![\w-])", _ssn_shape),
    # Dates.  A "DOB"-style label makes even "1/2" or "01021945" a date.
    _r("DATE", r"\b(?:dob|d\.o\.b\b\.?|date[ \t]{1,3}of[ \t]{1,3}birth|birth[ \t]?date|born(?:[ \t]{1,3}on)?)"
               + _SEP + r"[-–]?[ \t]{0,3}(?P<v>\d{1,2}[/.-]\d{1,2}(?:[/.-]'?(?:\d{4}|\d{2}))?|\d{6}(?:\d{2})?)"
               r"(?![\w/]|[-.]\d)", at="dob d date birth birthdate born", lower=True),
    _r("DATE", r"(?P<y>[12](?<![\w./-][12])\d{3})(?P<s>[-/.])(?:0?[1-9]|1[0-2])(?P=s)(?:0?[1-9]|[12]\d|3[01])"
               r"(?![\w/]|[-.]\d)", _iso_date, needs="- / ."),
    # Three numeric fields only: "fx 3/25" (fraction 3 of 25) has two and survives.
    _r("DATE", r"(?P<a>\d(?<![\w./-]\d)\d?)(?P<s>[/-])(?P<b>\d{1,2})(?P=s)'?(?:\d{4}|\d{2})(?![\w/]|[-.]\d)",
       _numeric_date, needs="- /"),
    _r("DATE", r"(?P<a>\d(?<![\w./-]\d)\d?)\.(?P<b>\d{1,2})\.(?:19|20)\d{2}(?!\w|\.\d)", _numeric_date, needs="."),
    # Dots with a two-digit year: "3.14.24", but not "ARIA v15.6.3", "version 4.2.10", "Eclipse 16.1.24".
    _r("DATE", r"(?P<a>\d(?<![\w./-]\d)\d?)\.(?P<b>\d{1,2})\.\d{2}(?!\w|\.\d)", _dotted_short_date, needs="."),
    _r("DATE", r"\b(?:" + _WEEKDAY + r",?[ \t]{1,3})?" + _MONTH + r"[ \t]{0,3}(?P<d>\d{1,2})" + _ORD + r"\b"
               + _UNIT_AHEAD + r"(?:[-–]\d{1,2}\b)?(?:,?[ \t]{1,3}(?:19|20)\d{2}\b|,?[ \t]{1,3}'\d{2}\b)?", _month_day,
       at=_MONTH_WORDS + " " + _WEEKDAYS, lower=True),
    _r("DATE", r"(?P<d>\d(?<![\w./-]\d)\d?)" + _ORD + r"(?:[ \t]{1,3}of)?[ \t-]{1,3}" + _MONTH
               + r"(?:,?[ \t]{1,3}(?:19|20)\d{2}\b|-(?:19|20)?\d{2}\b)?", _month_day, needs=_MONTH_WORDS,
       lower=True),
    _r("DATE", r"\b" + _MONTH + r",?[ \t]{1,3}(?:19|20)\d{2}\b", _capital_month, at=_MONTH_WORDS, lower=True),
    # Month/day without a year after a word that introduces a date ("on 3/14", "since 12/2", "Mon 3/14").
    _r("DATE", r"\b(?:(?P<intro>on|dated?|since|from|until|till|by|before|after)[ \t]{1,3})?(?P<v>(?:(?P<wd>"
               + _WEEKDAY_ALT + r")\b\.?,?[ \t]{1,3})?(?P<a>\d{1,2})/(?P<b>\d{1,2}))(?![\w/]|[-.]\d)" + _UNIT_AHEAD,
       _introduced_month_day, at="on date dated since from until till by before after " + _WEEKDAYS, lower=True),
    # ... or before a weekday: "3/14 (Mon)".
    _r("DATE", r"(?P<a>\d(?<![\w./-]\d)\d?)/(?P<b>\d{1,2})(?=[ \t]{0,2}[(,-]?[ \t]{0,2}" + _WEEKDAY + r")",
       _month_day_no_year, needs=_WEEKDAYS, lower=True),
    # Six digits that read as mmddyy ("031424"), unless a unit follows or a code label precedes.
    _r("DATE", r"\d(?<![\w.,/:#$-]\d)\d{5}(?!\w|[.,/:-]\d)" + _UNIT_AHEAD, _six_digit_date, lower=True),
    # Ages over 89 (HIPAA Safe Harbor); only the number is replaced: "[AGE]-year-old".
    _r("AGE", r"(?P<v>[19](?<![\w.][19])\d{1,2})(?=[ \t-]?(?:years?|yrs?)[ \t-]?(?:old|of[ \t]{1,3}age)\b"
              r"|[ \t]?(?:y/o|y\.o\b|yo[mf]?\b|yoa\b|y[ \t]?[mf]\b|-?years?\b|-?yrs?\b))", _age,
       needs="y yo yom yof yoa yr yrs year years", lower=True),
    # Compact forms: "92F", "92 M", "101M".
    _r("AGE", r"(?P<v>[19](?<![\w.][19])\d{1,2})[ \t]?(?:[MF]|yo[MF])\b(?![-'’]\w)", _compact_age),
    _r("AGE", r"\bage[ds]?[ \t]{0,3}(?:is[ \t]{1,3}|of[ \t]{1,3})?[:=]?[ \t]{0,3}(?P<v>\d{2,3})\b(?![.,]\d)"
              + _UNIT_AHEAD, _age, at="age aged ages", lower=True),
    _r("AGE", r"\b(?P<v>ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:one[ \t]{1,3})?"
              r"hundred(?:[ \t]{1,3}and)?(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?)"
              r"(?=[ \t-]{1,3}years?[ \t-]{1,3}old\b)", at="ninety one hundred", digit=False, lower=True),
    # Street addresses: number, optional direction, 1-3 capitalised words, a USPS street suffix, a unit, and the
    # city when a state follows.
    _r("ADDRESS", r"\d(?<![\w:./,-]\d)\d{0,5}[ \t]{1,3}(?P<street>(?:[NSEW]\.?[ \t]{1,3}|(?:North|South|East|West)"
                  r"[ \t]{1,3})?(?:(?:[A-Z][a-z]{1,30}|\d{1,3}(?:st|nd|rd|th))[ \t]{1,3}){1,3})" + _SUFFIX
                  + r"\b\.?(?:,?[ \t]{1,3}(?:Apt|Apartment|Unit|Suite|Ste|Fl|Floor|Bldg|Rm|Lot|Trlr)\.?[ \t]{0,3}\#?"
                  r"[ \t]{0,3}[A-Za-z0-9-]{1,6}\b|,?[ \t]{1,3}\#[ \t]{0,3}[A-Za-z0-9-]{1,6}\b)?"
                  r"(?:,[ \t]{0,3}[A-Z][a-z]{1,30}(?:[ \t][A-Z][a-z]{1,30}){0,2}(?=,?[ \t]{1,3}" + _STATES + r"\b))?",
       _street),
    _r("ADDRESS", r"\b(?:p\.?[ \t]?o\.?|post[ \t]{1,3}office)[ \t]{0,3}box[ \t]{1,3}\d{1,6}\b", at="p po post",
       lower=True),
    _r("ADDRESS", r"(?P<v>[A-Z](?<![A-Za-z][A-Z])[a-z]{1,30}(?:[ \t][A-Z][a-z]{1,30}){0,2})(?:,[ \t]{0,3}|[ \t]{1,3})"
                  + _STATES + r"[ \t]{1,3}\d{5}(?:-\d{4})?(?![\w-])"),
    # A town right before a ZIP ("Tateside 50207"), or after "lives in", "from", "moved to"; "X County".
    _r("ADDRESS", r"(?P<v>[A-Z](?<![A-Za-z][A-Z])[a-z]{1,30}(?:[ \t][A-Z][a-z]{1,30}){0,2}),?[ \t]{1,3}\d{5}"
                  r"(?:-\d{4})?(?![\w-])", _city_before_zip),
    _r("ADDRESS", r"\b(?:(?:lives|living|resides|residing|moved|moving|relocated|home|commutes|drives|drove|driving|"
                  r"comes|coming|travels|traveling|resident)[ \t]{1,3}(?:in[ \t]{1,3}from|in|to|from|of|up[ \t]{1,3}"
                  r"from))[ \t]{1,3}(?P<v>[A-Z][a-z]{2,30}(?:[ \t][A-Z][a-z]{1,30}){0,2})\b(?![ \t]?\d)",
       _city_after_cue, at="lives living resides residing moved moving relocated home commutes drives drove driving "
                           "comes coming travels traveling resident", digit=False),
    _r("ADDRESS", r"(?P<v>[A-Z](?<![A-Za-z][A-Z])[a-z]{2,30}(?:[ \t][A-Z][a-z]{1,30})?[ \t]County)\b",
       needs="county", digit=False),
    # ZIP codes: after a state, after a label, ZIP+4, in parentheses, and alone unless a CPT code or a standard.
    _r("ZIP", _STATES + r"(?<!\w..)[ \t]{1,3}(?P<v>\d{5}(?:-\d{4})?)(?![\w-])", _state_zip),
    _r("ZIP", r"\b(?:zip(?:[ \t]{0,3}code)?|postal[ \t]{0,3}code)" + _SEP + r"(?P<v>\d{5}(?:-\d{4})?)(?![\w-])",
       at="zip zipcode postal", lower=True),
    _r("ZIP", r"\d(?<![\w-]\d)\d{4}-\d{4}(?![\w-])", needs="-"),
    _r("ZIP", r"\((?P<v>\d{5})\)"),
    _r("ZIP", r"(?P<v>\d(?<![\w.,/:#$-]\d)\d{4})(?!\w|[.,/:-]\d)" + _UNIT_AHEAD, _bare_zip, lower=True),
    # Fallback: a bare run of 7-16 digits is no dose, MU, time or code; treat it as a record number.
    _r("MRN", r"\d(?<![\w.,/:-]\d)\d{6,15}(?!\w|[.,/:-]\d)"),
))

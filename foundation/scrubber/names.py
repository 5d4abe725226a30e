"""Person names in safety narratives: census name lists, context cues, letter case, and a clinical guard list.

How a word becomes a name, strongest evidence first:

* after a title ("Dr. Young", "Mrs. Garcia-Lopez"): any capitalised word that is not everyday English;
* after a cue: the patient ("pt smith", "patient Okafor"), a relative, guardian or power of attorney ("daughter
  Mary", "POA: Jane Doe"), a staff role ("RTT Kim", "physicist Lee"), a name label ("name: SMITH, JOHN"): a word
  from the census lists, or a capitalised word that no English list knows;
* with no cue: a first name followed by a surname in the same letter case ("John Smith", "JOHN SMITH", "john
  smith"), "Lastname, Firstname", a capitalised first name in mid-sentence ("told Karen"), a surname after a verb
  of contact ("paged Nguyen"), initials next to a date ("JS 3/14");
* everywhere else in the text, a word already found as a name ("Smith" later alone), in any case unless the
  word is also everyday English (then only capitalised).

Never a name: a word of the clinical guard list (drugs, eponyms, vendors and products, units, anatomy, workflow
words; see clinical.py), except right after a title.  In text typed all in capitals, capitals say nothing, so
upper-case words are judged like lower-case ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import Finding
from .lexicon import Lexicon, lexicon

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*")
_TITLES = {"mr", "mrs", "ms", "mx", "miss", "dr", "prof", "doctor", "professor", "mister", "madam", "sr", "sra"}
_PATIENT = {"pt", "patient", "pts", "patients", "ptn"}
_RELATIVES = {
    "wife", "husband", "spouse", "son", "daughter", "mother", "father", "mom", "dad", "mum", "sister", "brother",
    "caregiver", "grandson", "granddaughter", "grandmother", "grandfather", "grandma", "grandpa", "niece", "nephew",
    "aunt", "uncle", "cousin", "friend", "partner", "fiance", "fiancee", "guardian", "poa", "hcp", "proxy",
    "boyfriend", "girlfriend", "neighbor", "neighbour", "roommate", "stepson", "stepdaughter", "stepmother",
    "stepfather", "daughter-in-law", "son-in-law", "sister-in-law", "brother-in-law", "mother-in-law",
    "father-in-law", "kin", "nok", "contact", "attorney", "representative", "surrogate", "sibling", "child",
}
_STAFF = {
    "therapist", "therapists", "rtt", "rt", "rn", "nurse", "np", "pa", "md", "physicist", "dosimetrist", "cmd",
    "resident", "attending", "fellow", "tech", "technologist", "radiologist", "oncologist", "navigator",
    "coordinator", "scheduler", "receptionist", "engineer", "fse", "rep", "pharmacist", "sw", "chaplain", "aide",
    "cna", "lpn", "manager", "supervisor", "director", "physician", "surgeon", "provider", "dietitian", "mp", "dmp",
}
_LABELS = {"name", "names", "named", "pt's", "aka", "signed", "cc", "attn", "witness", "interpreter"}
# A surname right after one of these verbs of contact is a person ("paged Nguyen").
_CONTACT = {
    "paged", "called", "notified", "informed", "told", "asked", "contacted", "emailed", "messaged", "texted",
    "spoke", "per", "by", "with", "to", "from", "and", "cc", "via", "w", "thanks", "thank",
}


def _split(words: str) -> list[str]:
    return words.split()


# Common words that are also frequent names: never names in lower case, even after "pt".
_AMBIGUOUS = frozenset(_split(
    "will may can mark bill hope grace rose king white black young long page little short strong rich price best love "
    "joy faith day early late house field street bush gay chase miles summer autumn winter spring frank art guy pat "
    "sue dawn eve iris ivy jade ruby pearl amber june april august angel case cash major rush noble north west south "
    "east golden swift power powers bond cross sharp head story law chance")
)
_SENTENCE_END = ".!?\n"
_MONTH_NAMES = {"april", "may", "june", "august"}  # also first names: after a cue, "daughter April" is a person
_GUARD_PAIRS = {("winston", "lutz"), ("monte", "carlo"), ("ann", "arbor"), ("gamma", "knife")}
_MODALS = {"will", "may", "can", "did", "was", "is", "has", "had", "should", "would", "could", "might", "must"}
_DOTTED_WORDS = {"dob", "am", "pm", "eg", "ie", "po", "nb", "us", "usa", "ssn", "mrn", "etc", "bid", "tid", "qd", "prn",
                 "npo", "dnr", "md", "rn", "np", "pa", "do", "phd", "dds", "aka", "asap", "eta", "fyi"}
_INITIALS = re.compile(r"(?:[A-Z]\.){2,3}|[A-Z]{2,3}\b")


@dataclass
class _Tok:
    start: int
    end: int
    text: str
    low: str  # lower case, apostrophes removed: the lexicon's spelling
    parts: tuple[str, ...]  # hyphen parts, lower case
    shape: str  # "title", "upper", "lower", "initial"
    sentence_start: bool
    free: bool


def _shape(word: str) -> str:
    if len(word) == 1:
        return "initial" if word.isupper() else "lower"
    if word.isupper():
        return "upper"
    if word[0].isupper():
        return "title"
    return "lower" if word.islower() else "title"


def _tokens(text: str, taken: bytearray) -> list[_Tok]:
    out: list[_Tok] = []
    prev_end = 0
    prev_word = ""
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        word = m.group()
        if word[-2:] in ("'s", "’s") and len(word) > 3:  # possessive: "Smith's" is Smith
            word, end = word[:-2], end - 2
        gap = text[prev_end:start]
        stripped = gap.strip(" \t\"'()[]*•")
        sentence_start = not out or (
            bool(stripped) and stripped[-1] in _SENTENCE_END and prev_word.lower() not in _TITLES and len(prev_word) > 1
        ) or "\n" in gap
        low = word.lower().replace("'", "").replace("’", "")
        out.append(_Tok(start, end, word, low, tuple(low.split("-")), _shape(word), sentence_start,
                        taken.find(1, start, end) == -1))
        prev_end, prev_word = end, word
    return out


class _Judge:
    """The word tests, bound to the lexicon and to whether capitals mean anything in this text."""

    def __init__(self, lex: Lexicon, shouting: bool):
        self.lex = lex
        self.shouting = shouting

    def capital(self, t: _Tok) -> bool:
        return t.shape == "title" or (t.shape == "upper" and not self.shouting)

    def guard(self, t: _Tok) -> bool:
        return t.low in self.lex.guard or any(p in self.lex.guard for p in t.parts)

    def namey(self, t: _Tok) -> bool:
        return self.lex.is_name(t.low) or any(self.lex.is_name(p) for p in t.parts if len(p) > 1)

    def strong(self, t: _Tok) -> bool:
        return self.lex.is_strong(t.low) or (len(t.parts) > 1 and any(self.lex.is_strong(p) for p in t.parts))

    def common(self, t: _Tok) -> bool:
        return t.low in self.lex.common or (len(t.parts) > 1 and all(p in self.lex.common for p in t.parts))

    def english(self, t: _Tok) -> bool:
        return self.lex.is_english(t.low) or (len(t.parts) > 1 and all(self.lex.is_english(p) for p in t.parts))

    def unknown(self, t: _Tok) -> bool:
        """A capitalised word no list knows (a foreign surname, most likely)."""
        return len(t.low) > 2 and not self.english(t) and not self.guard(t) and not self.namey(t)

    def lower_name(self, t: _Tok) -> bool:
        """A lower-case (or shouted) word that is a name in context: a list name, not everyday English."""
        if self.guard(t) or t.low in _AMBIGUOUS or not self.namey(t) or len(t.low) < 2:
            return False
        if not self.english(t):
            return True
        frequent = self.lex.last_rank(t.low) < 1000 or self.lex.first_rank(t.low) < 500
        return frequent and not t.low.endswith(("ed", "ing", "ly"))

    def cued(self, t: _Tok) -> bool:
        """A word right after a cue (patient, relative, staff, label)."""
        if not t.free:
            return False
        if t.shape == "initial":
            return True
        if self.capital(t):
            if self.guard(t) and t.low not in _MONTH_NAMES:
                return False
            if t.shape == "upper" and len(t.low) <= 3 and not self.namey(t):
                return True  # initials: "pt JS"
            return (self.strong(t) or (self.namey(t) and not self.common(t)) or self.unknown(t)
                    or (self.lex.is_first(t.low) and t.low not in _AMBIGUOUS))
        return self.lower_name(t)

    def after_title(self, t: _Tok) -> bool:
        if not t.free:
            return False
        if t.shape == "initial":
            return True
        if self.capital(t):
            return not (self.common(t) and not self.namey(t))
        return self.lower_name(t)


def find_names(text: str, taken: bytearray, found: list[Finding]) -> list[Finding]:
    """NAME findings in the parts of ``text`` not yet ``taken`` (which this marks); ``found`` has the other kinds."""
    if not any(c.isalpha() for c in text):
        return []
    toks = _tokens(text, taken)
    if not toks:
        return []
    letters = [c for c in text if c.isalpha()]
    shouting = sum(c.isupper() for c in letters) > 0.7 * len(letters) and len(letters) > 20
    judge = _Judge(lexicon(), shouting)
    names: set[int] = set()  # token indexes that are names

    def gap(i: int) -> str:
        return text[toks[i - 1].end : toks[i].start]

    def extend(i: int, test) -> None:
        """Mark toks[i] and the name words that follow it (up to three in all, or "Last, First")."""
        names.add(i)
        j = i + 1
        count = 1
        while j < len(toks) and count < 3:
            g = gap(j)
            t = toks[j]
            same_case = judge.capital(t) == judge.capital(toks[j - 1]) or "initial" in (t.shape, toks[j - 1].shape)
            if g.strip() == "," and count == 1 and judge.lex.is_first(t.low) and not judge.guard(t) and same_case:
                names.add(j)  # "Smith, John"
            elif g in (" ", ". ", ".", "  ") and same_case and (test(t) or t.shape == "initial") and t.free:
                if g.startswith(".") and toks[j - 1].shape != "initial":
                    break
                names.add(j)
            else:
                break
            j += 1
            count += 1

    for i, t in enumerate(toks):
        if i in names or not t.free:
            continue
        prev = toks[i - 1] if i else None
        g = gap(i) if i else ""
        joined = prev is not None and "\n" not in g and len(g) <= 4 and all(c in " \t.:,(#-" for c in g)
        plow = prev.low if prev else ""
        if joined and plow in _TITLES and (prev.shape != "lower" or plow not in ("ms", "mr", "sr")):
            if judge.after_title(t):
                extend(i, judge.after_title)
            continue
        if joined and (plow in _PATIENT or plow in _RELATIVES or plow in _STAFF or plow in _LABELS
                       or plow == "attorney" or (plow == "is" and i > 1 and toks[i - 2].low in ("name", "names"))):
            if plow in _STAFF and prev.shape == "upper" and plow in ("rt", "pa") and t.shape != "title":
                continue  # "RT SIDE", "PA FIELD": directions, not people
            if judge.cued(t):
                extend(i, judge.cued)
                continue
        if _pair(judge, toks, i, gap):
            extend(i, lambda u, t=t: judge.namey(u) and not judge.guard(u) and judge.capital(u) == judge.capital(t))
            continue
        if _last_first(judge, toks, i, gap):
            names.update((i, i + 1))
            continue
        if len(t.parts) > 1 and judge.capital(t) and not judge.guard(t) and all(
            judge.lex.is_last(p) and p not in judge.lex.common for p in t.parts
        ):
            names.add(i)  # "Hernandez-Ruiz": two surnames joined
            continue
        if judge.capital(t) and t.shape == "title" and not judge.guard(t):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            glued = nxt is not None and gap(i + 1) == " " and judge.capital(nxt) and judge.guard(nxt)
            first = (judge.lex.first_rank(t.low) < 3000 and judge.lex.last_rank(t.low) >= 5000
                     and not judge.english(t) and not glued
                     and (not t.sentence_start or (nxt is not None and nxt.shape == "lower")))
            contact = (joined and plow in _CONTACT and not t.sentence_start and judge.lex.is_name(t.low)
                       and not judge.common(t) and not glued)
            if first or contact:
                names.add(i)
    out = _spans(text, toks, names, taken)
    out += _initials_by_dates(text, taken, found, judge)
    out += _recurrences(text, toks, out, taken, judge)
    return out


def _pair(judge: _Judge, toks: list[_Tok], i: int, gap) -> bool:
    """First name then surname, in the same letter case, with no cue ("John Smith", "JOHN SMITH", "john smith")."""
    if i + 1 >= len(toks):
        return False
    a, b = toks[i], toks[i + 1]
    j = i + 1
    if gap(j) not in (" ", "  "):
        return False
    if b.shape == "initial" and j + 1 < len(toks) and gap(j + 1) in (". ", " "):
        j += 1  # a middle initial: "John Q. Sanders"
        b = toks[j]
    if not b.free or judge.guard(a) or (a.low, b.low) in _GUARD_PAIRS:
        return False
    strong_first = judge.lex.first_rank(a.low) < 1500 and not judge.english(a)
    if judge.guard(b) and not (strong_first and judge.lex.last_rank(b.low) < 5000):
        return False  # "Joanna Foley" is a person; "Foley catheter" never reaches here
    if not judge.lex.is_first(a.low) or not (judge.lex.is_last(b.low) or any(judge.lex.is_last(p) for p in b.parts)):
        return False
    if judge.capital(a) and judge.capital(b) and a.shape == b.shape:
        b_sure = judge.strong(b) and not judge.common(b)
        if judge.common(a) and not b_sure and (
            judge.lex.first_rank(a.low) >= 1500 or a.sentence_start or a.low in _AMBIGUOUS
        ):
            return False
        return not (judge.common(b) and not judge.strong(b))
    if a.shape in ("lower", "upper") and a.shape == b.shape:
        b_ok = judge.lower_name(b) or (strong_first and judge.lex.last_rank(b.low) < 5000 and b.low not in _MODALS)
        return judge.lower_name(a) and b_ok
    return False


def _last_first(judge: _Judge, toks: list[_Tok], i: int, gap) -> bool:
    """'Smith, John' and 'SMITH,JOHN' with no cue."""
    if i + 1 >= len(toks):
        return False
    a, b = toks[i], toks[i + 1]
    if gap(i + 1).strip() != "," or len(gap(i + 1)) > 3 or not b.free or a.shape != b.shape:
        return False
    if judge.guard(a) or judge.guard(b) or not judge.lex.is_last(a.low) or not judge.lex.is_first(b.low):
        return False
    tight = gap(i + 1) == "," or a.shape == "upper"  # "SMITH, JOHN", "Baker,Mark": a record's way of writing
    if judge.capital(a):
        ambiguous_first = judge.common(b) and b.low in _AMBIGUOUS
        return not (judge.common(a) and not judge.strong(a)) and (tight or not ambiguous_first)
    return judge.lower_name(a) and judge.lower_name(b)


def _spans(text: str, toks: list[_Tok], names: set[int], taken: bytearray) -> list[Finding]:
    """One finding per run of name words ("John Q. Smith" -> one [NAME]); "Smith, John" stays two."""
    runs: list[list[int]] = []
    for i in sorted(names):
        t = toks[i]
        end = t.end + (1 if t.shape == "initial" and text[t.end : t.end + 1] == "." else 0)
        if taken.find(1, t.start, end) != -1:
            continue
        if runs and 0 < t.start - runs[-1][1] <= 2 and not text[runs[-1][1] : t.start].strip():
            runs[-1][1] = end
        else:
            runs.append([t.start, end])
    out = []
    for start, end in runs:
        taken[start:end] = b"\x01" * (end - start)
        out.append(Finding("NAME", start, end, text[start:end]))
    return out


def _initials_by_dates(text: str, taken: bytearray, found: list[Finding], judge: _Judge) -> list[Finding]:
    """Initials right before or after a date: "JS 3/14", "3/14/24 - J.S."."""
    out = []
    for f in found:
        if f.kind != "DATE":
            continue
        windows = [(max(0, f.start - 12), f.start), (f.end, min(len(text), f.end + 12))]
        for lo, hi in windows:
            for m in _INITIALS.finditer(text, lo, hi):
                between = text[m.end() : f.start] if hi == f.start else text[f.end : m.start()]
                if len(between) > 4 or any(c.isalnum() for c in between.replace("on", "")):
                    continue
                s, e = m.span()
                letters = m.group().replace(".", "").lower()
                # "M.R." (dotted) can be a person; "MR" (bare) is imaging.  "D.O.B." is never anyone.
                if (s and text[s - 1].isalnum()) or letters in (_DOTTED_WORDS if "." in m.group() else judge.lex.guard):
                    continue
                if taken.find(1, s, e) == -1:
                    taken[s:e] = b"\x01" * (e - s)
                    out.append(Finding("NAME", s, e, text[s:e]))
    return out


def _recurrences(text: str, toks: list[_Tok], found: list[Finding], taken: bytearray, judge: _Judge) -> list[Finding]:
    """A name found once is masked wherever it recurs (in any case, unless it is also everyday English)."""
    known: dict[str, str] = {}
    for original_run in (word for f in found for word in f.text.split()):
        low = original_run.lower().replace("'", "").replace("’", "")
        for word, original in [(low, original_run), *zip(low.split("-"), original_run.split("-"), strict=False)]:
            if len(word) > 2 and word.isalpha() or "-" in word:
                known.setdefault(word, original)
    if not known:
        return []
    out = []
    for t in toks:
        if t.low not in known or taken.find(1, t.start, t.end) != -1 or judge.guard(t):
            continue
        if judge.common(t) and t.text != known[t.low] and not (
            judge.capital(t) and (not t.sentence_start or judge.strong(t))
        ):
            continue
        taken[t.start : t.end] = b"\x01" * (t.end - t.start)
        out.append(Finding("NAME", t.start, t.end, t.text))
    return out

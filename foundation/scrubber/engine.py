"""The regex engine of the scrubber: rules, their cheap gates, and one pass that claims non-overlapping spans.

* A rule may name a group ``v``: only that group is replaced, so labels survive ("MRN 12345678" -> "MRN [MRN]").
* Rules run in priority order (most specific first); a later match overlapping an earlier one is dropped.
* Label rules are written in lower case and run on an ASCII-lower-cased copy of the text with the same offsets
  (``(?i)`` alternations are several times slower in ``re``), and only where one of their label words occurs,
  found by a single scan over the letter runs of the text.  Other rules are skipped when the text lacks a digit
  or a word/substring they need.
* Backtracking: every repeat over user text is bounded and no unbounded quantifier is nested in another; digit-led
  rules start with a bare ``\\d`` so the regex engine skips to the next digit in C.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

# kind -> short description shown to the reporter ("This narrative seems to contain a date ...").
KINDS: dict[str, str] = {
    "DATE": "a date (possibly a date of birth)",
    "MRN": "a medical record number",
    "ACCOUNT": "an account, insurance, authorization or reference number",
    "PHONE": "a phone or fax number",
    "EMAIL": "an e-mail address",
    "SSN": "a Social Security number",
    "ADDRESS": "a street address or town",
    "ZIP": "a ZIP code",
    "URL": "a web address (URL)",
    "IP": "an IP address",
    "SERIAL": "a device, implant or lot serial number",
    "AGE": "an age over 89",
    "NAME": "a person's name",
}


@dataclass(frozen=True)
class Finding:
    """One identifier: its kind, its span in the text and the text of the span."""

    kind: str
    start: int
    end: int
    text: str


Check = Callable[[re.Match[str], str], bool]  # (match, original text) -> keep?


@dataclass(frozen=True)
class Rule:
    """A compiled pattern with the gates that decide where (and whether) it is tried."""

    kind: str
    pattern: re.Pattern[str]
    check: Check | None
    anchors: frozenset[str]  # label words the match starts on ("mrn", "dob")
    words: frozenset[str]  # otherwise: skipped unless the lower-cased text has one of these words ...
    substrings: tuple[str, ...]  # ... or substrings
    digit: bool  # skipped unless the text has a digit
    lower: bool  # pattern is lower case and runs on the ASCII-lower-cased text


def rule(kind: str, pattern: str, check: Check | None = None, *, at: str = "", needs: str = "", digit: bool = True,
         lower: bool = False) -> Rule:
    split = needs.split()
    return Rule(kind, re.compile(pattern), check, frozenset(at.split()), frozenset(n for n in split if n.isalpha()),
                tuple(n for n in split if not n.isalpha()), digit, lower)


PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")
_DIGIT = re.compile(r"\d")
# str.lower() may change the length of some non-ASCII strings; offsets must not move.
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_LETTER_RUN = re.compile(r"[a-z]+")  # words as runs of letters, so "mrn" is found in "MRN#123", "ss" not in "pass"


class RuleSet:
    """Rules in priority order, with the index of which label words start which rules."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules = tuple(rules)
        self.anchors_of: dict[str, tuple[int, ...]] = {
            word: tuple(i for i, r in enumerate(self.rules) if word in r.anchors)
            for word in {word for r in self.rules for word in r.anchors}
        }
        self.interesting = frozenset(self.anchors_of).union(*(r.words for r in self.rules))

    def run(self, text: str, taken: bytearray) -> list[Finding]:
        """Findings of every rule in ``text``, skipping spans already ``taken`` (and marking their own)."""
        low = text.translate(ASCII_LOWER)
        has_digit = _DIGIT.search(text) is not None
        gate = low
        if "[" in text:  # our own placeholders ("[SERIAL]", "[AGE]") must not wake the label rules up
            gate = PLACEHOLDER.sub(lambda m: " " * len(m.group()), text).translate(ASCII_LOWER)
        seen: set[str] = set()
        starts: dict[int, list[int]] = {}
        for m in _LETTER_RUN.finditer(gate):
            if (word := m.group()) in self.interesting:
                seen.add(word)
                for i in self.anchors_of.get(word, ()):
                    starts.setdefault(i, []).append(m.start())
        found: list[Finding] = []
        for i, r in enumerate(self.rules):
            if r.digit and not has_digit:
                continue
            subject = low if r.lower else text
            if r.anchors:
                if i not in starts:
                    continue
                matches: Iterable[re.Match[str]] = _matches_at(r.pattern, subject, starts[i])
            elif (r.words or r.substrings) and r.words.isdisjoint(seen) and not any(n in gate for n in r.substrings):
                continue
            else:
                matches = r.pattern.finditer(subject)
            has_value = "v" in r.pattern.groupindex
            for m in matches:
                if r.check is not None and not r.check(m, text):
                    continue
                start, end = m.span("v") if has_value else m.span()
                if end <= start or taken.find(1, start, end) != -1:
                    continue
                taken[start:end] = b"\x01" * (end - start)
                found.append(Finding(r.kind, start, end, text[start:end]))
        return found


def _matches_at(pattern: re.Pattern[str], subject: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """Like pattern.finditer(subject), but only trying the given (sorted) start positions."""
    end = -1
    for pos in starts:
        if pos >= end and (m := pattern.match(subject, pos)) is not None:
            end = m.end()
            yield m

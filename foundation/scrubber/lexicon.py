"""The word lists behind the name detector, read once per process on first use (about 30 ms, 20 MB).

data/README.md says where each list comes from and under which terms.  Words are looked up lower case with
apostrophes removed ("O'Brien" -> "obrien", as the census writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .clinical import GUARD

DATA = Path(__file__).resolve().parent / "data"
# A first name among the most frequent STRONG_FIRST, or a surname among the most frequent STRONG_LAST, is a name
# even when it is also an English word ("Young", "King", "Rose"); rarer list entries ("Care", "Plan") are not.
STRONG_FIRST = 1500
STRONG_LAST = 5000
NOT_RANKED = 1 << 30


def _lines(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    """Census name lists with frequency ranks, SCOWL English words, and the clinical guard list."""

    first_names: dict[str, int]  # word -> rank (0 = most frequent)
    surnames: dict[str, int]
    common: frozenset[str]  # SCOWL levels 10-35: everyday English
    known: frozenset[str]  # SCOWL levels 40-50: rarer English
    guard: frozenset[str]

    def first_rank(self, word: str) -> int:
        return self.first_names.get(word, NOT_RANKED)

    def last_rank(self, word: str) -> int:
        return self.surnames.get(word, NOT_RANKED)

    def is_first(self, word: str) -> bool:
        return word in self.first_names

    def is_last(self, word: str) -> bool:
        return word in self.surnames

    def is_name(self, word: str) -> bool:
        return word in self.first_names or word in self.surnames

    def is_strong(self, word: str) -> bool:
        return self.first_rank(word) < STRONG_FIRST or self.last_rank(word) < STRONG_LAST

    def is_english(self, word: str) -> bool:
        return word in self.common or word in self.known


@cache
def lexicon() -> Lexicon:
    """The lists, loaded on first use (a module that only imports the scrubber pays nothing)."""
    first: dict[str, int] = {}
    for rank, word in enumerate(_lines("first_names.txt")):
        first.setdefault(word, rank)
    last: dict[str, int] = {}
    for rank, word in enumerate(_lines("surnames.txt")):
        last.setdefault(word, rank)
    return Lexicon(first, last, frozenset(_lines("english_common.txt")), frozenset(_lines("english_known.txt")), GUARD)

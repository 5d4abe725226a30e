"""Evaluate foundation.scrubber: recall per identifier kind, names recall, clean narratives changed, speed.

    python bench/scrubber_eval.py                 # both parts
    python bench/scrubber_eval.py --part tuning   # tuned on: generated, hand-written and the first corpus
    python bench/scrubber_eval.py --part heldout  # never looked at while tuning (tests/scrubber/generator.py)

Needs no Django and no database.  A planted identifier counts as caught when every character of it is covered by
findings, separators aside (the kind may differ: "right kind" is reported beside it).  A clean narrative counts
as changed when ``scrub`` changes any character.  Timings are CPU time (time.process_time) per ``scrub`` call,
which runs the detectors at least twice (the fixpoint check), on this machine's 2 shared cores.
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation.scrubber import KINDS, find_identifiers, scrub  # noqa: E402
from tests.scrubber import handwritten  # noqa: E402
from tests.scrubber.corpus import CLEAN as LEGACY_CLEAN  # noqa: E402
from tests.scrubber.corpus import PLANTED as LEGACY_PLANTED  # noqa: E402
from tests.scrubber.generator import build  # noqa: E402

Plant = tuple[str, int, int, str]


def legacy() -> list[tuple[str, list[Plant]]]:
    """The original corpus (substring plants) in span form."""
    out = []
    for text, plants in LEGACY_PLANTED:
        spans = []
        for kind, planted in plants:
            start = text.index(planted)
            spans.append((kind, start, start + len(planted), "legacy"))
        out.append((text, spans))
    return out


def part(name: str) -> tuple[list[tuple[str, list[Plant]]], list[str]]:
    planted, clean = build(name)
    if name == "tuning":
        planted = planted + handwritten.PLANTED + legacy()
        clean = clean + handwritten.CLEAN + LEGACY_CLEAN
    return planted, clean


def _cpu_ms(func, *args, repeat: int = 1) -> float:
    started = time.process_time()
    for _ in range(repeat):
        func(*args)
    return (time.process_time() - started) / repeat * 1000


def evaluate(name: str, *, show: int) -> dict:
    planted, clean = part(name)
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    right: Counter[str] = Counter()
    by_tag_total: Counter[str] = Counter()
    by_tag_caught: Counter[str] = Counter()
    missed = []
    for text, plants in planted:
        findings = find_identifiers(text)
        covered = bytearray(len(text))
        kinds = [""] * len(text)
        for f in findings:
            covered[f.start : f.end] = b"\x01" * (f.end - f.start)
            for i in range(f.start, f.end):
                kinds[i] = f.kind
        for kind, start, end, tag in plants:
            total[kind] += 1
            group = tag.split(":")[0] + (":" + tag.split(":")[1] if tag.startswith("name:") else "")
            by_tag_total[group] += 1
            # Every letter and digit of it covered (the space inside "John Smith" or the parentheses around a ZIP
            # may stay).
            if all(covered[i] for i in range(start, end) if text[i].isalnum()):
                caught[kind] += 1
                by_tag_caught[group] += 1
                right[kind] += all(kinds[i] == kind for i in range(start, end) if text[i].isalnum())
            else:
                missed.append((kind, tag, text[start:end], text))
    changed = [(text, scrub(text)) for text in clean]
    changed = [(a, b) for a, b in changed if a != b]
    texts = [text for text, _ in planted] + clean
    for text in texts[:50]:
        scrub(text)  # warm-up, including the lexicon
    per_text = [_cpu_ms(scrub, text, repeat=3) for text in texts]

    print(f"\n=== {name} part: {len(planted)} narratives with {sum(total.values())} planted identifiers, "
          f"{len(clean)} clean narratives ===")
    print(f"{'kind':<8} {'caught':>11} {'recall':>8} {'right kind':>11}")
    for kind in KINDS:
        if total[kind]:
            print(f"{kind:<8} {caught[kind]:>5}/{total[kind]:<5} {caught[kind] / total[kind]:>8.3f} "
                  f"{right[kind] / total[kind]:>11.3f}")
    structured = [k for k in KINDS if k != "NAME"]
    s_total, s_caught = sum(total[k] for k in structured), sum(caught[k] for k in structured)
    print(f"structured identifiers recall: {s_caught}/{s_total} = {s_caught / max(s_total, 1):.3f}")
    print(f"names recall: {caught['NAME']}/{total['NAME']} = {caught['NAME'] / max(total['NAME'], 1):.3f}  (by source: "
          + ", ".join(f"{g.split(':', 1)[1]} {by_tag_caught[g]}/{n}" for g, n in sorted(by_tag_total.items())
                      if g.startswith("name:")) + ")")
    print(f"clean narratives changed: {len(changed)}/{len(clean)} = {len(changed) / len(clean):.3f}")
    print(f"ms per narrative (CPU, mean {statistics.mean(len(t) for t in texts):.0f} chars): "
          f"mean {statistics.mean(per_text):.3f}, median {statistics.median(per_text):.3f}, "
          f"p95 {sorted(per_text)[int(0.95 * len(per_text))]:.3f}, max {max(per_text):.3f}")
    for kind, tag, value, text in missed[:show]:
        print(f"  MISSED {kind} ({tag}): {value!r} in {text[:140]!r}")
    for before, after in changed[:show]:
        lost = [w for w in difflib.ndiff(before.split(), after.split()) if w.startswith("- ")]
        print(f"  CHANGED: {' '.join(w[2:] for w in lost)!r} in {before[:120]!r}")
    return {"missed": len(missed), "changed": len(changed)}


def speed() -> None:
    planted, clean = part("tuning")
    long_planted = " ".join(text for text, _ in planted[:20])[:2000]
    long_clean = " ".join(clean)[:2000]
    scrub(long_planted)
    print(f"\n2,000-char narrative with {len(find_identifiers(long_planted))} identifiers: "
          f"{_cpu_ms(scrub, long_planted, repeat=50):.2f} ms per scrub, "
          f"{_cpu_ms(find_identifiers, long_planted, repeat=50):.2f} ms per find_identifiers (the live check); "
          f"2,000-char clean narrative: {_cpu_ms(scrub, long_clean, repeat=50):.2f} ms per scrub")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["tuning", "heldout", "both"], default="both")
    parser.add_argument("--show", type=int, default=15, help="misses and changes to print per part")
    args = parser.parse_args()
    parts = ["tuning", "heldout"] if args.part == "both" else [args.part]
    for name in parts:
        evaluate(name, show=args.show)
    speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())

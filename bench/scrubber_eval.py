"""Evaluate foundation.scrubber on the synthetic corpus: recall per identifier kind, false positives on
clean narratives, and speed.

    python bench/scrubber_eval.py

Needs no Django and no database.  A planted identifier counts as caught when every character of it
is covered by findings; "right kind" additionally needs every covering finding to have the planted
kind.  Timings are CPU time (time.process_time) so a busy machine skews them less.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation.scrubber import KINDS, find_identifiers, scrub  # noqa: E402
from tests.scrubber.corpus import CLEAN, CLINICAL_FACTS, PLANTED  # noqa: E402


def _cpu_ms(func, *args, repeat: int = 1) -> float:
    started = time.process_time()
    for _ in range(repeat):
        func(*args)
    return (time.process_time() - started) / repeat * 1000


def recall() -> tuple[Counter[str], Counter[str], Counter[str], list[tuple[str, str, str]]]:
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    right_kind: Counter[str] = Counter()
    missed: list[tuple[str, str, str]] = []
    for text, plants in PLANTED:
        findings = find_identifiers(text)
        scrubbed = scrub(text)
        for kind, planted in plants:
            total[kind] += 1
            start = text.index(planted)
            end = start + len(planted)
            touching = [f for f in findings if f.start < end and f.end > start]
            covered = {i for f in touching for i in range(max(start, f.start), min(end, f.end))}
            if len(covered) == end - start and planted not in scrubbed:
                caught[kind] += 1
                right_kind[kind] += all(f.kind == kind for f in touching)
            else:
                missed.append((kind, planted, text))
    return total, caught, right_kind, missed


def spurious_in_planted() -> int:
    """Findings in planted narratives that touch no planted identifier (clinical text flagged)."""
    count = 0
    for text, plants in PLANTED:
        spans = [(text.index(p), text.index(p) + len(p)) for _, p in plants]
        count += sum(1 for f in find_identifiers(text) if not any(f.start < e and f.end > s for s, e in spans))
    return count


def main() -> int:
    total, caught, right_kind, missed = recall()
    print(f"Planted corpus: {len(PLANTED)} narratives, {sum(total.values())} planted identifiers\n")
    print(f"{'kind':<8} {'caught':>9} {'recall':>8} {'right kind':>11}")
    for kind in KINDS:
        if total[kind]:
            print(f"{kind:<8} {caught[kind]:>4}/{total[kind]:<4} {caught[kind] / total[kind]:>8.1%} "
                  f"{right_kind[kind] / total[kind]:>11.1%}")
    overall = sum(caught.values()) / sum(total.values())
    print(f"{'overall':<8} {sum(caught.values()):>4}/{sum(total.values()):<4} {overall:>8.1%} "
          f"{sum(right_kind.values()) / sum(total.values()):>11.1%}")
    for kind, planted, text in missed[:20]:
        print(f"  MISSED {kind}: {planted!r} in {text[:100]!r}...")

    changed = [text for text in CLEAN if scrub(text) != text]
    facts_lost = [fact for fact in CLINICAL_FACTS if scrub(fact) != fact]
    print(f"\nClean corpus: {len(CLEAN)} narratives; changed at all: {len(changed)} "
          f"({len(changed) / len(CLEAN):.1%} false-positive rate, limit 5%)")
    for text in changed:
        print(f"  CHANGED: {scrub(text)[:160]!r}")
    print(f"Clinical fact phrases: {len(CLINICAL_FACTS)}; altered: {len(facts_lost)} {facts_lost or ''}")
    print(f"Findings in planted narratives touching no planted identifier: {spurious_in_planted()}")

    texts = [text for text, _ in PLANTED] + CLEAN
    for text in texts:  # warm-up
        scrub(text)
    per_text = [_cpu_ms(scrub, text, repeat=5) for text in texts]
    lengths = [len(text) for text in texts]
    print(f"\nTiming (CPU) per narrative, mean {statistics.mean(lengths):.0f} chars: "
          f"mean {statistics.mean(per_text):.3f} ms, median {statistics.median(per_text):.3f} ms, "
          f"p95 {sorted(per_text)[int(0.95 * len(per_text))]:.3f} ms, max {max(per_text):.3f} ms")
    long_planted = " ".join(text for text, _ in PLANTED[:12])[:4000]
    long_clean = " ".join(CLEAN)[:4000]
    print(f"4,000-char narrative, {len(find_identifiers(long_planted))} identifiers: "
          f"{_cpu_ms(scrub, long_planted, repeat=50):.2f} ms; "
          f"4,000-char clean narrative: {_cpu_ms(scrub, long_clean, repeat=50):.2f} ms")
    adversarial = {"'1' * 1e6": "1" * 1_000_000, "'a@' * 5e5": "a@" * 500_000, "'Mr ' * 3e5": "Mr " * 300_000,
                   "'Dr. Aa ' * 1.4e5": "Dr. Aa " * 140_000}
    print("1 MB adversarial inputs: " + ", ".join(
        f"{name} {_cpu_ms(scrub, text) / 1000:.2f} s" for name, text in adversarial.items()))
    return 0 if not missed and len(changed) <= 0.05 * len(CLEAN) else 1


if __name__ == "__main__":
    sys.exit(main())

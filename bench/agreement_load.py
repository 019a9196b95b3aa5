"""Loading an agreement: full validation (schema, cross-references, lines for every error)
against a bare `yaml.safe_load` of the same text, which checks nothing. Prints the ratio."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import size

from pactline.core.agreement import parse_agreement

EXAMPLES = sorted(
    (Path(__file__).resolve().parent.parent / "examples" / "agreements").glob("*.yaml")
)
ROUNDS = size(20, 2)  # --smoke: 2


def _best(fn: object, texts: list[str]) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for text in texts:
            fn(text)  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings) / len(texts)


def main() -> None:
    texts = [path.read_text(encoding="utf-8") for path in EXAMPLES]
    ours = _best(parse_agreement, texts)
    bare = _best(yaml.safe_load, texts)
    sizes = statistics.mean(len(text.splitlines()) for text in texts)
    print(f"documents: {len(texts)}, mean {sizes:.0f} lines, best of {ROUNDS} rounds")
    print(f"parse_agreement (validated): {ours * 1000:8.2f} ms per document")
    print(f"yaml.safe_load (unchecked):  {bare * 1000:8.2f} ms per document")
    print(f"ratio validated / unchecked: {ours / bare:.2f}x")


if __name__ == "__main__":
    main()

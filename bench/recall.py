"""Risk screen quality on held-out messages (bench/heldout/*.yaml), never used for tuning.

    .venv/bin/python bench/recall.py [-v]

Prints, per language, urgent messages caught, concern messages caught (as concern or urgent) and
everyday messages left alone; -v lists the misses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.lexicons import load_lexicons  # noqa: E402
from bot.core.safety import LexiconScreen  # noqa: E402

ACCEPTED = {"urgent": ("urgent",), "concern": ("concern", "urgent"), "none": ("none",)}


def main() -> int:
    verbose = "-v" in sys.argv
    screen = LexiconScreen(load_lexicons(ROOT / "locales", ROOT, []))
    print(f"{'language':<10}{'urgent caught':>16}{'concern caught':>17}{'left alone':>13}")
    for path in sorted((ROOT / "bench" / "heldout").glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        totals = {level: [0, 0] for level in ACCEPTED}
        misses = []
        for case in cases:
            got = screen.screen(case["text"]).level
            totals[case["level"]][0] += got in ACCEPTED[case["level"]]
            totals[case["level"]][1] += 1
            if got not in ACCEPTED[case["level"]]:
                misses.append(f"   {case['level']:>7} -> {got:<7} {case['text']}")
        cells = [f"{ok}/{n} ({ok / n:.0%})" if n else "-" for ok, n in totals.values()]
        print(f"{path.stem:<10}{cells[0]:>16}{cells[1]:>17}{cells[2]:>13}")
        if verbose:
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Risk screen speed: messages per second and p50/p99 per message.

Short messages and 4,096-character messages, against the shipped lexicons and against lexicons
grown synthetically to 10x and 100x as many phrases. Run from the repository root:

    .venv/bin/python bench/detector.py [--messages 3000]

Aims (issue 3): p99 under 1 ms for a 4,096-character message; 100x the phrases under 2x the time.
The figures vary with the machine; run it twice and read the second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.lexicons import load_lexicons  # noqa: E402
from bot.core.model import Lexicon, LexiconGroup  # noqa: E402
from bot.core.safety import LexiconScreen  # noqa: E402

SHORT = [
    "hello, how are you today?",
    "I could not sleep again last night",
    "when is the office open tomorrow",
    "je suis fatigué mais ça va",
    "شكرا كتير على المساعدة",
    "ممنون، حالم بهتره",
    "дякую, все добре",
    "no sé qué hacer con los papeles",
    "I want to kill myself",
    "bdi mout, ma 3ad fiyye",
    "k i l l myself",
    "my kids are dying to see their grandmother",
]
SENTENCES = [
    "We walked for many hours and the children were tired.",
    "The office said to come back next week with the papers.",
    "Nous avons attendu longtemps devant le bureau.",
    "ما زلنا ننتظر الأوراق من المكتب منذ شهرين.",
    "هنوز منتظر جواب اداره هستیم.",
    "Ми чекаємо на відповідь вже два місяці.",
    "Esperamos la respuesta desde hace semanas.",
]


def synthetic(lexicons: tuple[Lexicon, ...], factor: int, seed: int = 7) -> tuple[Lexicon, ...]:
    """The real lexicons plus (factor - 1) times as many invented phrases, in Latin letters."""
    rng = random.Random(seed)
    real = sum(lex.size for lex in lexicons)
    letters = "abcdefghijklmnoprstuvwyz"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(4, 9)))

    phrases = tuple(
        " ".join(word() for _ in range(rng.randint(2, 4))) for _ in range(real * (factor - 1))
    )
    extra = Lexicon("zz", "latin", (LexiconGroup("urgent", "suicide", phrases, "latin"),))
    return (*lexicons, extra)


def long_messages(count: int, rng: random.Random, pool: list[str]) -> list[str]:
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < 4096:
            parts.append(rng.choice(pool))
        out.append(" ".join(parts)[:4096])
    return out


def measure(screen: LexiconScreen, messages: list[str]) -> dict[str, float]:
    for text in messages[:50]:
        screen.screen(text)  # warm the word cache, as a running bot's would be
    times = []
    start = time.perf_counter()
    for text in messages:
        t0 = time.perf_counter_ns()
        screen.screen(text)
        times.append((time.perf_counter_ns() - t0) / 1e6)
    total = time.perf_counter() - start
    times.sort()
    return {
        "per_s": len(messages) / total,
        "p50": statistics.median(times),
        "p99": times[int(len(times) * 0.99) - 1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    problems: list = []
    lexicons = load_lexicons(ROOT / "locales", ROOT, problems)
    rng = random.Random(1)
    short = [rng.choice(SHORT) for _ in range(args.messages)]
    # Long prose, as a person writes a long message; and an adversarial mix in which every
    # message has spaced-out letters, Arabizi digits and Arabic script, so every slow path runs.
    prose = long_messages(max(200, args.messages // 10), rng, SENTENCES)
    mixed = long_messages(max(200, args.messages // 10), rng, SENTENCES + SHORT)
    print(f"{'lexicons':<22}{'phrases':>9}{'messages':>12}{'msg/s':>11}{'p50 ms':>9}{'p99 ms':>9}")
    baseline: dict[str, float] = {}
    for factor in (1, 10, 100):
        grown = lexicons if factor == 1 else synthetic(lexicons, factor)
        t0 = time.perf_counter()
        screen = LexiconScreen(grown)
        build = time.perf_counter() - t0
        for name, messages in (("short", short), ("4096 prose", prose), ("4096 mixed", mixed)):
            figures = measure(screen, messages)
            label = f"{'real' if factor == 1 else f'{factor}x'} (built {build:.2f} s)"
            print(
                f"{label:<22}{screen.size:>9}{name:>12}{figures['per_s']:>11,.0f}"
                f"{figures['p50']:>9.3f}{figures['p99']:>9.3f}"
            )
            if factor == 1:
                baseline[name] = figures["p50"]
            elif factor == 100:
                print(f"{'':<22}100x phrases cost {figures['p50'] / baseline[name]:.2f}x the "
                      f"p50 time of the real lexicons ({name})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

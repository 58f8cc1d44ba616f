"""The shipped safety lexicons on each language's own test cases, and the lexicon checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.content.lexicons import load_lexicons
from bot.core.model import Content
from bot.core.safety import LexiconScreen

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "tests" / "data" / "safety"
LANGUAGES = ("en", "ar", "fa", "fr", "es", "uk", "ru")


# The quality bar, per language: nearly every urgent message caught, most concern messages
# caught, everyday idioms rarely escalated. The case files keep hard cases that fixed phrases do
# not catch yet (intent carried only by context), so the bar is a rate, not every case.
MIN_URGENT = 0.95
MIN_CONCERN = 0.85
MAX_FALSE_ALARMS = 0.05


def _load_cases(language: str) -> list[dict]:
    data = yaml.safe_load((CASES / f"{language}.yaml").read_text(encoding="utf-8"))
    assert data["language"] == language
    return data["cases"]


@pytest.fixture(scope="module")
def screen(content: Content) -> LexiconScreen:
    return LexiconScreen(content.lexicons)


def test_every_language_has_a_lexicon_and_cases(content: Content) -> None:
    assert {lex.language for lex in content.lexicons} >= set(LANGUAGES)
    assert {p.stem for p in CASES.glob("*.yaml")} >= set(LANGUAGES)
    for lexicon in content.lexicons:
        assert lexicon.size >= 100, lexicon.language


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_meets_the_quality_bar(screen: LexiconScreen, language: str) -> None:
    cases = _load_cases(language)
    kinds = {case.get("kind") for case in cases}
    assert {"idiom", "obfuscated"} <= kinds, f"{language} needs idiom and obfuscated cases"
    levels = {"urgent": ("urgent",), "concern": ("concern", "urgent"), "none": ("none",)}
    missed: dict[str, list[str]] = {"urgent": [], "concern": [], "none": []}
    counts = {"urgent": 0, "concern": 0, "none": 0}
    for case in cases:
        counts[case["level"]] += 1
        if screen.screen(case["text"]).level not in levels[case["level"]]:
            missed[case["level"]].append(case["text"])
    assert counts["urgent"] >= 30 and counts["none"] >= 20
    report = f"{language} misses: {missed}"
    assert len(missed["urgent"]) <= (1 - MIN_URGENT) * counts["urgent"], report
    assert len(missed["concern"]) <= (1 - MIN_CONCERN) * counts["concern"], report
    assert len(missed["none"]) <= MAX_FALSE_ALARMS * counts["none"], report


def _write(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "locales" / "xx"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "safety.yaml").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("phrases", "line", "says"),
    [
        ('["!!!"]', 8, "empty once folded"),
        ('["want to die", "Want to DIE"]', 9, "already on line 8"),
        ('["want to die", "بدي موت"]', 9, "written in arabic, but its group is latin"),
        ('["kill myself", "kіll myself"]', 9, "already on line 8"),
    ],
)
def test_a_bad_phrase_is_an_error_at_its_line(tmp_path: Path, phrases, line, says) -> None:
    items = "\n".join(f"      - {json.dumps(p, ensure_ascii=False)}" for p in json.loads(phrases))
    body = (
        "version: 1\nlanguage: xx\nscript: latin\nentries:\n  - level: urgent\n"
        f"    category: suicide\n    phrases:\n{items}\n"
    )
    root = _write(tmp_path, body)
    problems: list = []
    assert load_lexicons(root / "locales", root, problems) == ()
    messages = [str(p) for p in problems if p.severity == "error"]
    assert any(says in m for m in messages), messages
    assert any(m.startswith(f"locales/xx/safety.yaml:{line}: ") for m in messages), messages


def test_unknown_level_and_category_are_errors(tmp_path: Path) -> None:
    body = (
        "version: 1\nlanguage: xx\nscript: latin\nentries:\n  - level: high\n"
        "    category: suicid\n    phrases: [want to die]\n"
    )
    problems: list = []
    root = _write(tmp_path, body)
    load_lexicons(root / "locales", root, problems)
    text = "\n".join(map(str, problems))
    assert "'high' is not a risk level" in text and "did you mean 'suicide'?" in text


def test_triage_prints_one_json_line_per_message() -> None:
    lines = ["I want to kill myself", '{"text": "je veux mourir"}', "hello", "{not json"]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "triage"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["level"] for o in out] == ["urgent", "urgent", "none", "none"]
    assert "suicide" in out[0]["categories"] and "en" in out[0]["languages"]
    assert "fr" in out[1]["languages"]
    assert set(out[0]["matches"][0]) == {"phrase", "language", "level", "category"}

"""The first risk screen: a small English phrase list behind the `RiskScreen` port.

Every inbound text passes a screen before anything else looks at it. This one is deliberately small
and cautious; the multilingual screen with its lexicons replaces it through the same port.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.ports import Screening

# Phrase -> (level, category). Whole-word matching, so "skill" never reads as "kill".
ENGLISH_PHRASES: dict[str, tuple[str, str]] = {
    "kill myself": ("urgent", "suicide"),
    "killing myself": ("urgent", "suicide"),
    "end my life": ("urgent", "suicide"),
    "ending my life": ("urgent", "suicide"),
    "take my own life": ("urgent", "suicide"),
    "suicide": ("urgent", "suicide"),
    "suicidal": ("urgent", "suicide"),
    "want to die": ("urgent", "suicide"),
    "don't want to live": ("urgent", "suicide"),
    "dont want to live": ("urgent", "suicide"),
    "do not want to live": ("urgent", "suicide"),
    "better off dead": ("urgent", "suicide"),
    "hurt myself": ("urgent", "self_harm"),
    "hurting myself": ("urgent", "self_harm"),
    "harm myself": ("urgent", "self_harm"),
    "cut myself": ("urgent", "self_harm"),
    "cutting myself": ("urgent", "self_harm"),
    "kill him": ("urgent", "harm_to_others"),
    "kill her": ("urgent", "harm_to_others"),
    "kill them": ("urgent", "harm_to_others"),
    "can't cope": ("concern", "distress"),
    "cant cope": ("concern", "distress"),
    "cannot cope": ("concern", "distress"),
    "hopeless": ("concern", "distress"),
    "overwhelmed": ("concern", "distress"),
    "panic attack": ("concern", "distress"),
    "a burden": ("concern", "distress"),
}

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def normalize(text: str) -> str:
    """Fold the ways one phrase can be typed into one form: width, case, invisible marks."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).casefold()
    text = text.replace("\u2019", "'").replace("`", "'")
    return " ".join(text.split())


class PhraseScreen:
    """Matches a phrase list with one compiled pattern, whose cost does not grow per phrase."""

    def __init__(self, phrases: dict[str, tuple[str, str]] | None = None) -> None:
        self._phrases = {normalize(p): v for p, v in (phrases or ENGLISH_PHRASES).items()}
        alternatives = sorted(self._phrases, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(p) for p in alternatives) + r")(?!\w)"
        )

    def screen(self, text: str) -> Screening:
        found = {self._phrases[m.group(1)] for m in self._pattern.finditer(normalize(text))}
        if not found:
            return Screening()
        level = "urgent" if any(lvl == "urgent" for lvl, _ in found) else "concern"
        categories = tuple(sorted({cat for lvl, cat in found if lvl == level}))
        return Screening(level=level, categories=categories)

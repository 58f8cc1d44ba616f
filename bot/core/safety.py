"""The risk screen: every installed language's lexicon, matched against every message.

People switch language mid-conversation, so a message is checked against all lexicons at once, not
only the user's language. Phrases and messages are folded the same way (`bot.core.normalize`), and
all phrases live in one Aho-Corasick automaton: screening costs the same whether a lexicon holds a
hundred phrases or ten thousand. A risk phrase inside a listed everyday idiom ("dying to see my
kids") does not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from bot.core.model import Lexicon
from bot.core.normalize import DIGIT_IN_WORD, fold, scripts_of
from bot.core.ports import Match, Screening

# Arabic attaches conjunctions, prepositions and the article to the word: و ف ب ل ك ال and their
# combinations. They are added in front of a phrase's first word, so "وبدي موت" matches "بدي موت".
ARABIC_PREFIXES = ("و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ول", "فل",
                   "وب", "فب", "ولل")  # fmt: skip
_APOSTROPHE = re.compile("['’‘ʼ`´]")
# Endings Arabic and Persian attach to words (pronouns, plural, "is", the colloquial object
# marker), in their folded spelling. "خودکشیه" is "خودکشی" + "ه".
ATTACHED_ENDINGS = tuple(sorted({
    "هايم", "هاي", "ها", "يم", "يد", "ند", "ام", "ات", "اش", "ست", "يه", "مو", "شو", "تو",
    "نا", "هم", "كم", "هن", "ني", "ون", "ين", "ان", "وا", "م", "ت", "ش", "ه", "ي", "ك", "و",
}, key=len, reverse=True))  # fmt: skip
MIN_STEM = 3
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
# Typos are mended only in words this long: shorter words are too close to everyday ones.
MIN_MENDED = 6


@dataclass(frozen=True)
class _Entry:
    excludes: bool
    language: str
    level: str
    category: str
    phrase: str


def phrase_keys(folded: str) -> set[str]:
    """The automaton keys one folded phrase stands for, padded so they match whole words only."""
    keys = {f" {folded} "}
    if " " in folded:
        # Spelled out letter by letter: the words run together, and a letter shared across a word
        # boundary ("хочу умереть") folds to one, as it does in the message.
        keys.add(f" {fold(folded.replace(' ', ''))} ")
    if "arabic" in scripts_of(folded.split()[0]):
        keys |= {f" {prefix}{folded} " for prefix in ARABIC_PREFIXES}
    return keys


class LexiconScreen:
    """The `RiskScreen` port over a set of lexicons."""

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        self.lexicons = tuple(lexicons)
        table: dict[str, list[_Entry]] = {}
        words: set[str] = set()
        for lexicon in self.lexicons:
            # A group in another script than its language's is a transliteration (Arabizi,
            # Finglish): its digits are letters, not leetspeak.
            items = [
                (phrase, _Entry(False, lexicon.language, g.level, g.category, phrase),
                 g.script == lexicon.script)
                for g in lexicon.groups
                for phrase in g.phrases
            ]  # fmt: skip
            items += [
                (phrase, _Entry(True, lexicon.language, "", "", phrase), True)
                for phrase in lexicon.exclusions
            ]
            for phrase, entry, leet in items:
                # A message folds "j'ai" to "jai"; someone may also type "j ai".
                spellings = (phrase, _APOSTROPHE.sub(" ", phrase))
                for folded in {fold(p, leet=leet) for p in spellings}:
                    if not folded:
                        continue
                    words.update(folded.split())
                    for key in phrase_keys(folded):
                        table.setdefault(key, []).append(entry)
        self._automaton = ahocorasick.Automaton()
        for key, entries in table.items():
            self._automaton.add_word(key, (len(key), tuple(entries)))
        if table:
            self._automaton.make_automaton()
        self._empty = not table
        self._words = frozenset(words)
        # Only words of letters are mended towards: "enter" must not become Arabizi "ent7er".
        self._long = frozenset(
            w for w in words if len(w) >= MIN_MENDED and w.isalpha() and not _arabic(w)
        )
        self._missing_letter: dict[str, set[str]] = {}
        for word in self._long:
            for i in range(len(word)):
                self._missing_letter.setdefault(word[:i] + word[i + 1 :], set()).add(word)
        self._mend = lru_cache(maxsize=65536)(self._mend_word)
        self._strip = lru_cache(maxsize=65536)(self._strip_ending)

    @property
    def size(self) -> int:
        return sum(lexicon.size for lexicon in self.lexicons)

    def _mend_word(self, word: str) -> str:
        """A lexicon word this word is one typo away from (a letter missing, extra or swapped)."""
        if len(word) < MIN_MENDED - 1 or word in self._words or _arabic(word):
            return word
        found = set(self._missing_letter.get(word, ()))
        for i in range(len(word)):
            extra = word[:i] + word[i + 1 :]
            if extra in self._long:
                found.add(extra)
            if i + 1 < len(word):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if swapped in self._long:
                    found.add(swapped)
        # Only words that start alike: "nourrir" must never become "mourir".
        found = {w for w in found if w[0] == word[0]}
        return found.pop() if len(found) == 1 else word

    def _strip_ending(self, word: str) -> str:
        """The lexicon word an Arabic-script word is, less an attached prefix and/or ending.

        Only a word some phrase contains is ever returned, so stripping cannot make up a match.
        """
        if word in self._words or not _arabic(word):
            return word
        for prefix in ("", *ARABIC_PREFIXES):
            if not word.startswith(prefix):
                continue
            rest = word[len(prefix) :]
            if prefix and rest in self._words and len(rest) >= MIN_STEM:
                return rest
            for ending in ATTACHED_ENDINGS:
                stem = rest[: -len(ending)]
                if rest.endswith(ending) and len(stem) >= MIN_STEM and stem in self._words:
                    return stem
        return word

    def screen(self, text: str) -> Screening:
        if self._empty:
            return Screening()
        folded = fold(text, self._mend)
        kept = self._scan(f" {folded} ")
        # Digits inside Latin words may be Arabizi letters: look again with them kept.
        if DIGIT_IN_WORD.search(text.casefold()):
            kept += [e for e in self._scan(f" {fold(text, leet=False)} ") if e not in kept]
        # Arabic and Persian attach endings to words; a second look without them catches
        # "خودکشیه" for "خودکشی" while the lexicon lists each phrase once.
        if _ARABIC_LETTER.search(folded):
            bare = " ".join(self._strip(w) for w in folded.split(" "))
            if bare != folded:
                kept += [e for e in self._scan(f" {bare} ") if e not in kept]
        if not kept:
            return Screening()
        level = "urgent" if any(e.level == "urgent" for e in kept) else "concern"
        ranked = sorted(kept, key=lambda e: e.level != "urgent")
        categories = tuple(dict.fromkeys(e.category for e in ranked))
        languages = tuple(dict.fromkeys(e.language for e in ranked))
        matches = tuple(
            dict.fromkeys(Match(e.phrase, e.language, e.level, e.category) for e in ranked)
        )
        return Screening(level, categories, languages, matches)  # type: ignore[arg-type]

    def _scan(self, padded: str) -> list[_Entry]:
        """Risk entries found in one folded text, less those inside an idiom or a longer match."""
        risks: list[tuple[int, int, _Entry]] = []
        idioms: list[tuple[int, int]] = []
        for end, (length, entries) in self._automaton.iter(padded):
            start = end - length + 1
            for entry in entries:
                if entry.excludes:
                    idioms.append((start, end))
                else:
                    risks.append((start, end, entry))
        risks = [r for r in risks if not any(a <= r[0] and r[1] <= b for a, b in idioms)]
        # A phrase inside a longer one is the same statement: "want to die" in "want to die now".
        return [
            e
            for s, t, e in risks
            if not any(a <= s and t <= b and (b - a) > (t - s) for a, b, _ in risks)
        ]


def _arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"

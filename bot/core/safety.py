"""The risk screen: every installed language's lexicon, matched against every message.

People switch language mid-conversation, so a message is checked against all lexicons at once, not
only the user's language. Phrases and messages are folded the same way (`bot.core.normalize`), and
all phrases live in one Aho-Corasick automaton: screening costs the same whether a lexicon holds a
hundred phrases or ten thousand. A risk phrase inside a listed everyday idiom ("dying to see my
kids") does not count.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

import ahocorasick

from bot.core.model import Lexicon
from bot.core.normalize import DIGIT_IN_WORD, Folder, fold, prefold, scripts_of
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
# Typos are mended only towards lexicon words this long, and only in message words of at least
# MIN_MENDED - 1 letters: shorter words sit too close to everyday ones ("looked", folded "loked",
# is one letter from "locked", and "they looked me in the eye" must not read "locked me in").
MIN_MENDED = 7


# "..." in a phrase leaves room for up to this many words: "took ... passport" matches "they took
# my passport" and "took our passports and papers".
GAP = "..."
MAX_GAP_WORDS = 3


@dataclass(frozen=True)
class _Entry:
    excludes: bool
    language: str
    level: str
    category: str
    phrase: str
    # For a phrase with gaps: (which part this key is, how many parts the phrase has).
    part: tuple[int, int] | None = None


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
                parts = [p.strip() for p in phrase.split(GAP)]
                for i, part in enumerate(parts):
                    if len(parts) > 1:
                        entry = replace(entry, part=(i, len(parts)))
                    # A message folds "j'ai" to "jai"; someone may also type "j ai".
                    spellings = (part, _APOSTROPHE.sub(" ", part))
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
        self._fold = Folder(lru_cache(maxsize=65536)(self._mend_word))
        self._fold_raw_digits = Folder(leet=False)
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
        raw = prefold(text).split()
        folded = self._fold.words(raw)
        kept = self._scan(f" {folded} ")
        # Digits inside Latin words may be Arabizi letters: look again with them kept.
        if DIGIT_IN_WORD.search(text.casefold()):
            again = self._scan(f" {self._fold_raw_digits.words(raw)} ")
            kept += [e for e in again if e not in kept]
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
        parts: list[tuple[int, int, _Entry]] = []
        for end, (length, entries) in self._automaton.iter(padded):
            start = end - length + 1
            for entry in entries:
                if entry.part is not None:
                    parts.append((start, end, entry))
                elif entry.excludes:
                    idioms.append((start, end))
                else:
                    risks.append((start, end, entry))
        for start, end, entry in _join_parts(padded, parts):
            if entry.excludes:
                idioms.append((start, end))
            else:
                risks.append((start, end, entry))
        if idioms:
            risks = [r for r in risks if not any(a <= r[0] and r[1] <= b for a, b in idioms)]
        # A phrase inside a longer one is the same statement: "want to die" in "want to die now".
        # Only a match of the same or a higher level can stand for the shorter one: an urgent
        # phrase inside a longer concern phrase still counts.
        urgent = [r for r in risks if r[2].level == "urgent"]
        return [*_outermost(urgent), *(e for e in _outermost(risks) if e.level != "urgent")]


def _outermost(risks: list[tuple[int, int, _Entry]]) -> list[_Entry]:
    """Matches not inside a longer one. Sorted by start, longest first, a match lies inside
    another when it ends no later than the furthest end seen so far (the same span twice is two
    languages' same phrase, and both count)."""
    kept: list[_Entry] = []
    far_start, far_end = -1, -1
    for start, end, entry in sorted(risks, key=lambda r: (r[0], -r[1])):
        if end <= far_end and (start, end) != (far_start, far_end):
            continue
        kept.append(entry)
        if end > far_end:
            far_start, far_end = start, end
    return kept


def _join_parts(
    padded: str, parts: list[tuple[int, int, _Entry]]
) -> list[tuple[int, int, _Entry]]:
    """Phrases with gaps whose parts all occur in order, each within a few words of the last."""
    if not parts:
        return []
    spaces = [i for i, ch in enumerate(padded) if ch == " "]

    def word_at(position: int) -> int:
        return bisect.bisect_right(spaces, position)

    found: list[tuple[int, int, _Entry]] = []
    by_phrase: dict[_Entry, dict[int, list[tuple[int, int]]]] = {}
    for start, end, entry in parts:
        assert entry.part is not None
        whole = replace(entry, part=None)
        by_phrase.setdefault(whole, {}).setdefault(entry.part[0], []).append((start, end))
    for whole, seen in by_phrase.items():
        count = next(e.part[1] for _, _, e in parts if replace(e, part=None) == whole and e.part)
        if len(seen) < count:
            continue
        # Chains of part matches, earliest first: each part starts after the last one ends.
        chains = [(s, e) for s, e in seen[0]]
        for index in range(1, count):
            chains = [
                (first, e)
                for first, last in chains
                for s, e in seen[index]
                if s >= last - 1 and word_at(s) - word_at(last) <= MAX_GAP_WORDS
            ]
        if chains:
            first, last = min(chains)
            found.append((first, last, whole))
    return found


def _arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"

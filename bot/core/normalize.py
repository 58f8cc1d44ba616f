"""Folding text for risk matching: the many ways one phrase can be typed become one plain form.

The same `fold` is applied to lexicon phrases and to messages, so a lexicon lists each phrase once
and still matches it written with accents, harakat, letter variants, invisible characters, repeated
or spaced-out letters, digits for letters, or Cyrillic letters inside a Latin word.

It must stay fast (a 4,096-character message is screened in well under a millisecond), so the whole
text goes through one C-level `str.translate`, and the rest works word by word through a cache.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_ARABIC_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي",
    "ک": "ك", "ة": "ه", "ۀ": "ه", "ؤ": "و",
}  # fmt: skip
# Symbols that stand for letters inside Latin words (d!e, $elf); kept for the word pass.
_LEET_SYMBOLS = "@$!|+"


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in (*range(0x30000), *range(0xE0000, 0xE0080)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        category = unicodedata.category(ch)
        if category == "Mn" or category == "Cf":
            # Accents, harakat and hamza marks; zero-width and bidi marks, soft hyphen, and the
            # Persian half-space (ZWNJ): "می‌خواهم" is "میخواهم".
            table[cp] = None
        elif category == "Nd" and not ch.isascii():
            table[cp] = str(unicodedata.digit(ch))
        elif category[0] in "PSZC" and ch not in _LEET_SYMBOLS:
            table[cp] = " "
    for ch in "'’‘ʼ`´\u0640":  # apostrophes join (don't = dont); tatweel stretches a word
        table[ord(ch)] = None
    table[ord("_")] = " "
    table.update({ord(k): v for k, v in _ARABIC_LETTERS.items()})
    return table


_TABLE = _build_table()

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                       "@": "a", "$": "s", "!": "i", "|": "l", "+": "t"})  # fmt: skip
# A digit inside a Latin word: leetspeak (k1ll) or Arabizi (ente7er).
DIGIT_IN_WORD = re.compile(r"[a-z][0-9]|[0-9][a-z]")
_LATIN = re.compile(r"[a-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_TO_LATIN = str.maketrans("аеорсухіјкмтвнѕԁӏ", "aeopcyxijkmtbhsdl")
_LATIN_TO_CYRILLIC = str.maketrans("aeopcyxikmtbh", "аеорсухікмтвн")
# Digits for letters in Cyrillic words: п0мерти, у6ить, 3арізати.
_CYRILLIC_LEET = str.maketrans({"0": "о", "3": "з", "4": "ч", "6": "б", "@": "а", "$": "с",
                                "!": "і", "|": "і", "+": "т"})  # fmt: skip
_DIGIT = re.compile(r"\d")
_SYMBOLS = re.compile(r"[@$!|+]")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_PERSIAN_PREFIXES = frozenset({"مي", "نمي"})
_SPACED = re.compile(r" \w \w \w ")
_SPACED_RUN = re.compile(r"(?<= )(?:[^\W\d_] ){2,}[^\W\d_](?= )")
_PERSIAN_APART = re.compile(r"(?<= )(ن?مي) (?=\S)")


@lru_cache(maxsize=65536)
def fold_word(word: str, leet: bool = True) -> str:
    """One word's plain form (or "" for a word of symbols only).

    Without `leet`, digits in Latin words stay digits: in Arabizi "ente7er" the 7 is an Arabic
    letter, and reading it as a t would turn Arabizi into English words ("ent7er" -> "enter").
    """
    if _LATIN.search(word):
        if _CYRILLIC.search(word):
            latin, cyrillic = len(_LATIN.findall(word)), len(_CYRILLIC.findall(word))
            table = _CYRILLIC_TO_LATIN if latin >= cyrillic else _LATIN_TO_CYRILLIC
            word = word.translate(table)
        if not word.isalpha() and leet:
            word = word.rstrip(_LEET_SYMBOLS).translate(_LEET)
    elif _CYRILLIC.search(word) and (_SYMBOLS.search(word) or _DIGIT.search(word)):
        word = word.rstrip(_LEET_SYMBOLS).translate(_CYRILLIC_LEET)
    if _SYMBOLS.search(word):
        word = _SYMBOLS.sub("", word)
    return _REPEATS.sub(r"\1", word)


class Folder:
    """Folds texts word by word through its own cache: a running screen sees the same words again
    and again, so most words cost one dictionary lookup.

    `correct`, if given, may replace each folded word (the risk screen mends typos with it).
    `leet=False` keeps digits inside Latin words, as transliterated Arabic and Persian use them.
    """

    def __init__(self, correct: Callable[[str], str] | None = None, leet: bool = True) -> None:
        self._correct = correct
        self._leet = leet
        self._cache: dict[str, str] = {}

    def _new(self, raw: str) -> str:
        word = fold_word(raw, self._leet)
        if word and self._correct and not (len(word) == 1 or word in _PERSIAN_PREFIXES):
            word = self._correct(word)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[raw] = word
        return word

    def __call__(self, text: str) -> str:
        return self.words(prefold(text).split())

    def words(self, raw: list[str]) -> str:
        """Fold words already split from a `prefold`ed text."""
        cache = self._cache
        words = [cache[w] if w in cache else self._new(w) for w in raw]
        joined = " ".join(w for w in words if w)
        # Spaced-out letters and Persian prefixes need a look at neighbours; most texts have
        # neither, and both checks run in C.
        if _SPACED.search(f" {joined} ") or not _PERSIAN_PREFIXES.isdisjoint(words):
            joined = _join_neighbours(joined)
        return joined


def prefold(text: str) -> str:
    """The whole-text part of folding: width, case, marks, invisible characters, punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_TABLE))


def _join_neighbours(text: str) -> str:
    """Join spaced-out letters ("k i l l" is "kill") and Persian prefixes written apart."""
    padded = _SPACED_RUN.sub(_join_run, f" {text} ")
    return _PERSIAN_APART.sub(r"\1", padded).strip()


def _join_run(match: re.Match[str]) -> str:
    return _REPEATS.sub(r"\1", match.group(0).replace(" ", ""))


_PLAIN = Folder()
_RAW_DIGITS = Folder(leet=False)


def fold(text: str, leet: bool = True) -> str:
    """The plain form of a text: lowercase words separated by one space.

    `leet=False` keeps digits inside Latin words, as transliterated Arabic and Persian use them.
    """
    return (_PLAIN if leet else _RAW_DIGITS)(text)


_SCRIPTS = (
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("latin", re.compile(r"[a-zA-Z\u00c0-\u024f]")),
)


def scripts_of(text: str) -> set[str]:
    """The scripts whose letters appear in a text."""
    return {name for name, pattern in _SCRIPTS if pattern.search(text)}

"""The risk screen's matching rules, each on a small lexicon written here."""

from __future__ import annotations

import pytest

from bot.core.model import Lexicon, LexiconGroup
from bot.core.normalize import fold
from bot.core.safety import LexiconScreen

EN = Lexicon("en", "latin", (
    LexiconGroup("urgent", "suicide", ("kill myself", "suicide", "want to die"), "latin"),
    LexiconGroup("urgent", "harm_to_others", ("kill him",), "latin"),
    LexiconGroup("concern", "distress", ("cannot cope",), "latin"),
), ("dying to see", "want to die laughing"))  # fmt: skip
FR = Lexicon("fr", "latin", (
    LexiconGroup("urgent", "suicide", ("je veux mourir", "me suicider"), "latin"),
), ("je meurs de faim",))  # fmt: skip
AR = Lexicon("ar", "arabic", (
    LexiconGroup("urgent", "suicide", ("أريد أن أموت", "بدي موت"), "arabic"),
    LexiconGroup("urgent", "suicide", ("baddi mout", "bade ente7er"), "latin"),
), ("أموت شوقا",))  # fmt: skip
FA = Lexicon("fa", "arabic", (
    LexiconGroup("urgent", "suicide", ("می‌خواهم خودم را بکشم", "خودکشی"), "arabic"),
), ())  # fmt: skip
UK = Lexicon("uk", "cyrillic", (
    LexiconGroup("urgent", "suicide", ("хочу померти", "не хочу жити"), "cyrillic"),
), ())  # fmt: skip

SCREEN = LexiconScreen([EN, FR, AR, FA, UK])


def level(text: str) -> str:
    return SCREEN.screen(text).level


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I will KILL MYSELF tonight", "case"),
        ("I want to die.", "punctuation"),
        ("k i l l myself", "spaced-out letters"),
        ("K I L L M Y S E L F", "a whole phrase spelled out"),
        ("k1ll mys3lf", "digits for letters"),
        ("su1c1de", "digits for letters"),
        ("$uicide", "symbols for letters"),
        ("i want to dieeeee", "repeated letters"),
        ("kіll myself", "a Cyrillic і inside a Latin word"),
        ("kill\u200b my\u00adself", "zero-width space and soft hyphen"),
        ("\u202ekill myself\u202c", "bidi controls"),
        ("sucide", "a letter missing"),
        ("suiccide", "a letter too many"),
        ("suicdie", "two letters swapped"),
        ("ＫＩＬＬ ＭＹＳＥＬＦ", "full-width letters"),
        ("Je veux mourir", "French"),
        ("je veux mourrrir", "French with repeated letters"),
        ("Je vais me suicidér", "an accent where there is none"),
        ("أُرِيدُ أَنْ أَمُوتَ", "Arabic with harakat"),
        ("اريد ان اموت", "Arabic alef without hamza"),
        ("أريـــد أن أمـوت", "Arabic tatweel"),
        ("وبدي موت", "an attached Arabic prefix"),
        ("والله بدي موت", "an Arabic phrase inside a sentence"),
        ("baddi mout", "Arabizi"),
        ("ana bade ente7er", "Arabizi with digits"),
        ("میخواهم خودم را بکشم", "Persian half-space written as nothing"),
        ("می خواهم خودم را بکشم", "Persian half-space written as a space"),
        ("ميخواهم خودم را بكشم", "Arabic kaf and yeh for Persian ones"),
        ("Я не хочу жити", "Ukrainian"),
        ("хочу помeрти", "a Latin e inside a Cyrillic word"),
        ("I dont know, je veux mourir", "two languages in one message"),
    ],
)
def test_urgent_phrases_are_found_however_they_are_typed(text: str, why: str) -> None:
    assert level(text) == "urgent", why


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I want to learn a new skill", "'kill' inside another word"),
        ("I killed time at the station", "words around the phrase differ"),
        ("I'm dying to see my kids", "an everyday idiom"),
        ("Je meurs de faim", "a French idiom"),
        ("أموت شوقا لأولادي", "an Arabic idiom"),
        ("je veux nourrir mes enfants", "one letter from 'mourir' but another word"),
        ("I want to dine with you", "one letter from 'die' but a short word"),
        ("The 112 bus was late", "numbers"),
        ("", "an empty message"),
        ("😀😀😀", "emoji only"),
    ],
)
def test_everyday_words_do_not_escalate(text: str, why: str) -> None:
    assert level(text) == "none", why


def test_an_idiom_only_hides_the_risk_inside_it() -> None:
    result = SCREEN.screen("I want to die laughing. No really, I want to die.")
    assert result.level == "urgent"


def test_concern_and_urgent_together_report_urgent_first() -> None:
    result = SCREEN.screen("I cannot cope and I want to kill him")
    assert result.level == "urgent"
    assert result.categories == ("harm_to_others", "distress")
    assert result.languages == ("en",)
    assert [m.phrase for m in result.matches] == ["kill him", "cannot cope"]


def test_matches_name_every_language_seen() -> None:
    result = SCREEN.screen("je veux mourir, بدي موت")
    assert set(result.languages) == {"fr", "ar"}


def test_a_long_message_is_screened_to_its_end() -> None:
    text = "I am fine today. " * 230 + "I want to die"
    assert len(text) > 3900 and level(text) == "urgent"


def test_folding_is_the_same_for_phrase_and_message() -> None:
    assert fold("Don't") == fold("dont") == "dont"
    assert fold("أريد") == fold("اريد")
    assert fold("killll") == fold("kill")


def test_no_lexicon_screens_nothing() -> None:
    assert LexiconScreen([]).screen("I want to die").level == "none"


def test_a_spelled_out_phrase_with_a_letter_shared_across_words() -> None:
    screen = LexiconScreen([UK, Lexicon("ru", "cyrillic", (
        LexiconGroup("urgent", "suicide", ("хочу умереть",), "cyrillic"),), ())])  # fmt: skip
    assert screen.screen("х о ч у  у м е р е т ь").level == "urgent"


def test_digits_for_letters_in_a_cyrillic_word() -> None:
    assert level("хочу п0мерти") == "urgent"


@pytest.mark.parametrize("text", ["j'ai envie d'en finir", "jai envie den finir",
                                  "j ai envie d en finir", "J’ai envie d’en finir"])  # fmt: skip
def test_a_phrase_with_apostrophes_matches_however_they_are_typed(text: str) -> None:
    group = LexiconGroup("urgent", "suicide", ("j'ai envie d'en finir",), "latin")
    screen = LexiconScreen([Lexicon("fr", "latin", (group,), ())])
    assert screen.screen(text).level == "urgent"


def test_a_phrase_inside_a_longer_one_is_not_reported_twice() -> None:
    group = LexiconGroup("urgent", "suicide", ("want to die", "want to die now"), "latin")
    screen = LexiconScreen([Lexicon("en", "latin", (group,), ())])
    assert [m.phrase for m in screen.screen("I want to die now").matches] == ["want to die now"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("فکر خودکشیه که ولم نمیکنه", "urgent"),  # Persian "it is suicide" with an ending
        ("ما بفكر بالخودكشي", "urgent"),  # an attached prefix on the same word
        ("خودکشی", "urgent"),
        ("خو", "none"),  # too short to lose an ending
    ],
)
def test_arabic_script_words_match_with_an_attached_ending(text: str, expected: str) -> None:
    assert level(text) == expected


def test_arabizi_digits_are_letters_not_leetspeak() -> None:
    group = LexiconGroup("urgent", "suicide", ("ent7er",), "latin")
    screen = LexiconScreen([EN, Lexicon("ar", "arabic", (group,), ())])
    assert screen.screen("can my landlord enter my flat?").level == "none"
    assert screen.screen("ana bade ent7er").level == "urgent"
    assert screen.screen("i want to k1ll mys3lf").level == "urgent"


GAPS = LexiconScreen([Lexicon("en", "latin", (
    LexiconGroup("urgent", "exploitation", ("took ... passport",), "latin"),
    LexiconGroup("urgent", "self_harm", ("burned ... my arm ... on purpose",), "latin"),
), ("took ... passport photo",)), Lexicon("ar", "arabic", (
    LexiconGroup("urgent", "exploitation", ("أخذوا ... جواز",), "arabic"),), ())])  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("they took my passport", "urgent"),
        ("the boss took passport", "urgent"),
        ("the man took all of our passport", "urgent"),  # three words between
        ("he took my old brown leather passport", "none"),  # four is too far
        ("the passport he took", "none"),  # out of order
        ("I burned my arm with a cigarette on purpose", "urgent"),
        ("I burned dinner and my arm hurts", "none"),  # the last part is missing
        ("they took my passport photo at the shop", "none"),  # an idiom with a gap
        ("وأخذوا مني جواز السفر", "urgent"),  # a prefix on the first part
    ],
)
def test_a_phrase_with_gaps_allows_a_few_words_between_its_parts(text, expected) -> None:
    assert GAPS.screen(text).level == expected


def test_an_urgent_phrase_inside_a_longer_concern_phrase_still_counts() -> None:
    groups = (
        LexiconGroup("urgent", "exploitation", ("won't let me leave",), "latin"),
        LexiconGroup("concern", "distress", ("won't let me leave the house alone",), "latin"),
    )
    screen = LexiconScreen([Lexicon("en", "latin", groups, ())])
    assert screen.screen("he won't let me leave the house alone").level == "urgent"

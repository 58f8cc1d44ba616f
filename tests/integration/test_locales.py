"""The six shipped languages end to end, and the translators' workflow on PO files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import i18n_workflow as wf
from bot.core.bidi import LRI, PDI, isolate_ltr
from bot.core.model import Content
from bot.i18n import Catalogs
from tests.fakes import Chat, FakeStore, FixedClock, make_conversation

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = ("en", "ar", "fa", "fr", "es", "uk")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    loaded, problems = Catalogs.load(ROOT / "locales")
    assert problems == []
    return loaded


def test_every_shipped_language_is_complete_and_offered(catalogs: Catalogs) -> None:
    assert set(catalogs.available()) == set(SHIPPED)
    for code in SHIPPED:
        assert catalogs.readiness(code)[0], (code, catalogs.readiness(code))


def test_every_translation_agrees_with_its_source() -> None:
    assert wf.check(ROOT) == []


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("fa-AF", "fa"), ("prs", "fa"), ("fa_IR", "fa"), ("ar-LB", "ar"), ("ar", "ar"),
        ("uk-UA", "uk"), ("es-MX", "es"), ("es-419", "es"), ("fr-CA", "fr"), ("en-GB", "en"),
        ("de", "en"), ("zz-ZZ", "en"), (None, "en"), ("", "en"),
    ],
)  # fmt: skip
def test_telegram_language_codes_find_the_right_locale(catalogs, hint, expected) -> None:
    assert catalogs.negotiate(hint) == expected


def test_the_language_menu_names_each_language_in_itself(catalogs: Catalogs) -> None:
    names = {code: catalogs.display_name(code) for code in SHIPPED}
    assert names == {
        "en": "English", "ar": "العربية", "fa": "فارسی", "fr": "Français", "es": "Español",
        "uk": "Українська",
    }  # fmt: skip


async def _arabic_chat(content: Content, catalogs: Catalogs) -> Chat:
    chat = Chat(
        make_conversation(content, store=FakeStore(), catalogs=catalogs), language_hint="ar-LB"
    )
    await chat.send("/start")
    return chat


async def test_an_arabic_speaker_is_greeted_in_arabic_right_to_left(content, catalogs) -> None:
    chat = await _arabic_chat(content, catalogs)
    welcome = chat.last()
    assert welcome.direction == "rtl"
    assert "Hello" not in welcome.text and "Rafiq" in welcome.text
    assert all(b.label.strip(LRI + PDI) for b in welcome.buttons)
    await chat.data("ok:agree")
    await chat.data("cc:-")
    labels = chat.labels()
    assert labels[0] == catalogs.get("ar").gettext("Read the booklet") != "Read the booklet"


async def test_numbers_and_commands_stay_in_order_in_right_to_left_text(content, catalogs):
    chat = await _arabic_chat(content, catalogs)
    await chat.send("/sos")
    text = chat.text()
    assert f"{LRI}112{PDI}" in text
    assert "\u202e" not in text  # isolates, never overrides
    await chat.send("/help")
    assert f"{LRI}/sos{PDI}" in chat.text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("اتصل على 112 الآن", f"اتصل على {LRI}112{PDI} الآن"),
        ("الهاتف: +961 1 234 567.", f"الهاتف: {LRI}+961 1 234 567.{PDI}"),
        ("اكتب /sos", f"اكتب {LRI}/sos{PDI}"),
        ("لا أرقام هنا", "لا أرقام هنا"),
    ],
)
def test_left_to_right_runs_are_isolated(text: str, expected: str) -> None:
    assert isolate_ltr(text) == expected
    assert isolate_ltr(expected) == expected


def test_plurals_follow_each_languages_rules(catalogs: Catalogs) -> None:
    uk = catalogs.get("uk")
    forms = [uk.ngettext("{n} minute", "{n} minutes", n).format(n=n) for n in (1, 3, 5, 21)]
    assert forms[0].startswith("1 ") and forms[3].startswith("21 ")
    assert forms[0].split()[1] == forms[3].split()[1]  # one, 21: the same form
    assert len({f.split()[1] for f in forms}) == 3  # one, few, many
    ar = catalogs.get("ar")
    arabic = {ar.ngettext("{n} minute", "{n} minutes", n).format(n=n) for n in (1, 2, 3, 11, 100)}
    assert len(arabic) == 5 and not any("minute" in f for f in arabic)


async def test_dates_are_written_the_way_the_language_writes_them(content, catalogs) -> None:
    chat = Chat(make_conversation(content, store=FakeStore(), catalogs=catalogs,
                                  clock=FixedClock()), language_hint="fr")  # fmt: skip
    await chat.send("/start")
    await chat.data("ok:agree")
    await chat.send("/privacy")
    assert "23 novembre 2026" in chat.text()
    assert catalogs.format_date(dt.date(2026, 11, 23), "ar") == "23 نوفمبر 2026"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what extraction reads: the code, the content and the catalogs."""
    for part in ("bot", "content", "flows", "locales"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def test_a_locale_made_by_init_is_not_ready(tree: Path) -> None:
    folder = wf.init(tree, "ps")
    assert (folder / "LC_MESSAGES" / "messages.po").exists()
    assert (folder / "safety.yaml").exists() and (folder / "README.md").exists()
    catalogs, _ = Catalogs.load(tree / "locales")
    assert "ps" not in catalogs.available()
    ready, why = catalogs.readiness("ps")
    assert not ready and "not translated" in why
    row = next(r for r in wf.status(tree) if r[0] == "ps")
    assert row[1]["booklet"].missing > 0 and not row[3]
    with pytest.raises(ValueError, match="exists already"):
        wf.init(tree, "ps")


def test_a_changed_english_text_turns_fuzzy_after_extract_and_update(tree: Path) -> None:
    sleep = tree / "content" / "booklet" / "sleep.yaml"
    old = "title: Sleep when life is hard"
    sleep.write_text(sleep.read_text("utf-8").replace(old, "title: Sleep when life is heavy"),
                     "utf-8")  # fmt: skip
    wf.extract(tree)
    assert "fr" in wf.update(tree)
    with (tree / "locales" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        fr = {(m.context, m.id): m for m in read_po(fh, locale="fr") if m.id}
    changed = fr[("booklet/sleep", "Sleep when life is heavy")]
    assert changed.fuzzy and changed.string  # the old translation, kept for review
    catalogs, _ = Catalogs.load(tree / "locales")
    assert "fr" in catalogs.available()  # still offered; the title shows in English meanwhile
    assert catalogs.get("fr").pgettext("booklet/sleep", "Sleep when life is heavy") == (
        "Sleep when life is heavy"
    )
    row = next(r for r in wf.status(tree) if r[0] == "fr")
    assert row[1]["booklet"].fuzzy == 1


def test_check_reports_a_lost_placeholder_at_its_line(tree: Path) -> None:
    path = tree / "locales" / "es" / "LC_MESSAGES" / "messages.po"
    text = path.read_text("utf-8")
    assert text.count("{title}") > 1
    start = text.index('msgid "Continue: {title}"')
    end = text.index("\n\n", start)
    block = text[start:end]
    broken = block.split("msgstr", 1)[0] + 'msgstr "Continuar"'
    path.write_text(text[:start] + broken + text[end:], "utf-8")
    problems = wf.check(tree)
    assert len(problems) == 1
    assert problems[0].startswith("locales/es/LC_MESSAGES/messages.po:")
    assert "placeholders ['{title}'] in the source, [] in the translation" in problems[0]

"""Every text goes through gettext: extraction from code and YAML, fallback, direction, plurals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.channels.terminal import PDI, RLI
from bot.core.model import Content
from bot.i18n import Catalogs
from tests.fakes import Chat, FakeStore, make_conversation

ROOT = Path(__file__).resolve().parent.parent.parent
METHODS = [
    ("bot/**.py", "python"),
    ("content/booklet/*.yaml", "rafiq_yaml"),
    ("flows/*.yaml", "rafiq_yaml"),
    ("content/referrals/*.yaml", "rafiq_yaml"),
]


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> file, through the extractor the package registers with Babel."""
    found = {}
    for filename, _line, message, _comments, context in extract_from_dir(ROOT, METHODS):
        msgid = message[0] if isinstance(message, tuple) else message
        found[(context, msgid)] = filename
    return found


def test_yaml_texts_are_extracted_with_their_flow_step_or_topic(extracted, content: Content):
    breathing = content.flows["breathing"]
    first = breathing.steps[0]
    assert (f"flow/breathing/{first.id}", first.say[0].text) in extracted
    assert ("flow/breathing", breathing.title) in extracted
    sleep = content.topics["sleep"]
    assert ("booklet/sleep", sleep.pages[0]) in extracted
    assert ("referrals/global/emergency", "Emergency number") in extracted
    assert (None, "Read the booklet") in extracted


def test_the_template_holds_every_text(extracted) -> None:
    with (ROOT / "locales" / "messages.pot").open("rb") as fh:
        template = {
            (m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(fh) if m.id
        }
    missing = [key for key in extracted if key not in template]
    assert not missing, (
        f"{len(missing)} texts are not in locales/messages.pot, e.g. {missing[:3]}; "
        "run the extract command in README.md"
    )


def _write_catalog(
    root: Path, locale: str, entries: list[dict], lexicon: bool = True, missing: int = 0
) -> None:
    """A PO file as an editor writes it (Babel puts CLDR's plural rule in the header)."""
    catalog = Catalog(locale=locale)
    for i in range(missing):
        catalog.add(f"Untranslated text {i}", "")
    if lexicon:
        (root / locale).mkdir(parents=True, exist_ok=True)
        (root / locale / "safety.yaml").write_text(
            f"version: 1\nlanguage: {locale}\nscript: latin\nentries: []\n", encoding="utf-8"
        )
    for entry in entries:
        catalog.add(
            entry["id"],
            entry["str"],
            context=entry.get("ctx"),
            flags=("fuzzy",) if entry.get("fuzzy") else (),
        )
    folder = root / locale / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    (folder / "messages.po").write_bytes(buffer.getvalue())


def _chat(content: Content, catalogs: Catalogs, hint: str) -> Chat:
    return Chat(
        make_conversation(content, store=FakeStore(), catalogs=catalogs), language_hint=hint
    )


async def test_translated_texts_are_shown_and_missing_or_fuzzy_ones_fall_back(
    tmp_path: Path, content: Content
) -> None:
    intro = content.flows["breathing"].steps[0]
    _write_catalog(
        tmp_path,
        "fr",
        [
            {"id": "Yes, let us start", "str": "Oui, commençons"},
            {"id": "Read the booklet", "str": "Lire le livret"},
            {"id": "Do an exercise", "str": "Faire un exercice", "fuzzy": True},
            {
                "id": intro.say[0].text,
                "str": "Respirons lentement.",
                "ctx": "flow/breathing/intro",
            },
        ],
    )
    catalogs, problems = Catalogs.load(tmp_path)
    assert problems == []
    chat = _chat(content, catalogs, "fr-CA")
    await chat.send("/start")
    await chat.press("Oui, commençons")
    await chat.press("Skip")
    assert chat.labels()[:2] == ["Lire le livret", "Do an exercise"]
    assert chat.labels()[2] == "Get help now"  # untranslated: the English source, never empty
    await chat.data("x:breathing")
    assert chat.messages()[0].text == "Respirons lentement."


async def test_right_to_left_locales_mark_their_messages(tmp_path: Path, content: Content):
    _write_catalog(tmp_path, "ar", [{"id": "Get help now", "str": "مساعدة الآن"}])
    catalogs, _ = Catalogs.load(tmp_path)
    chat = _chat(content, catalogs, "ar-LB")
    await chat.send("/start")
    assert chat.last().direction == "rtl"
    assert "مساعدة الآن" in chat.labels()


def test_plural_forms_follow_the_catalogs_rule(tmp_path: Path) -> None:
    forms = ("{n} хвилина", "{n} хвилини", "{n} хвилин")
    _write_catalog(tmp_path, "uk", [{"id": ("{n} minute", "{n} minutes"), "str": forms}])
    catalogs, _ = Catalogs.load(tmp_path)
    uk = catalogs.get("uk")
    forms = [uk.ngettext("{n} minute", "{n} minutes", n).format(n=n) for n in (1, 3, 5, 21)]
    assert forms == ["1 хвилина", "3 хвилини", "5 хвилин", "21 хвилина"]


def test_negotiation_picks_the_closest_installed_language(tmp_path: Path) -> None:
    for locale in ("fr", "ar"):
        _write_catalog(tmp_path, locale, [])
    catalogs, _ = Catalogs.load(tmp_path, default="fr")
    assert catalogs.negotiate("ar-IQ") == "ar"
    assert catalogs.negotiate("fr_CA") == "fr"
    assert catalogs.negotiate("zz") == "fr"
    assert catalogs.negotiate(None) == "fr"
    assert catalogs.display_name("fr") == "Français"
    assert catalogs.display_name("ar") == "العربية"


def test_the_terminal_keeps_right_to_left_lines_in_order(tmp_path: Path) -> None:
    from bot.channels.terminal import TerminalChat
    from bot.core.model import Message

    out = io.StringIO()
    chat = TerminalChat(None, io.StringIO(), out, pauses=False)  # type: ignore[arg-type]
    chat._show(Message("اتصل 112", direction="rtl"))
    assert f"{RLI}اتصل 112{PDI}" in out.getvalue()


def test_a_locale_is_offered_only_when_complete_and_with_a_safety_lexicon(tmp_path: Path):
    _write_catalog(tmp_path, "fr", [{"id": "Menu", "str": "Menu"}])
    _write_catalog(tmp_path, "es", [{"id": "Menu", "str": "Menú"}], missing=2)
    _write_catalog(tmp_path, "uk", [{"id": "Menu", "str": "Меню"}], lexicon=False)
    _write_catalog(tmp_path, "en", [])
    catalogs, _ = Catalogs.load(tmp_path)
    assert catalogs.available() == ("en", "fr")
    assert catalogs.readiness("es") == (False, "2 of 3 texts are not translated")
    assert catalogs.readiness("uk") == (False, "no safety lexicon (safety.yaml)")
    assert catalogs.negotiate("es-MX") == "en"  # not offered, so not chosen
    catalogs.offer("es")  # a translator previewing
    assert catalogs.negotiate("es-MX") == "es"


def test_a_fuzzy_text_keeps_the_locale_offered_and_shows_english(tmp_path: Path) -> None:
    _write_catalog(tmp_path, "fr", [
        {"id": "Menu", "str": "Menu"},
        {"id": "Privacy", "str": "Vie privée", "fuzzy": True},
    ])  # fmt: skip
    catalogs, _ = Catalogs.load(tmp_path)
    assert "fr" in catalogs.available()
    assert catalogs.get("fr").gettext("Privacy") == "Privacy"

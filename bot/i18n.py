"""Languages: PO catalogs read at runtime, locale negotiation, text direction, and the YAML
extractor.

English is the source language: the texts in the code and in the YAML files are the msgids. Each
locale is a folder `locales/<lang>/LC_MESSAGES/messages.po` that any PO editor can change; Rafiq
reads the PO file itself, so translators never need a compile step. A fuzzy or missing translation
falls back to the English source for that one text, never to an empty message.
"""

from __future__ import annotations

import datetime as dt
import gettext
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from babel.dates import format_date
from babel.messages.pofile import read_po

from bot.content.yamlfile import Located, Problem, parse_yaml

log = logging.getLogger(__name__)

SOURCE_LOCALE = "en"
# Codes a channel may send for a language Rafiq has under another code: Dari (prs) and Iranian
# Persian (pes) read the Persian catalog; three-letter codes map to the two-letter folders.
LANGUAGE_ALIASES = {
    "prs": "fa", "pes": "fa", "fas": "fa", "per": "fa",
    "arb": "ar", "ara": "ar", "apc": "ar", "ajp": "ar", "acm": "ar", "arz": "ar", "afb": "ar",
    "ukr": "uk", "fra": "fr", "fre": "fr", "spa": "es", "eng": "en",
}  # fmt: skip
DOMAIN = "messages"


def _english_plural(n: int) -> int:
    return 0 if n == 1 else 1


@dataclass(frozen=True)
class CatalogTranslator:
    """The texts of one locale, looked up by (context, English source)."""

    locale: str
    direction: Literal["ltr", "rtl"]
    messages: dict[tuple[str | None, str], str | tuple[str, ...]]
    plural: Callable[[int], int] = _english_plural
    # Texts in the catalog, and how many have no translation at all / only a fuzzy one.
    total: int = 0
    missing: tuple[tuple[str | None, str], ...] = ()
    fuzzy: tuple[tuple[str | None, str], ...] = ()

    def gettext(self, message: str) -> str:
        return self.pgettext(None, message)

    def pgettext(self, context: str | None, message: str) -> str:
        found = self.messages.get((context, message))
        return found if isinstance(found, str) and found else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.messages.get((None, singular))
        if isinstance(forms, tuple):
            index = self.plural(n)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return singular if n == 1 else plural


def direction_of(locale: str) -> Literal["ltr", "rtl"]:
    try:
        order = Locale.parse(locale).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def _read_catalog(path: Path, locale: str) -> CatalogTranslator:
    with path.open("rb") as fh:
        # A file that is not PO at all must be an error, not a catalog with nothing in it.
        catalog = read_po(fh, locale=locale, domain=DOMAIN, abort_invalid=True)
    messages: dict[tuple[str | None, str], str | tuple[str, ...]] = {}
    missing: list[tuple[str | None, str]] = []
    fuzzy: list[tuple[str | None, str]] = []
    total = 0
    for message in catalog:
        if not message.id:  # obsolete entries are kept apart, never iterated
            continue
        total += 1
        plural_entry = isinstance(message.id, tuple | list)
        key = (message.context, message.id[0] if plural_entry else message.id)
        strings = tuple(message.string or ()) if plural_entry else (message.string,)
        if not all(strings):
            missing.append(key)
        elif message.fuzzy:
            fuzzy.append(key)  # shown in English until a translator confirms it
        else:
            messages[key] = strings if plural_entry else strings[0]
    plural = _english_plural
    if catalog.plural_expr and locale != SOURCE_LOCALE:
        plural = gettext.c2py(catalog.plural_expr)
    return CatalogTranslator(
        locale, direction_of(locale), messages, plural, total, tuple(missing), tuple(fuzzy)
    )


class Catalogs:
    """Every locale installed under `locales/`, read once (and again on reload)."""

    def __init__(
        self,
        translators: dict[str, CatalogTranslator],
        default: str,
        lexicons: frozenset[str] = frozenset(),
        also_offer: frozenset[str] = frozenset(),
    ) -> None:
        self._translators = translators
        self._lexicons = lexicons
        self._also_offer = also_offer
        self.default = default if default in translators else SOURCE_LOCALE
        if self.default not in self._translators:
            self._translators[self.default] = CatalogTranslator(self.default, "ltr", {})

    @classmethod
    def load(
        cls,
        locales_dir: Path,
        default: str = SOURCE_LOCALE,
        also_offer: frozenset[str] = frozenset(),
    ) -> tuple[Catalogs, list[Problem]]:
        """Every catalog under `locales_dir`. `also_offer` offers locales that are not ready yet
        (a translator previewing their work)."""
        problems: list[Problem] = []
        translators: dict[str, CatalogTranslator] = {}
        if locales_dir.is_dir():
            for folder in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
                po = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
                if not po.exists():
                    continue
                shown = f"{locales_dir.name}/{folder.name}/LC_MESSAGES/{po.name}"
                try:
                    Locale.parse(folder.name)
                except (ValueError, UnknownLocaleError):
                    problems.append(
                        Problem(
                            shown,
                            1,
                            f"'{folder.name}' is not a known language code",
                            "name the folder with a code like ar, fa, uk",
                        )
                    )
                    continue
                try:
                    translators[folder.name] = _read_catalog(po, folder.name)
                except Exception as exc:
                    line = getattr(exc, "lineno", 0) + 1  # PoFileError counts from 0
                    problems.append(
                        Problem(
                            shown,
                            line,
                            f"the catalog cannot be read ({exc})",
                            "open it in a PO editor and save it again",
                        )
                    )
        lexicons = (
            frozenset(p.parent.name for p in locales_dir.glob("*/safety.yaml"))
            if locales_dir.is_dir()
            else frozenset()
        )
        return cls(translators, default, lexicons, also_offer), problems

    def readiness(self, locale: str) -> tuple[bool, str]:
        """Whether a locale can be offered to people, and if not, why."""
        tr = self._translators.get(locale)
        if tr is None:
            return False, "no catalog"
        if locale == SOURCE_LOCALE:
            return True, "the source language"
        reasons = []
        if tr.missing:
            reasons.append(f"{len(tr.missing)} of {tr.total} texts are not translated")
        if locale not in self._lexicons:
            reasons.append("no safety lexicon (safety.yaml)")
        return (not reasons), "; ".join(reasons) or "ready"

    def replace_with(self, other: Catalogs) -> None:
        """Take another load's catalogs (on reload), so every holder of this object sees them."""
        self._translators = other._translators
        self._lexicons = other._lexicons
        self.default = other.default

    def get(self, locale: str | None) -> CatalogTranslator:
        return self._translators.get(locale or "", self._translators[self.default])

    def available(self) -> tuple[str, ...]:
        """The locales offered to people: complete, and with a safety lexicon."""
        return tuple(
            code
            for code in self._translators
            if code in self._also_offer or self.readiness(code)[0]
        )

    def offer(self, locale: str) -> None:
        """Offer a locale even before it is ready: a translator previewing their work."""
        self._also_offer = self._also_offer | {locale}

    def installed(self) -> tuple[str, ...]:
        return tuple(self._translators)

    def display_name(self, locale: str) -> str:
        """The language's name in itself, as a speaker would look for it."""
        try:
            name = Locale.parse(locale).get_display_name(locale) or locale
        except (ValueError, UnknownLocaleError):
            return locale
        return name[:1].upper() + name[1:]

    def country_name(self, code: str, locale: str) -> str:
        """A country's name in the person's language (CLDR), or its code if Babel has none."""
        try:
            return Locale.parse(locale).territories.get(code.upper(), code)
        except (ValueError, UnknownLocaleError):
            return code

    def format_date(self, when: dt.date, locale: str) -> str:
        """A date as people write it in that language (CLDR's long form)."""
        try:
            return format_date(when, format="long", locale=locale)
        except (ValueError, UnknownLocaleError):
            return when.isoformat()

    def negotiate(self, hint: str | None) -> str:
        """The best installed locale for a channel's language code, else the default."""
        if not hint:
            return self.default
        code = hint.replace("-", "_")
        base = code.split("_")[0].lower()
        wanted = [code, base, LANGUAGE_ALIASES.get(base, base)]
        found = negotiate_locale(wanted, list(self.available()), sep="_", aliases={})
        return found or self.default


# ---------------------------------------------------------------------------------------------
# Extraction: `pybabel extract` calls this (entry point `babel.extractors`, name `rafiq_yaml`).


def yaml_messages(data: Any) -> Iterator[tuple[int, str, str]]:
    """(line, context, English text) for every text a person can see in one content file."""
    if not isinstance(data, Located):
        return
    if "pages" in data:
        ctx = f"booklet/{data.get('id')}"
        for key in ("title", "summary"):
            if isinstance(data.get(key), str):
                yield data.line_of(key), ctx, data[key]
        pages = data.get("pages") or []
        for i, page in enumerate(pages):
            if isinstance(page, str):
                yield pages.line_of(i), ctx, page
    elif "steps" in data:
        ctx = f"flow/{data.get('id')}"
        for key in ("title", "summary"):
            if isinstance(data.get(key), str):
                yield data.line_of(key), ctx, data[key]
        for step in data.get("steps") or []:
            if isinstance(step, Located):
                yield from _step_messages(f"{ctx}/{step.get('id')}", step)
    elif "services" in data:
        ctx = f"referrals/{data.get('country') or 'global'}"
        for service in data.get("services") or []:
            if isinstance(service, Located):
                for key in ("name", "hours", "note"):
                    if isinstance(service.get(key), str) and service[key]:
                        yield service.line_of(key), f"{ctx}/{service.get('id')}", service[key]


def _step_messages(ctx: str, step: Located) -> Iterator[tuple[int, str, str]]:
    say = step.get("say")
    items = say if isinstance(say, list) else [say]
    for i, item in enumerate(items):
        if isinstance(item, str):
            line = say.line_of(i) if isinstance(say, list) else step.line_of("say")
            yield line, ctx, item
    for choice in step.get("choices") or []:
        if isinstance(choice, Located) and isinstance(choice.get("label"), str):
            yield choice.line_of("label"), ctx, choice["label"]


def extract_yaml(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extractor for booklet, flow and referral YAML: each text with its topic/flow/step."""
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    problems: list[Problem] = []
    data = parse_yaml(text, getattr(fileobj, "name", "<yaml>"), problems)
    for problem in problems:
        log.warning("%s", problem)
    for line, ctx, message in yaml_messages(data):
        yield line, "pgettext", (ctx, message), []

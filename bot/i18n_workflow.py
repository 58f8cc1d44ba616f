"""The translators' workflow: `python -m bot i18n extract | update | init LANG | status | check`.

Everything works on standard gettext files with Babel, so translators keep using Poedit or any PO
editor: `extract` refreshes `locales/messages.pot` from the code and every YAML file, `update`
merges it into each locale (a changed English text becomes fuzzy, for review), `init` scaffolds a
new locale folder, `status` says what each locale lacks, and `check` compares each translation with
its source (placeholders, HTML tags, button and page lengths).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, SOURCE_LOCALE

TEMPLATE = "messages.pot"
# What babel.cfg says, for extraction without the command line.
METHODS = [
    ("bot/**.py", "python"),
    ("content/booklet/*.yaml", "rafiq_yaml"),
    ("flows/*.yaml", "rafiq_yaml"),
    ("content/referrals/*.yaml", "rafiq_yaml"),
]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# Texts this short with no sentence end are taken for button labels; Telegram shows about this
# much of a button on a small phone.
MAX_LABEL = 40
MAX_PAGE = 900
PARTS = ("interface", "booklet", "flows", "referrals")


def _po(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_by_file=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def extract(root: Path) -> int:
    """Refresh the template from the code and the content; returns the number of texts."""
    template = Catalog(project="Rafiq", domain=DOMAIN)
    for filename, line, message, comments, context in extract_from_dir(root, METHODS):
        template.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    _write(root / "locales" / TEMPLATE, template)
    return len(template)


def update(root: Path) -> list[str]:
    """Merge the template into every locale. Changed texts become fuzzy; returns the locales."""
    template = _read(root / "locales" / TEMPLATE)
    done = []
    for folder in sorted(p for p in (root / "locales").iterdir() if p.is_dir()):
        path = _po(root / "locales", folder.name)
        if not path.exists():
            continue
        catalog = _read(path, folder.name)
        catalog.update(template)
        _write(path, catalog)
        done.append(folder.name)
    return done


HOWTO = """# Translating Rafiq into {name} ({code})

1. Open `LC_MESSAGES/messages.po` in Poedit (or any PO editor) and translate every text.
   The context (`booklet/sleep`, `flow/breathing/intro`) says where the text appears.
2. Keep `{{placeholders}}` and commands such as /sos exactly as they are; keep buttons short.
3. Write the safety lexicon in `safety.yaml` (see docs/safety-lexicons.md): the words people
   use in {name} when they are in danger or in deep distress. Rafiq will not offer {name}
   without it.
4. Check your work: `python -m bot i18n check` and `python -m bot i18n status`, and try it with
   `python -m bot chat --locale {code}`.
5. When `status` says the language is ready, Rafiq offers it to people.
"""


def init(root: Path, code: str) -> Path:
    """Scaffold a new locale: catalog from the template, an empty lexicon, a short how-to."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError) as exc:
        raise ValueError(f"'{code}' is not a language code Babel knows") from exc
    folder = root / "locales" / code
    path = _po(root / "locales", code)
    if path.exists():
        raise ValueError(f"{path} exists already; use `update` to refresh it")
    template = _read(root / "locales" / TEMPLATE)
    catalog = Catalog(locale=code, domain=DOMAIN, project="Rafiq")
    for message in template:
        if message.id:
            catalog.add(message.id, None, message.locations, context=message.context)
    _write(path, catalog)
    script = {"right-to-left": "arabic"}.get(locale.character_order, "latin")
    if code in ("uk", "ru", "bg", "sr", "mk", "be"):
        script = "cyrillic"
    lexicon = folder / "safety.yaml"
    if not lexicon.exists():
        lexicon.write_text(
            f"version: 1\nlanguage: {code}\nscript: {script}\nentries: []\nexclusions: []\n",
            encoding="utf-8",
        )
    name = locale.get_display_name(SOURCE_LOCALE) or code
    (folder / "README.md").write_text(HOWTO.format(name=name, code=code), encoding="utf-8")
    return folder


def _part(context: str | None) -> str:
    if context is None:
        return "interface"
    return {"booklet": "booklet", "flow": "flows"}.get(context.split("/")[0], "referrals")


@dataclass
class Counts:
    translated: int = 0
    fuzzy: int = 0
    missing: int = 0


def status(root: Path) -> list[tuple[str, dict[str, Counts], int, bool, str]]:
    """Per locale: counts per part, lexicon size, ready or not, and why."""
    from bot.content.lexicons import load_lexicons
    from bot.i18n import Catalogs

    catalogs, _ = Catalogs.load(root / "locales")
    problems: list = []
    sizes = {lex.language: lex.size for lex in load_lexicons(root / "locales", root, problems)}
    rows = []
    for code in catalogs.installed():
        counts = {part: Counts() for part in PARTS}
        path = _po(root / "locales", code)
        if path.exists():
            for message in _read(path, code):
                if not message.id:
                    continue
                strings = (
                    message.string
                    if isinstance(message.string, tuple | list)
                    else (message.string,)
                )
                bucket = counts[_part(message.context)]
                if code == SOURCE_LOCALE:
                    bucket.translated += 1
                elif not all(strings):
                    bucket.missing += 1
                elif message.fuzzy:
                    bucket.fuzzy += 1
                else:
                    bucket.translated += 1
        ready, why = catalogs.readiness(code)
        rows.append((code, counts, sizes.get(code, 0), ready, why))
    return rows


def status_table(root: Path) -> str:
    lines = [
        f"{'locale':<8}" + "".join(f"{p + ' ok/fuzzy/missing':>28}" for p in PARTS)
        + f"{'lexicon':>9}  ready"
    ]  # fmt: skip
    for code, counts, size, ready, why in status(root):
        cells = "".join(f"{f'{c.translated}/{c.fuzzy}/{c.missing}':>28}" for c in counts.values())
        lines.append(f"{code:<8}{cells}{size:>9}  {'yes' if ready else 'no: ' + why}")
    return "\n".join(lines)


def check(root: Path) -> list[str]:
    """Translations that do not agree with their source: each as `file:line: what; how`."""
    out = []
    for folder in sorted(p for p in (root / "locales").iterdir() if p.is_dir()):
        path = _po(root / "locales", folder.name)
        if not path.exists() or folder.name == SOURCE_LOCALE:
            continue
        shown = f"locales/{folder.name}/LC_MESSAGES/{path.name}"
        text = path.read_text(encoding="utf-8")
        for message in _read(path, folder.name):
            if not message.id or not message.string:
                continue
            sources = message.id if isinstance(message.id, tuple | list) else (message.id,)
            targets = (
                message.string if isinstance(message.string, tuple | list) else (message.string,)
            )
            line = _line_of(text, sources[0], message.context)
            where = f"{shown}:{line}: "
            for target in filter(None, targets):
                out += [where + p for p in _disagreements(sources[0], target, message.context)]
    return out


def _disagreements(source: str, target: str, context: str | None) -> list[str]:
    found = []
    if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
        found.append(
            f"placeholders {sorted(set(PLACEHOLDER.findall(source)))} in the source, "
            f"{sorted(set(PLACEHOLDER.findall(target)))} in the translation; "
            "keep each {placeholder} exactly as in English"
        )
    if sorted(TAG.findall(source)) != sorted(TAG.findall(target)):
        found.append("HTML tags differ from the source; keep the same tags")
    # Interface and exercise texts this short are buttons; help contact names and hours are not.
    is_label = (
        _part(context) in ("interface", "flows")
        and len(source) <= MAX_LABEL
        and not source.startswith("/")  # a line of the command list
        and not source.rstrip().endswith((".", ":", "?"))
    )
    if is_label and len(target) > MAX_LABEL:
        found.append(
            f"'{target}' is {len(target)} characters, too long for a button; "
            f"shorten it to {MAX_LABEL} at most"
        )
    if context and context.startswith("booklet/") and len(target) > MAX_PAGE:
        found.append(f"the page is {len(target)} characters; shorten it to {MAX_PAGE} at most")
    return found


def _line_of(text: str, msgid: str, context: str | None) -> int:
    first = msgid.split("\n")[0]
    needle = f'msgid "{first[:40]}'
    index = text.find(needle)
    if context:
        ctx = text.find(f'msgctxt "{context}"')
        index = text.find(needle, ctx) if ctx >= 0 else index
    return text.count("\n", 0, index) + 1 if index >= 0 else 1

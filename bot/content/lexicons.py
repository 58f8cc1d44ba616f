"""Loading and checking the safety lexicons, `locales/<lang>/safety.yaml`.

A lexicon that is wrong fails loudly: a phrase that folds to nothing would never match, a duplicate
hides which entry was meant, and a phrase in the wrong script is usually a copy-paste slip.
"""

from __future__ import annotations

from pathlib import Path

from bot.content.yamlfile import Checker, Located, LocatedList, Problem, did_you_mean, relative
from bot.core.model import RISK_CATEGORIES, RISK_LEVELS, Lexicon, LexiconGroup
from bot.core.normalize import fold, scripts_of

SCRIPTS = ("latin", "arabic", "cyrillic")
FIELDS = {"version", "language", "script", "entries"}
OPTIONAL = {"exclusions"}
GROUP_FIELDS = {"level", "category", "phrases"}
GROUP_OPTIONAL = {"script"}
FILE_NAME = "safety.yaml"


def load_lexicons(locales: Path, root: Path, problems: list[Problem]) -> tuple[Lexicon, ...]:
    lexicons: list[Lexicon] = []
    folders = sorted(p for p in locales.iterdir() if p.is_dir()) if locales.is_dir() else []
    for folder in folders:
        path = folder / FILE_NAME
        if not path.exists():
            if (folder / "LC_MESSAGES" / "messages.po").exists():
                problems.append(
                    Problem(
                        relative(folder, root),
                        1,
                        f"the language '{folder.name}' has no "
                        f"{FILE_NAME}, so its speakers' risk words are not screened",
                        "add a safety lexicon (see docs/safety-lexicons.md)",
                        "warning",
                    )
                )
            continue
        f = Checker(relative(path, root), problems)
        data = f.document(path, "a safety lexicon")
        if data is None:
            continue
        lexicon = _load(f, data, folder.name)
        if lexicon is not None:
            lexicons.append(lexicon)
    if not lexicons:
        problems.append(
            Problem(
                relative(locales, root),
                1,
                "there is no safety lexicon, so no message could be screened for risk",
                "add locales/en/safety.yaml (docs/safety-lexicons.md)",
            )
        )
    return tuple(lexicons)


def _load(f: Checker, data: Located, folder: str) -> Lexicon | None:
    before = f.errors()
    f.keys(data, FIELDS, OPTIONAL, "the lexicon")
    f.version(data)
    if data.get("language") != folder:
        f.error(
            data.line_of("language"),
            f"language is {data.get('language')!r} but the folder is {folder}",
            f"write language: {folder}",
        )
    script = data.get("script")
    if script not in SCRIPTS:
        f.error(
            data.line_of("script"),
            f"'{script}' is not a script",
            f"use one of: {', '.join(SCRIPTS)}",
        )
        return None
    seen: dict[str, int] = {}
    groups: list[LexiconGroup] = []
    raw_groups = data.get("entries")
    if not isinstance(raw_groups, list):
        f.error(
            data.line_of("entries"),
            "'entries' must be a list of groups",
            "start each group with '- level: urgent'",
        )
        return None
    for i, raw in enumerate(raw_groups):
        line = raw_groups.line_of(i) if isinstance(raw_groups, LocatedList) else data.line
        group = f.mapping(raw, line, f"group {i + 1}")
        if group is None:
            continue
        f.keys(group, GROUP_FIELDS, GROUP_OPTIONAL, "the group")
        level, category = group.get("level"), group.get("category")
        if level not in RISK_LEVELS:
            f.error(
                group.line_of("level"),
                f"'{level}' is not a risk level",
                f"use one of: {', '.join(RISK_LEVELS)}",
            )
        if category not in RISK_CATEGORIES:
            hint = did_you_mean(str(category), RISK_CATEGORIES)
            f.error(
                group.line_of("category"),
                f"'{category}' is not a risk category",
                f"{hint} use one of: {', '.join(RISK_CATEGORIES)}".strip(),
            )
        group_script = group.get("script", script)
        if group_script not in SCRIPTS:
            f.error(
                group.line_of("script"),
                f"'{group_script}' is not a script",
                f"use one of: {', '.join(SCRIPTS)}",
            )
            continue
        phrases = _phrases(f, group, "phrases", group_script, seen)
        groups.append(LexiconGroup(str(level), str(category), phrases, group_script))
    exclusions: tuple[str, ...] = ()
    if "exclusions" in data:
        exclusions = _phrases(f, data, "exclusions", None, seen)
    if f.errors() != before:
        return None
    return Lexicon(folder, script, tuple(groups), exclusions, f.shown_as)


def _phrases(
    f: Checker, parent: Located, key: str, script: str | None, seen: dict[str, int]
) -> tuple[str, ...]:
    raw = parent.get(key)
    if not isinstance(raw, list):
        f.error(parent.line_of(key), f"'{key}' must be a list", "start each phrase with '- '")
        return ()
    out: list[str] = []
    for i, phrase in enumerate(raw):
        line = raw.line_of(i) if isinstance(raw, LocatedList) else parent.line_of(key)
        if not isinstance(phrase, str):
            f.error(line, f"'{phrase}' is not text", "put the phrase in quotes")
            continue
        parts = phrase.split("...")
        if len(parts) > 1 and (len(parts) > 3 or not all(fold(p) for p in parts)):
            f.error(
                line,
                f"the phrase '{phrase}' has '...' at an end or more than twice",
                "write words on both sides of each '...', at most two '...' a phrase",
            )
            continue
        folded = fold(phrase)
        if not folded:
            f.error(
                line,
                f"the phrase '{phrase}' is empty once folded (no letters)",
                "write words, or remove the line",
            )
            continue
        if folded in seen:
            f.error(
                line,
                f"the phrase '{phrase}' is already on line {seen[folded]} (the two are the "
                "same once case, accents and spelling variants are folded)",
                "remove one of them",
            )
            continue
        seen[folded] = line
        found = scripts_of(phrase)
        if script is not None and found != {script}:
            shown = ", ".join(sorted(found)) or "no letters"
            f.error(
                line,
                f"the phrase '{phrase}' is written in {shown}, but its group is {script}",
                f"move it to a group with script: {shown.split(', ')[0]}"
                if found
                else "write it in letters",
            )
            continue
        out.append(phrase)
    return tuple(out)

"""Reading YAML with line numbers, and the `Problem` every content check reports.

Officers fix what they can find: each problem names the file and line, what is wrong and how to fix
it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

SCHEMA_VERSION = 1
ID_RULE = "use lowercase letters, digits and _ only"
_ID = re.compile(r"^[a-z0-9_]+$")
DEFAULT_ORDER = 1000.0


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    fix: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        label = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {label}{self.message}; {self.fix}"


class Located(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 1
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A YAML list that remembers the line of each item."""

    line: int = 1
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    duplicate_keys: list[tuple[Any, int]]


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    result = Located()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain word", key_node.start_mark
            )
        if key in result:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # PyYAML raises a bare ValueError for an impossible date (2026-02-30), with no line.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a real date ({exc})", node.start_mark
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: Path, shown_as: str, problems: list[Problem]) -> Any:
    """Parse one file; on failure, add a problem and return None."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(
            Problem(shown_as, 1, "the file is not UTF-8 text", "save it with the UTF-8 encoding")
        )
        return None
    return parse_yaml(text, shown_as, problems)


def parse_yaml(text: str, shown_as: str, problems: list[Problem]) -> Any:
    """Parse YAML text whose values remember their lines; on failure, add a problem."""
    if "\t" in text:
        line = text[: text.index("\t")].count("\n") + 1
        problems.append(
            Problem(shown_as, line, "a tab character is used", "indent with spaces, never tabs")
        )
        return None
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        loader.duplicate_keys = []
        data = loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow, often pasted from a word processor.
        line = text[: exc.position].count("\n") + 1
        problems.append(
            Problem(
                shown_as,
                line,
                f"this line has a character that is not allowed (code {exc.character!r})",
                "delete the character and type the text again",
            )
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed quote or bracket is only noticed at the end of the file; the line where it
        # opens is the one to fix.
        at_end = exc.problem_mark is not None and exc.problem_mark.index >= len(text.rstrip())
        if exc.context_mark and ("quoted scalar" in (exc.context or "") or at_end):
            mark = exc.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(filter(None, (exc.context, exc.problem)))
        problems.append(
            Problem(
                shown_as,
                line,
                f"this is not valid YAML ({what})",
                "check the indentation, and put quotes around text that contains ': ' or starts "
                "with a special character",
            )
        )
        return None
    except yaml.YAMLError as exc:
        problems.append(
            Problem(shown_as, 1, f"this is not valid YAML ({exc})", "check the file's syntax")
        )
        return None
    finally:
        if loader is not None:
            loader.dispose()
    for key, line in loader.duplicate_keys:
        problems.append(
            Problem(shown_as, line, f"the key '{key}' appears twice", "keep only one of them")
        )
    return data


def did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1)
    return f"did you mean '{close[0]}'?" if close else ""


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


@dataclass
class Checker:
    """Checks one file's values, adding problems that point at the right line."""

    shown_as: str
    problems: list[Problem]

    def error(self, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(self.shown_as, line, message, fix))

    def warn(self, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(self.shown_as, line, message, fix, "warning"))

    def document(self, path: Path, what: str) -> Located | None:
        """The file's top-level mapping; a file YAML could not read is already reported."""
        before = len(self.problems)
        data = read_yaml(path, self.shown_as, self.problems)
        if data is None and len(self.problems) > before:
            return None
        return self.mapping(data, 1, what)

    def errors(self) -> int:
        return sum(p.severity == "error" and p.path == self.shown_as for p in self.problems)

    def values(self, data: Located, key: str, what: str) -> tuple[str, ...]:
        """A list of short values; one value alone is taken as a list of one."""
        raw = data.get(key)
        if raw is None:
            return ()
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            return (str(raw),)
        if isinstance(raw, list) and all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in raw
        ):
            return tuple(str(v) for v in raw)
        self.error(
            data.line_of(key),
            f"'{key}' of {what} must be a list of values",
            f'write {key}: ["a", "b"], with quotes',
        )
        return ()

    def mapping(self, value: Any, line: int, what: str) -> Located | None:
        if isinstance(value, Located):
            return value
        self.error(
            line, f"{what} must be a set of 'key: value' lines", "see docs/writing-content.md"
        )
        return None

    def keys(self, data: Located, required: set[str], optional: set[str], what: str) -> None:
        for key in data:
            if key not in required | optional:
                hint = did_you_mean(key, sorted(required | optional))
                allowed = ", ".join(sorted(required | optional))
                self.error(
                    data.line_of(key),
                    f"unknown field '{key}' in {what}",
                    f"{hint} the fields are: {allowed}".strip(),
                )
        for key in sorted(required - set(data)):
            self.error(data.line, f"{what} has no '{key}'", f"add a '{key}:' line")

    def text(
        self, data: Located, key: str, what: str, limit: int, required: bool = True
    ) -> str | None:
        value = data.get(key)
        line = data.line_of(key)
        if value is None:
            if required and key in data:
                self.error(line, f"the {key} of {what} is empty", "write the text after the colon")
            return None
        if not isinstance(value, str):
            self.error(line, f"the {key} of {what} must be text", "put the text in quotes")
            return None
        return self.check_text(value, line, f"the {key} of {what}", limit)

    def check_text(self, value: str, line: int, what: str, limit: int) -> str | None:
        if not value.strip():
            self.error(line, f"{what} is empty", "write the text, or remove the line")
            return None
        if len(value) > limit:
            self.error(
                line,
                f"{what} is {len(value)} characters long; the limit is {limit}",
                "shorten it, or split it in two",
            )
        return value

    def ident(self, data: Located, key: str, what: str, max_len: int) -> str | None:
        value = data.get(key)
        line = data.line_of(key)
        if isinstance(value, bool):
            self.error(
                line,
                f"the {key} of {what} was read as true/false, not as a word",
                f"put it in quotes: {key}: '{'yes' if value else 'no'}'",
            )
            return None
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str) or not value:
            self.error(line, f"the {key} of {what} is missing or not a word", ID_RULE)
            return None
        if not _ID.match(value):
            self.error(
                line, f"the {key} '{value}' of {what} has characters ids cannot use", ID_RULE
            )
        if len(value) > max_len:
            self.error(
                line,
                f"the {key} '{value}' of {what} is {len(value)} characters; "
                f"the limit is {max_len}",
                "use a shorter id (ids travel inside buttons, which hold 64 bytes)",
            )
        return value

    def id_list(self, data: Located, key: str, what: str) -> tuple[tuple[str, int], ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(
                data.line_of(key), f"'{key}' of {what} must be a list", f"write {key}: [a, b]"
            )
            return ()
        lines = value.item_lines if isinstance(value, LocatedList) else []
        return tuple(
            (str(v), lines[i] if i < len(lines) else data.line_of(key))
            for i, v in enumerate(value)
        )

    def order(self, data: Located) -> float:
        """Where the file is listed: the optional `order`, else after every ordered file."""
        value = data.get("order", DEFAULT_ORDER)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(data.line_of("order"), "'order' must be a number", "write order: 10")
            return DEFAULT_ORDER
        return float(value)

    def version(self, data: Located) -> None:
        if "version" in data and data["version"] != SCHEMA_VERSION:
            self.error(
                data.line_of("version"),
                f"version {data['version']!r} is not one this Rafiq reads",
                f"write version: {SCHEMA_VERSION}",
            )

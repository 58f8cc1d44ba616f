"""Reading YAML with line numbers, and the `Problem` every content check reports.

Officers fix what they can find: each problem names the file and line, what is wrong and how to fix
it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml


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

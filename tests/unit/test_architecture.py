"""The core stays channel-independent: it imports no channel, no storage and no file format."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent.parent / "bot" / "core"
FORBIDDEN = (
    "telegram",
    "aiosqlite",
    "sqlite3",
    "yaml",
    "bot.channels",
    "bot.storage",
    "bot.content",
    "bot.i18n",
    "bot.bootstrap",
    "bot.cli",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_imports_no_adapter_or_format() -> None:
    offending = {
        f"{path.name}: {name}"
        for path in CORE.glob("*.py")
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert offending == set()

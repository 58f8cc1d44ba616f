"""A running Rafiq swaps in new content only when it is valid, and SIGHUP asks it to."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from pathlib import Path

import pytest

from bot.bootstrap import ContentInvalid, build
from bot.cli import _reload_on_hangup
from bot.config import Settings
from bot.storage import SqliteStore
from tests.fakes import Chat

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the repository's content to edit."""
    for part in ("content", "flows", "locales"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def _retitle(tree: Path, new: str) -> None:
    path = tree / "content" / "booklet" / "sleep.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Sleep when life is hard", f"title: {new}"), "utf-8")


@pytest.fixture
async def app(tree: Path, tmp_path: Path):
    settings = Settings(content_dir=tree, db=str(tmp_path / "db.sqlite3"))
    app = await build(settings, store=await SqliteStore.open(settings.db))
    yield app
    await app.close()


async def _topic_titles(app) -> list[str]:
    chat = Chat(app.conversation, chat_id=os.urandom(4).hex())
    await chat.send("/start")
    await chat.agree()
    await chat.press("Read the booklet")
    return chat.labels()


async def test_valid_new_content_is_served_after_reload(app, tree: Path) -> None:
    _retitle(tree, "Resting at night")
    problems = app.reload()
    assert [p for p in problems if p.severity == "error"] == []
    assert "Resting at night" in await _topic_titles(app)


async def test_invalid_content_is_refused_and_the_old_keeps_serving(app, tree, caplog) -> None:
    (tree / "flows" / "breathing.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    _retitle(tree, "Resting at night")
    with caplog.at_level(logging.ERROR):
        problems = app.reload()
    assert any(p.path == "flows/breathing.yaml" for p in problems)
    assert "Sleep when life is hard" in await _topic_titles(app)
    assert "reload refused" in caplog.text and "flows/breathing.yaml:1:" in caplog.text


async def test_sighup_reloads_the_content(app, tree: Path) -> None:
    _reload_on_hangup(app)
    try:
        _retitle(tree, "Resting at night")
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if "Resting at night" in await _topic_titles(app):
                break
        assert "Resting at night" in await _topic_titles(app)
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)


async def test_start_up_refuses_invalid_content_with_its_problems(tree: Path, tmp_path) -> None:
    (tree / "flows" / "breathing.yaml").write_text("version: 1\nid: breathing\n", "utf-8")
    with pytest.raises(ContentInvalid) as raised:
        await build(Settings(content_dir=tree, db=str(tmp_path / "x.sqlite3")))
    assert any("flows/breathing.yaml" in str(p) for p in raised.value.problems)

"""Shared fixtures: the repository's real content (loaded once), a fresh conversation per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.core.model import Content
from tests.fakes import Chat, FakeStore, make_conversation

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def content() -> Content:
    loaded, problems = load_content(ROOT)
    assert loaded is not None, "\n".join(map(str, problems))
    return loaded


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def chat(content: Content, store: FakeStore) -> Chat:
    return Chat(make_conversation(content, store=store))


@pytest.fixture
async def agreed(chat: Chat) -> Chat:
    """A person who has agreed and sees the main menu."""
    await chat.send("/start")
    await chat.agree()
    return chat

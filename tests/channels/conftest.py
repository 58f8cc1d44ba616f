"""What every Telegram test needs: the fake Bot API, the content loaded once, a running channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.bootstrap import App, load_all
from bot.channels.rate_limit import SendLimiter
from bot.channels.telegram_app import TelegramChannel, TelegramSettings
from bot.config import Settings
from bot.core.safety import LexiconScreen
from bot.storage import SqliteStore
from tests.channels.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
async def api():
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def loaded():
    """Content, catalogs and the risk screen, loaded once for every Telegram test."""
    content, catalogs, problems = load_all(Settings(content_dir=ROOT))
    assert content is not None, problems
    return content, catalogs, LexiconScreen(content.lexicons)


async def make_channel(tmp_path: Path, loaded, telegram: TelegramSettings) -> TelegramChannel:
    """A channel on a fresh database, with a roomy per-chat burst (the limiter is tested alone)."""
    settings = Settings(content_dir=ROOT, db=str(tmp_path / "db.sqlite3"),
                        staff_alerts=str(tmp_path / "staff.log"))  # fmt: skip
    content, catalogs, screen = loaded
    app = App(settings, content, catalogs, await SqliteStore.open(settings.db), screen)
    return TelegramChannel(settings, telegram, app, SendLimiter(chat_burst=50))


@asynccontextmanager
async def polling(channel: TelegramChannel) -> AsyncIterator[TelegramChannel]:
    """The channel started as `run` would, polling the fake Bot API, and stopped cleanly after."""
    application = channel.application
    async with application:
        await channel._post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0.01, timeout=0)
        yield channel
        await application.updater.stop()
        await application.stop()
    await channel._post_shutdown(application)

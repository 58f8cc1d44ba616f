"""The one place that wires adapters to the core: content, catalogs, storage and the risk screen.

Tests call `build` with fakes; the command line calls it with the real adapters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.config import Settings
from bot.content.loader import load_content
from bot.content.yamlfile import Problem
from bot.core.conversation import Conversation
from bot.core.model import Content
from bot.core.ports import RiskScreen, UserStore
from bot.core.safety import LexiconScreen
from bot.i18n import Catalogs
from bot.storage import SqliteStore

log = logging.getLogger(__name__)


class ContentInvalid(Exception):
    """The content has errors; `problems` says which, as file:line messages."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{sum(p.severity == 'error' for p in problems)} content errors")
        self.problems = problems


def load_all(settings: Settings) -> tuple[Content | None, Catalogs, list[Problem]]:
    """Content and catalogs, with every problem found in either."""
    content, problems = load_content(settings.content_dir)
    catalogs, catalog_problems = Catalogs.load(
        settings.content_dir / "locales", settings.default_locale
    )
    problems += catalog_problems
    if any(p.severity == "error" for p in catalog_problems):
        content = None
    return content, catalogs, problems


@dataclass
class App:
    """A running Rafiq: what adapters need, and the means to reload and close it."""

    settings: Settings
    content: Content
    catalogs: Catalogs
    store: UserStore
    screen: RiskScreen
    conversation: Conversation = field(init=False)

    def __post_init__(self) -> None:
        # The store is also the case desk when it can be (SQLite: case and alert in one write).
        desk = self.store if hasattr(self.store, "escalate") else None
        self.conversation = Conversation(
            lambda: self.content,
            self.store,
            lambda: self.screen,
            self.catalogs,
            desk=desk,  # type: ignore[arg-type]
            check_back_after=self.settings.check_back_minutes * 60,
            realert_after=self.settings.staff_ack_minutes * 60,
            staff_hours=self.settings.staff_hours,
        )

    def reload(self) -> list[Problem]:
        """Swap in new content only if it is valid; otherwise keep serving the old and say why."""
        content, catalogs, problems = load_all(self.settings)
        if content is None:
            log.error("content reload refused; still serving the previous content")
            for problem in problems:
                log.error("%s", problem)
            return problems
        self.content = content
        self.screen = LexiconScreen(content.lexicons)
        self.catalogs.replace_with(catalogs)
        log.warning(
            "content reloaded: %d topics, %d flows", len(content.topics), len(content.flows)
        )
        return problems

    async def close(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            await close()


async def build(
    settings: Settings, store: UserStore | None = None, screen: RiskScreen | None = None
) -> App:
    """Load and check everything, then open storage. Raises `ContentInvalid` on content errors."""
    content, catalogs, problems = load_all(settings)
    if content is None:
        raise ContentInvalid(problems)
    if store is None:
        store = await SqliteStore.open(settings.db)
    return App(settings, content, catalogs, store, screen or LexiconScreen(content.lexicons))

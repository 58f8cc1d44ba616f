"""The ports the core talks through: storage, the risk screen and translations.

Adapters implement them (`bot.storage`, `bot.i18n`, `bot.core.safety`); tests pass small fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.model import UserState

RiskLevel = Literal["none", "concern", "urgent"]


@dataclass(frozen=True)
class Screening:
    """The result of screening one message. Holds no text from the message."""

    level: RiskLevel = "none"
    categories: tuple[str, ...] = ()

    @property
    def is_risk(self) -> bool:
        return self.level != "none"


class RiskScreen(Protocol):
    def screen(self, text: str) -> Screening: ...


class UserStore(Protocol):
    async def load(self, channel: str, chat_id: str) -> UserState | None: ...

    async def save(self, state: UserState) -> None: ...

    async def forget(self, user_id: str) -> None: ...


class Translator(Protocol):
    """Texts in one locale; anything untranslated comes back as the English source."""

    locale: str
    direction: Literal["ltr", "rtl"]

    def gettext(self, message: str) -> str: ...

    def pgettext(self, context: str, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class Translations(Protocol):
    """Every installed locale's translator."""

    default: str

    def get(self, locale: str | None) -> Translator: ...

    def available(self) -> tuple[str, ...]: ...

    def display_name(self, locale: str) -> str: ...

    def negotiate(self, hint: str | None) -> str: ...

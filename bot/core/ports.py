"""The ports the core talks through: storage, the risk screen and translations.

Adapters implement them (`bot.storage`, `bot.i18n`, `bot.core.safety`); tests pass small fakes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.model import UserState

RiskLevel = Literal["none", "concern", "urgent"]


@dataclass(frozen=True)
class Match:
    """A lexicon phrase found in a message (the lexicon's words, not the message's)."""

    phrase: str
    language: str
    level: str
    category: str


@dataclass(frozen=True)
class Screening:
    """The result of screening one message. Holds no text from the message."""

    level: RiskLevel = "none"
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    matches: tuple[Match, ...] = ()

    @property
    def is_risk(self) -> bool:
        return self.level != "none"


class RiskScreen(Protocol):
    def screen(self, text: str) -> Screening: ...


class UserStore(Protocol):
    async def load(self, channel: str, chat_id: str) -> UserState | None: ...

    async def save(self, state: UserState) -> None: ...

    async def forget(self, user_id: str) -> None: ...


@dataclass(frozen=True)
class Escalation:
    """What the programme's staff are told: never the message text."""

    user_id: str
    channel: str
    chat_id: str
    level: str
    categories: tuple[str, ...]
    language: str
    country: str | None
    reason: str  # "risk", "asked", "still_needs_help"
    source_key: str | None = None  # the inbound message, so a replay opens no second case
    check_back_after: float | None = None  # seconds until "Are you safe now?"
    realert_after: float | None = None  # seconds until staff are told again if nobody took it


class CaseDesk(Protocol):
    """Where cases are opened and staff alerts queued (durably, in one transaction)."""

    async def escalate(self, escalation: Escalation) -> int: ...

    async def report_safe(self, user_id: str) -> None: ...

    async def open_case_level(self, user_id: str) -> str | None: ...

    async def handoff_case(self, user_id: str) -> int | None: ...


class StaffHours(Protocol):
    """When the programme's staff answer."""

    label: str

    def open_at(self, when: dt.datetime) -> bool: ...


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

    def country_name(self, code: str, locale: str) -> str: ...

    def format_date(self, when: dt.date, locale: str) -> str: ...

"""The core's vocabulary: content (booklet, flows, referrals), inbound events, replies and user
state.

Everything here is a frozen dataclass with no I/O, so the core can be exercised with plain values
and the loaders in `bot.content` can build it from YAML without the core knowing YAML exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

# ---------------------------------------------------------------------------------------------
# Content


@dataclass(frozen=True)
class Topic:
    """One booklet topic: a few phone-sized pages of self-help reading."""

    id: str
    title: str
    summary: str
    pages: tuple[str, ...]
    try_flows: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = ""

    @property
    def context(self) -> str:
        """The gettext context of this topic's texts, so translators see where a text lives."""
        return f"booklet/{self.id}"


@dataclass(frozen=True)
class Say:
    """A message a step sends."""

    text: str


@dataclass(frozen=True)
class Pause:
    """A wait between messages, in seconds. Adapters wait without blocking other users."""

    seconds: float


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    next: Next | None = None


@dataclass(frozen=True)
class Branch:
    """`if` a variable holds one of `values`, go to `then`. An `else` branch has no variable."""

    then: str
    variable: str | None = None
    values: tuple[str, ...] = ()

    def matches(self, variables: Mapping[str, str]) -> bool:
        if self.variable is None:
            return True
        value = variables.get(self.variable)
        if value is None:
            return False
        return not self.values or value in self.values


# A step's destination: a step id, or branches tried in order.
Next = str | tuple[Branch, ...]


@dataclass(frozen=True)
class Step:
    id: str
    say: tuple[Say | Pause, ...] = ()
    choices: tuple[Choice, ...] = ()
    accepts_text: bool = False
    save: str | None = None
    next: Next | None = None
    topic: str | None = None
    page: int = 1
    show_help: bool = False
    start_flow: str | None = None
    end: bool = False

    @property
    def waits(self) -> bool:
        return bool(self.choices) or self.accepts_text


@dataclass(frozen=True)
class Flow:
    """A scripted exercise: steps run in order unless a step says where to go."""

    id: str
    title: str
    summary: str
    minutes: int
    steps: tuple[Step, ...]
    source: str = ""

    @property
    def context(self) -> str:
        return f"flow/{self.id}"

    def step_context(self, step_id: str) -> str:
        return f"flow/{self.id}/{step_id}"

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def following(self, step_id: str) -> Step | None:
        ids = [s.id for s in self.steps]
        i = ids.index(step_id)
        return self.steps[i + 1] if i + 1 < len(self.steps) else None


class ServiceKind(StrEnum):
    EMERGENCY = "emergency"
    MENTAL_HEALTH = "mental_health"
    PSYCHOSOCIAL = "psychosocial"
    GBV = "gbv"
    CHILD_PROTECTION = "child_protection"
    TRAFFICKING = "trafficking"
    MEDICAL = "medical"
    LEGAL = "legal"
    SHELTER = "shelter"


@dataclass(frozen=True)
class Service:
    """One help contact. Only entries someone has checked (`verified` set) are ever shown."""

    id: str
    name: str
    kind: ServiceKind
    phones: tuple[str, ...] = ()
    url: str | None = None
    hours: str = ""
    languages: tuple[str, ...] = ()
    serves: str = ""
    cost: str = ""
    note: str = ""
    verified: dt.date | None = None
    country: str | None = None

    @property
    def context(self) -> str:
        return f"referrals/{self.country or 'global'}/{self.id}"


# Which kinds of service fit a risk category, most fitting first.
KINDS_FOR_CATEGORY: dict[str, tuple[ServiceKind, ...]] = {
    "suicide": (ServiceKind.MENTAL_HEALTH, ServiceKind.PSYCHOSOCIAL),
    "self_harm": (ServiceKind.MENTAL_HEALTH, ServiceKind.MEDICAL, ServiceKind.PSYCHOSOCIAL),
    "harm_to_others": (ServiceKind.MENTAL_HEALTH, ServiceKind.PSYCHOSOCIAL),
    "violence": (ServiceKind.GBV, ServiceKind.SHELTER, ServiceKind.CHILD_PROTECTION),
    "exploitation": (ServiceKind.TRAFFICKING, ServiceKind.LEGAL, ServiceKind.SHELTER),
    "medical": (ServiceKind.MEDICAL,),
    "distress": (ServiceKind.PSYCHOSOCIAL, ServiceKind.MENTAL_HEALTH),
}
MAX_RELEVANT = 3


@dataclass(frozen=True)
class Referrals:
    """Help contacts: the global ones and those of each country (ISO 3166 alpha-2 code)."""

    global_services: tuple[Service, ...] = ()
    by_country: Mapping[str, tuple[Service, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def for_country(self, country: str | None) -> tuple[Service, ...]:
        """Verified services for a country, local ones first, emergency numbers at the top."""
        local = self.by_country.get(country, ()) if country else ()
        # The country's own emergency numbers replace the global ones, rather than repeat them.
        has_emergency = any(s.kind == ServiceKind.EMERGENCY and s.verified for s in local)
        global_ = [
            s for s in self.global_services
            if not (has_emergency and s.kind == ServiceKind.EMERGENCY)
        ]  # fmt: skip
        shown = [s for s in (*local, *global_) if s.verified is not None]
        # Emergency numbers first: in a crisis the first line read is the one that matters.
        return tuple(sorted(shown, key=lambda s: s.kind != ServiceKind.EMERGENCY))

    def for_risk(self, country: str | None, categories: tuple[str, ...]) -> tuple[Service, ...]:
        """Emergency numbers, then the few services that fit the risk best (not a long list)."""
        shown = self.for_country(country)
        local_emergency = [s for s in shown if s.kind == ServiceKind.EMERGENCY and s.country]
        emergency = local_emergency or [s for s in shown if s.kind == ServiceKind.EMERGENCY]
        wanted = [k for c in categories for k in KINDS_FOR_CATEGORY.get(c, ())]
        others = sorted(
            (s for s in shown if s.kind in wanted),
            key=lambda s: (wanted.index(s.kind), s.country is None),
        )
        return (*emergency, *others[:MAX_RELEVANT])

    def countries(self) -> tuple[str, ...]:
        return tuple(sorted(self.by_country))


RISK_LEVELS = ("urgent", "concern")
RISK_CATEGORIES = (
    "suicide", "self_harm", "harm_to_others", "violence", "exploitation", "medical", "distress",
)  # fmt: skip


@dataclass(frozen=True)
class LexiconGroup:
    """Phrases that share a level and a category, written in one script."""

    level: str
    category: str
    phrases: tuple[str, ...]
    script: str


@dataclass(frozen=True)
class Lexicon:
    """One language's risk phrases, and the everyday idioms that contain them but are no risk."""

    language: str
    script: str
    groups: tuple[LexiconGroup, ...]
    exclusions: tuple[str, ...] = ()
    source: str = ""

    @property
    def size(self) -> int:
        return sum(len(g.phrases) for g in self.groups)


@dataclass(frozen=True)
class Content:
    """Everything the core serves, validated and ready."""

    topics: Mapping[str, Topic]
    flows: Mapping[str, Flow]
    referrals: Referrals
    lexicons: tuple[Lexicon, ...] = ()

    def topic_order(self) -> tuple[Topic, ...]:
        return tuple(self.topics.values())


# ---------------------------------------------------------------------------------------------
# Inbound events


class EventKind(StrEnum):
    TEXT = "text"  # anything typed, commands included
    BUTTON = "button"  # the data of a button the person pressed
    OTHER = "other"  # a sticker, photo, voice note...: nothing Rafiq can read


@dataclass(frozen=True)
class Inbound:
    """One thing a person did, as any channel sees it."""

    channel: str
    chat_id: str
    kind: EventKind
    text: str = ""
    data: str = ""
    language_hint: str | None = None
    # The channel's id for this message, so a message delivered twice is acted on once.
    message_id: str | None = None


# ---------------------------------------------------------------------------------------------
# Outbound


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Message:
    """One message to show. `direction` lets adapters lay out right-to-left languages."""

    text: str
    buttons: tuple[Button, ...] = ()
    direction: Literal["ltr", "rtl"] = "ltr"


Reply = Message | Pause


@dataclass(frozen=True)
class RiskFlagged:
    """A risk was found in what a person wrote. Carries no message text, by design."""

    user_id: str
    level: str
    categories: tuple[str, ...]
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonRequested:
    """The person asked to talk to someone, or said they still need help."""

    user_id: str
    reason: str  # "asked" or "still_needs_help"


@dataclass(frozen=True)
class SafetyReported:
    """The person answered "I'm safe" to the later check. It never closes a case by itself."""

    user_id: str


@dataclass(frozen=True)
class UserForgotten:
    user_id: str


@dataclass(frozen=True)
class RelayToStaff:
    """What a person wrote to the officer who took their case. Passed on, never stored."""

    case: int
    text: str


@dataclass(frozen=True)
class HandoffEnded:
    """The person ended the conversation with the officer."""

    case: int


Effect = (
    RiskFlagged | PersonRequested | SafetyReported | UserForgotten | RelayToStaff | HandoffEnded
)


@dataclass(frozen=True)
class Turn:
    """What the core decided for one inbound event."""

    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()


# ---------------------------------------------------------------------------------------------
# State


@dataclass(frozen=True)
class FlowPosition:
    flow: str
    step: str
    variables: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Position:
    """Where a person is. `flow` is the exercise in progress; `reading` is their booklet bookmark.

    `expect` is the buttons of the last message shown (label, data), so typed button labels work
    in every channel. `screen` names what that message was, for the few screens that need an answer
    (the consent and the delete confirmation).
    """

    flow: FlowPosition | None = None
    reading: tuple[str, int] | None = None
    screen: str = ""
    expect: tuple[Button, ...] = ()


@dataclass(frozen=True)
class UserState:
    """All Rafiq keeps about a person. No message text, ever."""

    user_id: str
    channel: str
    chat_id: str
    locale: str
    country: str | None = None
    consent_at: dt.datetime | None = None
    position: Position = field(default_factory=Position)
    last_seen: dt.datetime | None = None

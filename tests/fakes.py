"""Test doubles for the core's ports, and `Chat`, a driver that reads like a conversation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.core.conversation import Conversation
from bot.core.model import (
    Content,
    EventKind,
    Inbound,
    Lexicon,
    LexiconGroup,
    Message,
    Pause,
    Turn,
    UserState,
)
from bot.core.ports import Screening
from bot.core.safety import LexiconScreen

# A small English lexicon for tests of the core; the real lexicons are tested on their own.
TEST_LEXICON = Lexicon(
    "en",
    "latin",
    (
        LexiconGroup("urgent", "suicide", ("kill myself", "end my life", "want to die"), "latin"),
        LexiconGroup("urgent", "self_harm", ("hurt myself",), "latin"),
        LexiconGroup("concern", "distress", ("hopeless", "cannot cope"), "latin"),
    ),
    ("dying to see",),
)


class FakeStore:
    """The `UserStore` port in a dict, counting writes."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], UserState] = {}
        self.history: list[UserState] = []

    async def load(self, channel: str, chat_id: str) -> UserState | None:
        return self.rows.get((channel, chat_id))

    async def save(self, state: UserState) -> None:
        self.history.append(state)
        self.rows[(state.channel, state.chat_id)] = state

    async def forget(self, user_id: str) -> None:
        self.rows = {k: v for k, v in self.rows.items() if v.user_id != user_id}


class FakeDesk:
    """The `CaseDesk` port, collecting escalations."""

    def __init__(self, fail: bool = False) -> None:
        self.escalations: list = []
        self.safe: list[str] = []
        self.fail = fail
        self.handoff: int | None = None  # the case an officer has taken, if any

    async def escalate(self, escalation) -> int:
        if self.fail:
            raise OSError("disk full")
        self.escalations.append(escalation)
        return len(self.escalations)

    async def report_safe(self, user_id: str) -> None:
        self.safe.append(user_id)

    async def open_case_level(self, user_id: str) -> str | None:
        return None

    async def handoff_case(self, user_id: str) -> int | None:
        return self.handoff


class BrokenScreen:
    def screen(self, text: str) -> Screening:
        raise RuntimeError("lexicon missing")


class FixedClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Chat:
    """One person talking to a `Conversation`: `send` text, `press` a button by its label."""

    conversation: Conversation
    chat_id: str = "42"
    channel: str = "test"
    language_hint: str | None = None
    turns: list[Turn] = field(default_factory=list)

    async def send(self, text: str) -> Turn:
        return await self._do(
            Inbound(
                self.channel,
                self.chat_id,
                EventKind.TEXT,
                text=text,
                language_hint=self.language_hint,
            )
        )

    async def data(self, data: str) -> Turn:
        return await self._do(Inbound(self.channel, self.chat_id, EventKind.BUTTON, data=data))

    async def other(self) -> Turn:
        return await self._do(Inbound(self.channel, self.chat_id, EventKind.OTHER))

    async def agree(self, country: str = "Skip") -> Turn:
        """Agree on the welcome screen, then answer the country question."""
        turn = await self.press("Yes, let us start")
        if "Which country are you in now?" in self.text():
            turn = await self.press(country)
        return turn

    async def press(self, label: str) -> Turn:
        """Press a button of the last message that had buttons, by (the start of) its label."""
        buttons = self.buttons()
        found = [b for b in buttons if b.label == label] or [
            b for b in buttons if b.label.startswith(label)
        ]
        assert found, f"no button {label!r} in {[b.label for b in buttons]}"
        return await self.data(found[0].data)

    async def _do(self, event: Inbound) -> Turn:
        turn = await self.conversation.handle(event)
        self.turns.append(turn)
        return turn

    def messages(self) -> list[Message]:
        """The messages of the last turn."""
        return [r for r in self.turns[-1].replies if isinstance(r, Message)]

    def last(self) -> Message:
        return self.messages()[-1]

    def text(self) -> str:
        """All text of the last turn, joined."""
        return "\n".join(m.text for m in self.messages())

    def pauses(self) -> list[float]:
        return [r.seconds for r in self.turns[-1].replies if isinstance(r, Pause)]

    def buttons(self):
        for message in reversed(self.messages()):
            if message.buttons:
                return message.buttons
        return ()

    def labels(self) -> list[str]:
        return [b.label for b in self.buttons()]


def make_conversation(
    content: Content, store=None, screen=None, catalogs=None, clock=None, desk=None
):

    from bot.i18n import Catalogs

    if catalogs is None:
        catalogs = Catalogs({}, "en")  # English only, whatever locales the repository ships
    screen = screen or LexiconScreen([TEST_LEXICON])
    return Conversation(
        lambda: content,
        store or FakeStore(),
        lambda: screen,
        catalogs,
        clock or FixedClock(),
        desk=desk,
        check_back_after=600,
    )

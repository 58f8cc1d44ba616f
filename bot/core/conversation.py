"""One conversational turn: an inbound event and the person's stored state in, replies and effects
out.

The order inside a turn is the product's safety promise: every text is screened for risk before any
routing, so a risk is never taken as an answer to a flow, a menu choice or a command. Everything
after loading the state is computed without I/O; the state is written once at the end.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import unicodedata
import weakref
from asyncio import Lock
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.core import screens
from bot.core.bidi import isolate_ltr
from bot.core.engine import CHOICE_PREFIX, STOP_DATA, FlowRunner, Outcome
from bot.core.model import (
    Button,
    Content,
    Effect,
    EventKind,
    HandoffEnded,
    Inbound,
    Message,
    PersonRequested,
    Position,
    RelayToStaff,
    Reply,
    RiskFlagged,
    SafetyReported,
    Turn,
    UserForgotten,
    UserState,
)
from bot.core.ports import (
    CaseDesk,
    Escalation,
    RiskScreen,
    Screening,
    StaffHours,
    Translations,
    UserStore,
)

log = logging.getLogger(__name__)

COMMANDS = ("start", "menu", "sos", "language", "country", "stop", "privacy", "forget", "help")
# When to ask "Are you safe now?" after an urgent message, unless the deployment says otherwise.
CHECK_BACK_AFTER = 20 * 60.0
# Until a person agrees, Rafiq writes nothing to disk; their few choices live in memory, bounded.
MAX_PENDING = 10_000
NOT_OK_FLOW = "not_ok"
# What a person can press before agreeing: nothing that needs their data kept.
PRE_CONSENT_BUTTONS = frozenset(
    {
        screens.AGREE, screens.DECLINE, screens.LANGUAGE, screens.HELP_NOW, screens.PRIVACY,
        screens.FORGET, screens.PERSON, screens.SAFE, screens.STILL_NEED_HELP,
        screens.END_HANDOFF,
    }
)  # fmt: skip
# The fewest letters of a button label that count as typing the button.
MIN_PREFIX = 4


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _clean(text: str) -> str:
    """Drop control and bidi formatting characters so typed labels and commands still match."""
    kept = (ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\n\t")
    return "".join(kept).strip()


class Conversation:
    """The core's entry point. Adapters call `handle` for every event and deliver the replies."""

    def __init__(
        self,
        content: Callable[[], Content],
        store: UserStore,
        screen: Callable[[], RiskScreen],
        translations: Translations,
        clock: Callable[[], dt.datetime] = utcnow,
        desk: CaseDesk | None = None,
        check_back_after: float | None = CHECK_BACK_AFTER,
        realert_after: float | None = None,
        staff_hours: StaffHours | None = None,
    ) -> None:
        self._staff_hours = staff_hours
        self._desk = desk
        self._realert_after = realert_after
        self._check_back_after = check_back_after
        self._content = content
        self._store = store
        self._screen = screen
        self._translations = translations
        self._clock = clock
        self._pending: OrderedDict[tuple[str, str], UserState] = OrderedDict()
        # One turn at a time per chat, so two quick taps cannot both advance the same step.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, key: tuple[str, str]) -> Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = Lock()
        return lock

    async def handle(self, event: Inbound) -> Turn:
        key = (event.channel, event.chat_id)
        async with self._lock(key):
            return await self._handle(event, key)

    async def _handle(self, event: Inbound, key: tuple[str, str]) -> Turn:
        content = self._content()
        state = await self._store.load(*key) or self._pending.get(key)
        if state is None:
            locale = self._translations.negotiate(event.language_hint)
            state = UserState(secrets.token_hex(8), event.channel, event.chat_id, locale)
        screening = self._screening(event)
        # Someone from the team has this person's case: their words go to that officer.
        handoff = await self._handoff(state.user_id)
        try:
            turn = _TurnBuilder(self, content, state)
            turn.handoff = handoff
            turn.route(event, screening)
        except Exception as exc:
            # A bug must not silence Rafiq, and least of all hide a risk: answer with the way to
            # help.
            log.error("turn failed for an event of kind %s: %s", event.kind, type(exc).__name__)
            log.debug("turn failure", exc_info=True)
            turn = _TurnBuilder(self, content, state)
            turn.failed(screening)
        new_state = replace(turn.state, last_seen=self._clock())
        # Staff are told before anything else can fail: an escalation must not wait on a save.
        await self._escalate(turn.effects, new_state, event)
        await self._keep(key, new_state, forget=turn.forget)
        return Turn(_laid_out(turn.replies), tuple(turn.effects))

    async def _keep(self, key: tuple[str, str], state: UserState, forget: bool = False) -> None:
        if forget:
            self._pending.pop(key, None)
            await self._store.forget(state.user_id)
        elif state.consent_at is not None:
            self._pending.pop(key, None)
            await self._store.save(state)
        else:
            self._pending[key] = state
            self._pending.move_to_end(key)
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)

    async def _escalate(self, effects: list[Effect], state: UserState, event: Inbound) -> None:
        if self._desk is None:
            return
        source = (
            f"{event.channel}:{event.chat_id}:{event.message_id}" if event.message_id else None
        )
        for effect in effects:
            base = Escalation(
                user_id=state.user_id,
                channel=state.channel,
                chat_id=state.chat_id,
                level="concern",
                categories=(),
                language=state.locale,
                country=state.country,
                reason="asked",
                source_key=source,
            )
            if isinstance(effect, RiskFlagged) and effect.level == "urgent":
                escalation = replace(
                    base,
                    level="urgent",
                    categories=effect.categories,
                    reason="risk",
                    check_back_after=self._check_back_after,
                    realert_after=self._realert_after,
                )
            elif isinstance(effect, PersonRequested):
                escalation = replace(base, reason=effect.reason)
            elif isinstance(effect, SafetyReported):
                await self._safely(self._desk.report_safe(state.user_id))
                continue
            else:
                continue
            await self._safely(self._desk.escalate(escalation))

    @staticmethod
    async def _safely(call: Awaitable[object]) -> None:
        try:
            await call
        except Exception as exc:
            # The person already has the help contacts in the reply; the failure is for operators.
            log.error("could not record an escalation: %s", type(exc).__name__)

    async def safety_check(self, channel: str, chat_id: str) -> Turn | None:
        """The later "Are you safe now?" for a person who wrote something urgent."""
        return await self._to_person(
            channel, chat_id, lambda t: t.show(screens.safety_check(t.tr), screen="safety")
        )

    async def _handoff(self, user_id: str) -> int | None:
        if self._desk is None:
            return None
        try:
            return await self._desk.handoff_case(user_id)
        except Exception as exc:
            log.error("could not look up a handoff: %s", type(exc).__name__)
            return None

    async def _to_person(
        self, channel: str, chat_id: str, build: Callable[[_TurnBuilder], None]
    ) -> Turn | None:
        key = (channel, chat_id)
        async with self._lock(key):
            state = await self._store.load(*key) or self._pending.get(key)
            if state is None:
                return None  # the person has since deleted their data
            turn = _TurnBuilder(self, self._content(), state)
            build(turn)
            await self._keep(key, turn.state)
            return Turn(_laid_out(turn.replies))

    async def staff_joined(self, channel: str, chat_id: str) -> Turn | None:
        """Tell the person an officer has taken their case and is there to talk."""
        return await self._to_person(
            channel, chat_id, lambda t: t.show(screens.staff_joined(t.tr))
        )

    async def from_staff(self, channel: str, chat_id: str, text: str) -> Turn | None:
        """An officer's message to the person, shown as from "a counsellor", never by name."""
        return await self._to_person(
            channel, chat_id, lambda t: t.show(screens.from_staff(t.tr, text))
        )

    async def case_closed(self, channel: str, chat_id: str) -> Turn | None:
        return await self._to_person(
            channel,
            chat_id,
            lambda t: t.show(t.note(screens.handoff_over(t.tr)), *t.home()),
        )

    def _screening(self, event: Inbound) -> Screening:
        if event.kind != EventKind.TEXT:
            return Screening()
        try:
            return self._screen().screen(event.text)
        except Exception as exc:
            # If the screen itself fails we cannot know the message is safe: show the help
            # contacts.
            log.error("risk screen failed: %s", type(exc).__name__)
            return Screening("concern", ("unscreened",))


def _laid_out(replies: list[Reply]) -> tuple[Reply, ...]:
    """Right-to-left messages with their numbers, commands and Latin words kept in order."""
    out: list[Reply] = []
    for reply in replies:
        if isinstance(reply, Message) and reply.direction == "rtl":
            buttons = tuple(Button(isolate_ltr(b.label), b.data) for b in reply.buttons)
            reply = Message(isolate_ltr(reply.text), buttons, reply.direction)
        out.append(reply)
    return tuple(out)


class _TurnBuilder:
    """Works out one turn for one person. Mutable on purpose: it lives for a single event."""

    def __init__(self, convo: Conversation, content: Content, state: UserState) -> None:
        self.content = content
        self.state = state
        self.translations = convo._translations
        self.clock = convo._clock
        self.tr = self.translations.get(state.locale)
        self.staff_hours = convo._staff_hours
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.forget = False
        self.handoff: int | None = None

    # -- helpers ---------------------------------------------------------------------------

    @property
    def position(self) -> Position:
        return self.state.position

    def set_position(self, **changes: object) -> None:
        self.state = replace(self.state, position=replace(self.position, **changes))

    def runner(self) -> FlowRunner:
        return FlowRunner(
            self.content,
            self.tr,
            lambda topic, page: screens.page(self.tr, self.content, topic, page, nav=False),
            lambda: screens.contacts(self.tr, self.content, self.state.country),
        )

    def show(self, *replies: Reply, screen: str = "") -> None:
        self.replies.extend(replies)
        buttons: tuple[Button, ...] = ()
        for reply in reversed(replies):
            if isinstance(reply, Message) and reply.buttons:
                buttons = reply.buttons
                break
        self.set_position(screen=screen, expect=buttons)

    def note(self, text: str) -> Message:
        return Message(text, direction=self.tr.direction)

    @property
    def consented(self) -> bool:
        return self.state.consent_at is not None

    # -- routing -----------------------------------------------------------------------------

    def route(self, event: Inbound, screening: Screening) -> None:
        text = _clean(event.text) if event.kind == EventKind.TEXT else ""
        if self.handoff is not None and text and not text.startswith("/"):
            # In a conversation with an officer, words go to them: after the risk screen, and
            # with the help contacts too when the words show a risk.
            self.effects.append(RelayToStaff(self.handoff, text))
            if screening.is_risk:
                self.risk(screening)
            return
        if screening.is_risk:
            self.risk(screening)
        elif event.kind == EventKind.BUTTON:
            self.button(event.data)
        elif event.kind == EventKind.OTHER:
            self.show(self.note(screens.nothing_to_read(self.tr)), *self.home())
        else:
            text = _clean(event.text)
            if text.startswith("/"):
                self.command(text)
            else:
                self.text(text)

    def failed(self, screening: Screening) -> None:
        if screening.is_risk:
            self.effects.append(
                RiskFlagged(self.state.user_id, screening.level, screening.categories)
            )
        _ = self.tr.gettext
        sorry = self.note(
            _("Sorry, something went wrong on my side. Here are people who can help.")
        )
        contacts = screens.contacts(self.tr, self.content, self.state.country)
        self.show(sorry, screens.with_buttons(contacts, (Button(_("Menu"), screens.MENU),)))

    def home(self) -> tuple[Message, ...]:
        """Where a person lands when nothing else fits: the menu, or the welcome before consent."""
        if not self.consented:
            return (screens.welcome(self.tr, len(self.translations.available())),)
        return (screens.menu(self.tr, self.content, self.position),)

    def risk(self, screening: Screening) -> None:
        # Position is left as it is, so "Back to where I was" returns to the same step or page.
        self.effects.append(
            RiskFlagged(
                self.state.user_id, screening.level, screening.categories, screening.languages
            )
        )
        contacts = screens.contacts(
            self.tr, self.content, self.state.country, screening.categories
        )
        person = Button(self.tr.gettext("Talk to a person"), screens.PERSON)
        back = screens.back_buttons(self.tr, self.content, self.position)
        if screening.level == "urgent":
            self.show(
                screens.urgent(self.tr),
                *self.after_hours(),
                screens.with_buttons(contacts, (person, *back)),
                screen="risk",
            )
            return
        calm: tuple[Button, ...] = ()
        if NOT_OK_FLOW in self.content.flows:
            label = self.tr.gettext("A short calming exercise")
            calm = (Button(label, screens.flow_data(NOT_OK_FLOW)),)
        self.show(
            screens.concern(self.tr),
            screens.with_buttons(contacts, (*calm, person, *back)),
            screen="risk",
        )

    def contacts(self, categories: tuple[str, ...] = ()) -> None:
        contacts = screens.contacts(self.tr, self.content, self.state.country, categories)
        back = screens.back_buttons(self.tr, self.content, self.position)
        extra: tuple[Button, ...] = ()
        if self.consented and self.content.referrals.countries():
            extra = (Button(self.tr.gettext("Change country"), screens.COUNTRY),)
        self.show(screens.with_buttons(contacts, (*extra, *back)))

    def after_hours(self) -> tuple[Message, ...]:
        """An honest word when staff are off: nobody should wait for an answer that won't come."""
        hours = self.staff_hours
        if hours is None or hours.open_at(self.clock()):
            return ()
        return (screens.after_hours(self.tr, hours.label),)

    def person(self, reason: str) -> None:
        self.effects.append(PersonRequested(self.state.user_id, reason))
        contacts = screens.contacts(self.tr, self.content, self.state.country)
        back = screens.back_buttons(self.tr, self.content, self.position)
        self.show(
            screens.person_requested(self.tr),
            *self.after_hours(),
            screens.with_buttons(contacts, back),
        )

    def countries(self, first_time: bool = False) -> None:
        codes = self.content.referrals.countries()
        names = [(c, self.translations.country_name(c, self.state.locale)) for c in codes]
        options = tuple(sorted(names, key=lambda item: item[1].casefold()))
        screen = "country-first" if first_time else "country"
        self.show(screens.countries(self.tr, options, first_time), screen=screen)

    def set_country(self, code: str | None) -> None:
        first_time = self.position.screen == "country-first"
        self.state = replace(self.state, country=code)
        if first_time:
            intro = self.tr.gettext(
                "Thank you. You can use the buttons, or type /help to see the commands. "
                "What would you like to do?"
            )
            self.show(screens.menu(self.tr, self.content, self.position, intro))
        else:
            self.contacts()

    def command(self, text: str) -> None:
        name = text.split()[0][1:].split("@")[0].casefold()
        if name == "sos":
            self.contacts()
        elif name == "help":
            self.show(screens.commands(self.tr))
        elif name == "language":
            self.languages()
        elif name == "privacy":
            self.show(screens.privacy(self.tr, self.agreed_on()))
        elif not self.consented:
            if name == "forget":
                self.decline()
            else:
                self.show(*self.home())
        elif name == "start":
            intro = self.tr.gettext("Welcome back. What would you like to do?")
            self.show(screens.menu(self.tr, self.content, self.position, intro))
        elif name == "menu":
            self.show(*self.home())
        elif name == "stop":
            self.stop_flow()
        elif name == "country":
            self.countries()
        elif name == "forget":
            self.show(screens.forget_confirm(self.tr), screen="forget")
        else:
            unknown = self.tr.gettext("I do not know that command.")
            self.show(self.note(unknown), screens.commands(self.tr))

    def typed_button(self, text: str) -> Button | None:
        """The shown button a person typed: its whole label or, unless the step takes free text,
        the unique start or part of one ("slow breathing" for "Slow breathing (3 minutes)",
        "not ok" for "I'm not OK right now").
        """
        wanted = " ".join(text.casefold().split())
        if not wanted:
            return None
        buttons = self.position.expect
        exact = [b for b in buttons if b.label.casefold() == wanted]
        if exact:
            return exact[0]
        flow = self.position.flow
        step = (
            self.content.flows[flow.flow].step(flow.step)
            if flow and (flow.flow in self.content.flows)
            else None
        )
        if len(wanted) < MIN_PREFIX or (step is not None and step.accepts_text):
            return None
        starts = [b for b in buttons if b.label.casefold().startswith(wanted)]
        if len(starts) == 1:
            return starts[0]
        parts = [b for b in buttons if wanted in b.label.casefold()]
        return parts[0] if len(parts) == 1 else None

    def text(self, text: str) -> None:
        pressed = self.typed_button(text)
        if pressed is not None:
            self.button(pressed.data)
            return
        if not self.consented:
            self.show(*self.home())
            return
        flow = self.position.flow
        if flow is None:
            self.show(self.note(screens.not_understood(self.tr)), *self.home())
            return
        runner = self.runner()
        choice = runner.match_label(flow, text)
        if choice is not None:
            self.flow_outcome(runner.choose(flow, choice))
        elif not text:
            self.reshow_flow(screens.empty_message(self.tr))
        elif (outcome := runner.answer(flow, text)) is not None:
            self.flow_outcome(outcome)
        else:
            self.reshow_flow(screens.choose_a_button(self.tr))

    def reshow_flow(self, reason: str) -> None:
        flow = self.position.flow
        outcome = self.runner().show(flow) if flow else None
        if outcome is None:
            self.set_position(flow=None)
            self.show(self.note(reason), *self.home())
            return
        # Only the step's buttons again, with a short word on why, not the whole step repeated.
        last = next(r for r in reversed(outcome.replies) if isinstance(r, Message))
        self.show(Message(reason, last.buttons, self.tr.direction))

    def flow_outcome(self, outcome: Outcome | None) -> None:
        if outcome is None:
            self.stale()
            return
        if outcome.ended:
            self.set_position(flow=None)
            _ = self.tr.gettext
            done = Message(
                screens.exercise_done(self.tr),
                (
                    Button(_("Another exercise"), screens.EXERCISES),
                    Button(_("Menu"), screens.MENU),
                ),
                self.tr.direction,
            )
            self.show(*outcome.replies, done)
        else:
            self.set_position(flow=outcome.position)
            self.show(*outcome.replies)

    def stop_flow(self) -> None:
        if self.position.flow is None:
            self.show(self.note(screens.no_exercise(self.tr)), *self.home())
            return
        self.set_position(flow=None)
        self.show(self.note(screens.exercise_stopped(self.tr)), *self.home())

    def stale(self) -> None:
        self.replies.append(self.note(screens.stale_button(self.tr)))
        flow = self.position.flow
        outcome = self.runner().show(flow) if flow else None
        if outcome is not None:
            self.show(*outcome.replies)
        else:
            if flow is not None:
                self.set_position(flow=None)
            self.show(*self.home())

    def languages(self) -> None:
        options = tuple(
            (code, self.translations.display_name(code)) for code in self.translations.available()
        )
        self.show(screens.languages(self.tr, options))

    def decline(self) -> None:
        self.forget = True
        self.show(screens.declined(self.tr))

    # -- buttons -----------------------------------------------------------------------------

    def button(self, data: str) -> None:
        kind, _, rest = data.partition(":")
        if not self.consented and data not in PRE_CONSENT_BUTTONS and kind != "l":
            self.show(*self.home())
            return
        content = self.content
        simple = {
            screens.MENU: lambda: self.show(*self.home()),
            screens.BOOKLET: lambda: self.show(screens.topics(self.tr, content, self.position)),
            screens.EXERCISES: lambda: self.show(screens.exercises(self.tr, content)),
            screens.HELP_NOW: self.contacts,
            screens.LANGUAGE: self.languages,
            screens.PRIVACY: lambda: self.show(screens.privacy(self.tr, self.agreed_on())),
            screens.RESUME: self.resume,
            STOP_DATA: self.stop_flow,
            screens.AGREE: self.agree,
            screens.DECLINE: self.decline,
            screens.PERSON: lambda: self.person("asked"),
            screens.STILL_NEED_HELP: lambda: self.person("still_needs_help"),
            screens.SAFE: self.safe,
            screens.COUNTRY: self.countries,
            screens.END_HANDOFF: self.end_handoff,
        }
        if data in simple:
            simple[data]()
        elif data == screens.FORGET:
            if self.consented:
                self.show(screens.forget_confirm(self.tr), screen="forget")
            else:
                self.decline()
        elif data == screens.FORGET_YES and self.position.screen == "forget":
            self.forget = True
            self.effects.append(UserForgotten(self.state.user_id))
            self.show(screens.forgotten(self.tr))
        elif kind == "cc" and (rest in self.content.referrals.countries() or rest == "-"):
            self.set_country(None if rest == "-" else rest)
        elif data == screens.FORGET_NO:
            intro = self.tr.gettext("Nothing was deleted. What would you like to do?")
            self.show(screens.menu(self.tr, content, self.position, intro))
        elif kind == "t" and rest in content.topics:
            self.read(rest, 1)
        elif kind == "p" and self._valid_page(rest):
            topic, number = rest.split(":")
            self.read(topic, int(number))
        elif kind == "x" and rest in content.flows:
            self.flow_outcome(self.runner().start(rest))
        elif kind == CHOICE_PREFIX:
            self.choice(rest)
        elif kind == "l" and rest in self.translations.available():
            self.state = replace(self.state, locale=rest)
            self.tr = self.translations.get(rest)
            self.show(self.note(screens.language_set(self.tr)), *self.home())
        else:
            self.stale()

    def _valid_page(self, rest: str) -> bool:
        topic, _, number = rest.partition(":")
        return (
            topic in self.content.topics
            and number.isdigit()
            and 1 <= int(number) <= len(self.content.topics[topic].pages)
        )

    def read(self, topic: str, number: int) -> None:
        self.set_position(reading=(topic, number))
        self.show(screens.page(self.tr, self.content, topic, number))

    def choice(self, rest: str) -> None:
        flow_id, _, rest = rest.partition(":")
        step_id, _, choice_id = rest.partition(":")
        flow = self.position.flow
        if flow is None or (flow.flow, flow.step) != (flow_id, step_id):
            self.stale()
            return
        self.flow_outcome(self.runner().choose(flow, choice_id))

    def resume(self) -> None:
        if self.position.flow is not None:
            self.flow_outcome(self.runner().show(self.position.flow))
        elif self.position.reading and self._valid_page(":".join(map(str, self.position.reading))):
            self.read(*self.position.reading)
        else:
            self.show(*self.home())

    def agreed_on(self) -> str | None:
        if self.state.consent_at is None:
            return None
        return self.translations.format_date(self.state.consent_at.date(), self.state.locale)

    def end_handoff(self) -> None:
        if self.handoff is not None:
            self.effects.append(HandoffEnded(self.handoff))
        self.show(self.note(screens.handoff_over(self.tr)), *self.home())

    def safe(self) -> None:
        self.effects.append(SafetyReported(self.state.user_id))
        self.show(self.note(screens.glad_safe(self.tr)), *self.home())

    def agree(self) -> None:
        first = not self.consented
        if first:
            self.state = replace(self.state, consent_at=self.clock())
        if first and self.state.country is None and self.content.referrals.countries():
            self.countries(first_time=True)
            return
        intro = self.tr.gettext(
            "Thank you. You can use the buttons, or type /help to see the commands. "
            "What would you like to do?"
        )
        self.show(screens.menu(self.tr, self.content, self.position, intro))

"""Escalation from the core: who is told, when, and what a person sees; country for contacts."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import pytest

from bot.core.model import (
    Content,
    EventKind,
    Inbound,
    Referrals,
    Service,
    ServiceKind,
)
from tests.fakes import Chat, FakeDesk, FakeStore, make_conversation
from tests.unit.test_conversation import CALM

DAY = dt.date(2026, 11, 1)
GLOBAL = (
    Service("emergency", "Emergency number", ServiceKind.EMERGENCY, ("112",), verified=DAY),
    Service("line", "Global support line", ServiceKind.PSYCHOSOCIAL, ("555",), verified=DAY),
)
LEBANON = (
    Service("police", "Police", ServiceKind.EMERGENCY, ("112",), verified=DAY, country="LB"),
    Service("ambulance", "Ambulance", ServiceKind.EMERGENCY, ("140",), verified=DAY, country="LB"),
    Service("gbv", "Safe space", ServiceKind.GBV, ("777",), verified=DAY, country="LB"),
    Service("mh", "Listening line", ServiceKind.MENTAL_HEALTH, ("888",), verified=DAY,
            country="LB"),
    Service("legal", "Legal aid", ServiceKind.LEGAL, ("999",), verified=DAY, country="LB"),
)  # fmt: skip
CONTENT = Content(
    MappingProxyType({}),
    MappingProxyType({"calm": CALM}),
    Referrals(GLOBAL, MappingProxyType({"LB": LEBANON})),
)


@pytest.fixture
def desk() -> FakeDesk:
    return FakeDesk()


@pytest.fixture
def chat(desk: FakeDesk) -> Chat:
    return Chat(make_conversation(CONTENT, store=FakeStore(), desk=desk))


async def onboard(chat: Chat, country: str = "Lebanon") -> None:
    await chat.send("/start")
    await chat.press("Yes, let us start")
    assert "Which country are you in now?" in chat.text()
    await chat.press(country)


async def test_after_agreeing_the_person_chooses_a_country_or_skips(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Yes, let us start")
    assert chat.labels() == ["Lebanon", "Skip"]
    await chat.press("Skip")
    assert chat.labels()[0] == "Read the booklet"
    await chat.send("/sos")
    assert "Emergency number" in chat.text() and "Ambulance" not in chat.text()


async def test_the_country_picks_local_emergency_numbers_and_can_change(chat: Chat) -> None:
    await onboard(chat)
    await chat.send("/sos")
    assert "140" in chat.text() and "Change country" in chat.labels()
    assert "Emergency number" not in chat.text()  # the local numbers replace the global ones
    assert "Global support line" in chat.text()
    await chat.press("Change country")
    await chat.press("Another country / none")
    assert "140" not in chat.text() and "112" in chat.text()


async def test_urgent_opens_a_case_with_no_message_text(chat: Chat, desk: FakeDesk) -> None:
    await onboard(chat)
    turn = await chat.conversation.handle(
        Inbound("test", "42", EventKind.TEXT, text="I will kill myself tonight", message_id="m1")
    )
    (escalation,) = desk.escalations
    assert escalation.level == "urgent" and escalation.categories == ("suicide",)
    assert escalation.country == "LB" and escalation.language == "en"
    assert escalation.source_key == "test:42:m1" and escalation.check_back_after == 600
    assert "kill" not in repr(escalation)
    texts = "\n".join(r.text for r in turn.replies)
    assert "140" in texts


async def test_urgent_contacts_are_few_and_fit_the_risk(chat: Chat) -> None:
    await onboard(chat)
    await chat.send("I want to end my life")
    text = chat.text()
    assert "Police" in text and "Ambulance" in text and "Listening line" in text
    assert "Legal aid" not in text and "Safe space" not in text
    assert chat.labels()[0] == "Talk to a person"


async def test_concern_tells_staff_only_when_the_person_asks(chat: Chat, desk: FakeDesk):
    await onboard(chat)
    await chat.send("I feel hopeless")
    assert desk.escalations == []
    await chat.press("Talk to a person")
    (escalation,) = desk.escalations
    assert escalation.reason == "asked" and escalation.level == "concern"
    assert "told the programme's team" in chat.text()


async def test_the_later_check_and_both_answers(chat: Chat, desk: FakeDesk) -> None:
    await onboard(chat)
    await chat.send("I want to die")
    turn = await chat.conversation.safety_check("test", "42")
    assert turn is not None and "Are you safe now?" in turn.replies[-1].text
    chat.turns.append(turn)
    await chat.press("I'm safe")
    assert len(desk.safe) == 1 and "/sos" in chat.text()
    assert len(desk.escalations) == 1  # "I'm safe" closes nothing and tells no one new
    await chat.conversation.safety_check("test", "42")
    await chat.send("I still need help")  # typed, on a channel without buttons
    assert desk.escalations[-1].reason == "still_needs_help"
    assert "112" in chat.text()


async def test_no_check_for_someone_who_deleted_their_data(chat: Chat) -> None:
    await onboard(chat)
    await chat.send("/forget")
    await chat.press("Yes, delete everything")
    assert await chat.conversation.safety_check("test", "42") is None


async def test_a_failing_desk_still_gives_the_person_help(store=None) -> None:
    chat = Chat(make_conversation(CONTENT, store=FakeStore(), desk=FakeDesk(fail=True)))
    await onboard(chat)
    await chat.send("I want to kill myself")
    assert "112" in chat.text() and "Talk to a person" in chat.labels()


async def test_risk_before_consent_still_reaches_staff(desk: FakeDesk) -> None:
    chat = Chat(make_conversation(CONTENT, store=FakeStore(), desk=desk))
    await chat.send("i want to die")
    assert desk.escalations and desk.escalations[0].level == "urgent"


async def test_in_a_handoff_words_go_to_the_officer_and_commands_still_work(chat, desk) -> None:
    await onboard(chat)
    joined = await chat.conversation.staff_joined("test", "42")
    assert "Someone from the programme's team is here now" in joined.replies[-1].text
    desk.handoff = 7
    turn = await chat.send("thank you for answering")
    assert [type(e).__name__ for e in turn.effects] == ["RelayToStaff"]
    assert turn.effects[0].case == 7 and turn.effects[0].text == "thank you for answering"
    assert turn.replies == ()  # a person answers now, not Rafiq
    await chat.send("/sos")
    assert "112" in chat.text()  # commands still work during the conversation


async def test_a_risk_in_a_handoff_is_relayed_and_still_gets_help(chat, desk) -> None:
    await onboard(chat)
    desk.handoff = 7
    turn = await chat.send("I want to die")
    kinds = [type(e).__name__ for e in turn.effects]
    assert kinds == ["RelayToStaff", "RiskFlagged"] and "112" in chat.text()


async def test_officer_messages_come_from_a_counsellor_and_the_person_can_end(chat, desk):
    await onboard(chat)
    desk.handoff = 7
    turn = await chat.conversation.from_staff("test", "42", "I am here. Are you safe?")
    message = turn.replies[-1]
    assert message.text == "A counsellor: I am here. Are you safe?"
    chat.turns.append(turn)
    ended = await chat.press("End the conversation")
    assert [type(e).__name__ for e in ended.effects] == ["HandoffEnded"]
    assert "conversation with the team has ended" in chat.text()
    closed = await chat.conversation.case_closed("test", "42")
    assert "has ended" in closed.replies[0].text and closed.replies[-1].buttons


async def test_outside_staff_hours_the_person_is_told_honestly() -> None:
    from bot.config import StaffHours
    from bot.core.conversation import Conversation
    from bot.core.safety import LexiconScreen
    from bot.i18n import Catalogs
    from tests.fakes import TEST_LEXICON, FixedClock

    hours = StaffHours.parse("Mon-Fri 09:00-17:00 Europe/Istanbul")
    clock = FixedClock()
    clock.now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)  # a Saturday
    screen = LexiconScreen([TEST_LEXICON])
    convo = Conversation(lambda: CONTENT, FakeStore(), lambda: screen, Catalogs({}, "en"), clock,
                         desk=FakeDesk(), staff_hours=hours)  # fmt: skip
    chat = Chat(convo)
    await onboard(chat)
    await chat.send("I want to die")
    assert "The team answers Mon-Fri 09:00-17:00 Europe/Istanbul" in chat.text()
    assert "112" in chat.text()
    clock.now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # Friday, 13:00 in Istanbul
    await chat.press("Talk to a person")
    assert "The team answers" not in chat.text()

"""The conversation core with fakes: consent, commands from anywhere, risk first, bad input."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import pytest

from bot.core import screens
from bot.core.model import (
    Branch,
    Choice,
    Content,
    Flow,
    Pause,
    Referrals,
    RiskFlagged,
    Say,
    Service,
    ServiceKind,
    Step,
    Topic,
    UserForgotten,
)
from tests.fakes import BrokenScreen, Chat, FakeStore, make_conversation

CALM = Flow(
    "calm",
    "Calm",
    "A test flow.",
    2,
    (
        Step(
            "ask",
            say=(Say("How are you?"),),
            choices=(Choice("ok", "Fine"), Choice("low", "Low")),
            save="mood",
            next=(Branch("low_path", "mood", ("low",)), Branch("words")),
        ),
        Step("low_path", say=(Say("I hear you."),), show_help=True, next="words"),
        Step(
            "words",
            say=(Say("Write a word if you like."),),
            accepts_text=True,
            choices=(Choice("skip", "Skip"),),
        ),
        Step("breathe", say=(Say("Breathe in."), Pause(4), Say("Breathe out."), Pause(6))),
        Step("read", topic="rest", page=2),
        Step("bye", say=(Say("Thank you."),), end=True),
    ),
)
HOP = Flow(
    "hop", "Hop", "Starts another.", 1, (Step("go", say=(Say("Off we go."),), start_flow="calm"),)
)
REST = Topic("rest", "Rest", "About rest.", ("Page one.", "Page two.", "Page three."), ("calm",))
EMERGENCY = Service(
    "emergency", "Emergency number", ServiceKind.EMERGENCY, ("112",), verified=dt.date(2026, 11, 1)
)
EXAMPLE = Service("example", "Example line", ServiceKind.PSYCHOSOCIAL, ("999",), verified=None)
CONTENT = Content(
    MappingProxyType({"rest": REST}),
    MappingProxyType({"calm": CALM, "hop": HOP}),
    Referrals((EMERGENCY, EXAMPLE)),
)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def chat(store: FakeStore) -> Chat:
    return Chat(make_conversation(CONTENT, store=store))


@pytest.fixture
async def agreed(chat: Chat) -> Chat:
    await chat.send("/start")
    await chat.press("Yes, let us start")
    return chat


async def in_flow(chat: Chat) -> Chat:
    await chat.data("x:calm")
    return chat


# -- welcome and consent --


async def test_welcome_says_what_rafiq_is_and_is_not_and_what_it_keeps(chat: Chat) -> None:
    await chat.send("/start")
    text = chat.text()
    assert "not a doctor" in text and "not an emergency service" in text
    assert "/forget" in text and "do not keep what you write" in text
    assert chat.labels() == ["Yes, let us start", "Get help now", "Not now"]


async def test_nothing_is_stored_until_the_person_agrees(chat: Chat, store: FakeStore) -> None:
    await chat.send("/start")
    await chat.send("hello")
    assert store.rows == {}
    await chat.press("Yes, let us start")
    (state,) = store.rows.values()
    assert state.consent_at is not None and state.chat_id == "42"


async def test_not_now_keeps_nothing_and_says_how_to_come_back(chat: Chat, store: FakeStore):
    await chat.send("/start")
    await chat.press("Not now")
    assert "kept nothing" in chat.text() and "/start" in chat.text()
    assert store.rows == {}


async def test_help_is_reachable_before_agreeing(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Get help now")
    assert "112" in chat.text()


async def test_menu_buttons_before_consent_lead_back_to_the_welcome(chat: Chat) -> None:
    await chat.send("/start")
    await chat.data(screens.BOOKLET)
    assert "Do you agree" in chat.text()


async def test_typing_a_button_label_picks_it(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("  yes, LET us start ")
    assert chat.labels()[0] == "Read the booklet"


# -- commands from anywhere --


async def test_sos_mid_exercise_shows_contacts_and_returns_to_the_same_step(agreed: Chat) -> None:
    await in_flow(agreed)
    await agreed.send("/sos")
    assert "112" in agreed.text()
    assert agreed.labels() == ["Back to where I was", "Menu"]
    await agreed.press("Back to where I was")
    assert agreed.text() == "How are you?"
    assert agreed.labels() == ["Fine", "Low", "Stop the exercise"]


async def test_unverified_contacts_are_never_shown(agreed: Chat) -> None:
    await agreed.send("/sos")
    assert "Example line" not in agreed.text() and "999" not in agreed.text()


async def test_menu_mid_exercise_offers_to_continue(agreed: Chat) -> None:
    await in_flow(agreed)
    await agreed.send("/menu")
    assert agreed.labels()[0] == "Continue the exercise"
    await agreed.press("Continue the exercise")
    assert agreed.text() == "How are you?"


async def test_stop_leaves_the_exercise(agreed: Chat, store: FakeStore) -> None:
    await in_flow(agreed)
    await agreed.send("/stop")
    assert "stopped the exercise" in agreed.text()
    assert next(iter(store.rows.values())).position.flow is None
    await agreed.send("/stop")
    assert "not in an exercise" in agreed.text()


async def test_stop_button_leaves_the_exercise(agreed: Chat) -> None:
    await in_flow(agreed)
    await agreed.press("Stop the exercise")
    assert "stopped the exercise" in agreed.text()


async def test_commands_work_with_a_bot_name_and_in_capitals(agreed: Chat) -> None:
    await agreed.send("/SOS@RafiqBot")
    assert "112" in agreed.text()


async def test_help_lists_every_command(agreed: Chat) -> None:
    await agreed.send("/help")
    for command in ("/sos", "/menu", "/stop", "/language", "/privacy", "/forget", "/start"):
        assert command in agreed.text()


async def test_unknown_command_explains_and_lists_commands(agreed: Chat) -> None:
    await agreed.send("/dance")
    assert "do not know that command" in agreed.text() and "/sos" in agreed.text()


async def test_privacy_says_what_is_kept_and_offers_deletion(agreed: Chat) -> None:
    await agreed.send("/privacy")
    assert "does not keep what you write" in agreed.text()
    assert agreed.labels() == ["Delete my data", "Menu"]


async def test_forget_asks_first_then_deletes_everything(agreed: Chat, store: FakeStore):
    user_id = next(iter(store.rows.values())).user_id
    await agreed.send("/forget")
    assert agreed.labels() == ["Yes, delete everything", "No, keep it"]
    assert store.rows
    turn = await agreed.press("Yes, delete everything")
    assert store.rows == {}
    assert UserForgotten(user_id) in turn.effects
    assert "deleted" in agreed.text()


async def test_forget_can_be_cancelled(agreed: Chat, store: FakeStore) -> None:
    await agreed.send("/forget")
    await agreed.press("No, keep it")
    assert store.rows and "Nothing was deleted" in agreed.text()


async def test_a_forged_delete_button_deletes_nothing(agreed: Chat, store: FakeStore) -> None:
    await agreed.data(screens.FORGET_YES)
    assert store.rows
    assert "no longer active" in agreed.text()


async def test_language_lists_languages_by_their_own_name(agreed: Chat) -> None:
    await agreed.send("/language")
    assert agreed.labels() == ["English", "Menu"]
    await agreed.press("English")
    assert "Language changed" in agreed.text()


# -- risk first --


async def test_urgent_text_mid_flow_is_not_taken_as_an_answer(agreed: Chat, store: FakeStore):
    await in_flow(agreed)
    await agreed.press("Fine")
    before = next(iter(store.rows.values())).position.flow
    turn = await agreed.send("I want to end my life")
    assert next(iter(store.rows.values())).position.flow == before
    assert "you do not have to face this alone" in agreed.text()
    assert "112" in agreed.text()
    (flag,) = turn.effects
    assert isinstance(flag, RiskFlagged) and flag.level == "urgent"
    assert flag.categories == ("suicide",)
    await agreed.press("Back to where I was")
    assert agreed.text() == "Write a word if you like."


async def test_risk_in_a_command_or_label_is_still_screened(agreed: Chat) -> None:
    await agreed.send("/menu I want to kill myself")
    assert "112" in agreed.text()


async def test_risk_before_consent_gets_help_at_once(chat: Chat, store: FakeStore) -> None:
    turn = await chat.send("i want to KILL MYSELF")
    assert "112" in chat.text()
    assert turn.effects and store.rows == {}


async def test_concern_offers_calming_help_and_a_way_back(agreed: Chat) -> None:
    turn = await agreed.send("I feel so hopeless")
    assert "very heavy" in agreed.text() and "112" in agreed.text()
    # No not_ok flow in this content, and nothing to go back to.
    assert agreed.labels() == ["Talk to a person", "Menu"]
    assert isinstance(turn.effects[0], RiskFlagged) and turn.effects[0].level == "concern"


async def test_words_that_only_contain_risk_words_do_not_escalate(agreed: Chat) -> None:
    turn = await agreed.send("I want to learn a new skill")
    assert turn.effects == ()


async def test_a_failing_screen_still_shows_help(store: FakeStore) -> None:
    chat = Chat(make_conversation(CONTENT, store=store, screen=BrokenScreen()))
    turn = await chat.send("hello")
    assert "112" in chat.text()
    assert turn.effects[0].level == "concern"


async def test_a_bug_while_routing_answers_with_help_not_silence(agreed: Chat, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(screens, "topics", broken)
    await agreed.press("Read the booklet")
    assert "something went wrong" in agreed.text() and "112" in agreed.text()
    assert agreed.labels() == ["Menu"]


# -- flows --


async def test_a_choice_is_saved_and_branches(agreed: Chat) -> None:
    await in_flow(agreed)
    await agreed.press("Low")
    assert "I hear you." in agreed.text() and "112" in agreed.text()
    assert agreed.last().text == "Write a word if you like."


async def test_typed_text_is_not_kept_unless_the_flow_saves_it(agreed: Chat, store: FakeStore):
    await in_flow(agreed)
    await agreed.press("Fine")
    assert dict(store.history[-1].position.flow.variables) == {"mood": "ok"}
    await agreed.send("tired")
    assert agreed.last().text.startswith("The exercise is finished")
    assert not any("tired" in repr(state) for state in store.history)


async def test_pauses_come_between_messages(agreed: Chat) -> None:
    await in_flow(agreed)
    await agreed.press("Fine")
    await agreed.press("Skip")
    assert agreed.pauses() == [4.0, 6.0]
    texts = [m.text for m in agreed.messages()]
    assert texts[:2] == ["Breathe in.", "Breathe out."]
    assert texts[2].startswith("Rest (2/3)\n\nPage two.")
    assert texts[-1].startswith("The exercise is finished")
    assert agreed.labels() == ["Another exercise", "Menu"]


async def test_a_flow_can_start_another(agreed: Chat) -> None:
    await agreed.data("x:hop")
    assert [m.text for m in agreed.messages()] == ["Off we go.", "How are you?"]


async def test_a_stale_choice_gets_a_gentle_word_and_the_current_step(agreed: Chat, store):
    await in_flow(agreed)
    old = agreed.buttons()[0].data
    await agreed.press("Fine")
    before = next(iter(store.rows.values())).position
    await agreed.data(old)
    assert agreed.messages()[0].text.startswith("That button is no longer active")
    assert agreed.last().text == "Write a word if you like."
    assert next(iter(store.rows.values())).position.flow == before.flow


@pytest.mark.parametrize(
    "data",
    [
        "zz:nothing",
        "p:rest:99",
        "p:rest:x",
        "t:missing",
        "x:nope",
        "c:calm:ask",
        "l:xx",
        "",
        ":",
        "c:calm:ask:nope",
    ],
)
async def test_unknown_or_forged_buttons_change_nothing(agreed: Chat, store, data: str) -> None:
    await in_flow(agreed)
    before = next(iter(store.rows.values())).position.flow
    await agreed.data(data)
    assert "no longer active" in agreed.text()
    assert next(iter(store.rows.values())).position.flow == before


# -- bad input --


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\t", "😀😀😀", "\u202e\u2067\u200b", "7", "x" * 4000, "\x00\x07 hi"],
)
async def test_text_where_a_button_was_expected_asks_for_a_button(agreed, store, text) -> None:
    await in_flow(agreed)
    before = next(iter(store.rows.values())).position.flow
    await agreed.send(text)
    assert agreed.last().text in (
        "Please choose one of the buttons.",
        "I did not get any words. You can type a few, or use a button.",
    )
    assert agreed.labels() == ["Fine", "Low", "Stop the exercise"]
    assert next(iter(store.rows.values())).position.flow == before


async def test_empty_text_at_a_typing_step_does_not_move_on(agreed: Chat, store) -> None:
    await in_flow(agreed)
    await agreed.press("Fine")
    await agreed.send("  \u200b ")
    assert "did not get any words" in agreed.text()
    assert next(iter(store.rows.values())).position.flow.step == "words"


async def test_a_long_answer_is_accepted_and_only_a_little_kept(store: FakeStore) -> None:
    calm_saves = Flow(
        "calm",
        "Calm",
        "s",
        1,
        (
            Step("w", say=(Say("Word?"),), accepts_text=True, save="word"),
            Step("end", say=(Say("Done."),), accepts_text=True),
        ),
    )
    chat = Chat(
        make_conversation(
            Content(
                MappingProxyType({}),
                MappingProxyType({"calm": calm_saves}),
                Referrals((EMERGENCY,)),
            ),
            store=store,
        )
    )
    await chat.send("/start")
    await chat.press("Yes, let us start")
    await chat.data("x:calm")
    await chat.send("y" * 4000)
    assert chat.last().text == "Done."
    assert len(next(iter(store.rows.values())).position.flow.variables["word"]) <= 200


async def test_free_text_outside_a_flow_gets_the_menu(agreed: Chat) -> None:
    await agreed.send("what is this?")
    assert "Here is the menu" in agreed.text()
    assert "Read the booklet" in agreed.labels()


async def test_a_sticker_gets_a_kind_word_and_the_menu(agreed: Chat) -> None:
    await agreed.other()
    assert "only read text" in agreed.text() and "Get help now" in agreed.labels()


# -- booklet --


async def test_pages_have_next_back_and_the_last_offers_exercises(agreed: Chat) -> None:
    await agreed.press("Read the booklet")
    await agreed.press("Rest")
    assert agreed.labels() == ["Next page", "Topics", "Menu"]
    await agreed.press("Next page")
    assert agreed.text().startswith("Rest (2/3)")
    assert agreed.labels() == ["Next page", "Back", "Topics", "Menu"]
    await agreed.press("Next page")
    assert agreed.labels() == ["Back", "Try: Calm", "Topics", "Menu"]


async def test_the_reading_position_is_remembered(agreed: Chat) -> None:
    await agreed.press("Read the booklet")
    await agreed.press("Rest")
    await agreed.press("Next page")
    await agreed.send("/menu")
    await agreed.press("Read the booklet")
    assert agreed.labels()[0] == "Continue: Rest"
    await agreed.press("Continue: Rest")
    assert agreed.text().startswith("Rest (2/3)")


async def test_typing_the_start_of_a_button_picks_it(agreed: Chat) -> None:
    await agreed.press("Do an exercise")
    assert agreed.labels()[0] == "Calm (2 minutes)"
    await agreed.send("calm")
    assert agreed.text() == "How are you?"


async def test_typing_a_unique_part_of_a_button_picks_it(agreed: Chat) -> None:
    await agreed.send("the booklet")
    assert agreed.text().startswith("The self-help booklet")
    await agreed.send("/menu")
    await agreed.send("e")  # too short to mean anything
    assert "Here is the menu" in agreed.text()


async def test_at_a_typing_step_words_stay_an_answer_even_if_they_start_a_label(agreed, store):
    await in_flow(agreed)
    await agreed.press("Fine")
    await agreed.send("Stop")  # starts "Stop the exercise", but here it is what the person wrote
    assert agreed.last().text.startswith("The exercise is finished")
    assert "stopped the exercise" not in agreed.text()

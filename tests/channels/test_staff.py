"""The staff group: alerts with Take/Close, live handoff both ways, and who may act."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.telegram_app import TelegramChannel, TelegramSettings
from tests.channels.conftest import make_channel, polling
from tests.channels.fake_bot_api import (
    FakeBotApi,
    button_update,
    group_button,
    group_update,
    message_update,
)

ROOT = Path(__file__).resolve().parent.parent.parent
STAFF, OFFICER, STRANGER, PERSON = -100, 555, 999, 70


@pytest.fixture
async def channel(api: FakeBotApi, tmp_path: Path, loaded):
    telegram = TelegramSettings(token="1:T", base_url=api.base_url, staff_chat_id=STAFF,
                                staff_user_ids=frozenset({OFFICER}))  # fmt: skip
    async with polling(await make_channel(tmp_path, loaded, telegram)) as running:
        yield running


def to(api: FakeBotApi, chat_id: int) -> list[dict]:
    return api.sent(chat_id=chat_id)


async def push(api: FakeBotApi, channel: TelegramChannel, update: dict, wait_chat: int) -> dict:
    before = len(to(api, wait_chat))
    api.push(update)
    await api.wait_for(lambda: len(to(api, wait_chat)) > before)
    await channel.drain()
    return to(api, wait_chat)[-1]


async def start_case(api: FakeBotApi, channel: TelegramChannel) -> dict:
    """A person writes something urgent; the staff group gets the alert."""
    await push(api, channel, message_update(PERSON, "/start"), PERSON)
    await push(api, channel, button_update(PERSON, "ok:agree"), PERSON)
    await push(api, channel, button_update(PERSON, "cc:-"), PERSON)
    api.push(message_update(PERSON, "I want to kill myself"))
    await api.wait_for(lambda: any("case #1 NEW" in m["text"] for m in to(api, STAFF)))
    await channel.drain()
    return next(m for m in to(api, STAFF) if "case #1 NEW" in m["text"])


async def test_an_alert_has_take_and_close_and_no_words(api, channel) -> None:
    alert = await start_case(api, channel)
    assert "URGENT" in alert["text"] and "kill" not in alert["text"]
    buttons = [row[0]["callback_data"] for row in alert["reply_markup"]["inline_keyboard"]]
    assert buttons == ["st:take:1", "st:close:1"]


async def test_taking_a_case_opens_a_conversation_both_ways(api, channel) -> None:
    await start_case(api, channel)
    joined = await push(api, channel, group_button(OFFICER, "st:take:1"), PERSON)
    assert "Someone from the programme's team is here now" in joined["text"]
    assert any(m["text"] == "Case #1 is taken." for m in to(api, STAFF))

    relayed = await push(api, channel, message_update(PERSON, "thank you, I am scared"), STAFF)
    assert relayed["text"] == "Case #1: thank you, I am scared"

    answer = group_update(OFFICER, "I am here with you.", reply_to=relayed["message_id"])
    reply = await push(api, channel, answer, PERSON)
    assert reply["text"] == "A counsellor: I am here with you."
    assert "Officer" not in reply["text"]  # the officer's name is never shown

    reply = await push(api, channel, group_update(OFFICER, "/reply 1 Are you safe now?"), PERSON)
    assert reply["text"] == "A counsellor: Are you safe now?"

    listing = await push(api, channel, group_update(OFFICER, "/cases"), STAFF)
    assert "#1 URGENT" in listing["text"] and "taken" in listing["text"]

    ended = await push(api, channel, button_update(PERSON, "h:end"), STAFF)
    assert ended["text"] == "Case #1: the person ended the conversation."
    closed = await push(api, channel, group_update(OFFICER, "/close 1 safe with family"), STAFF)
    assert closed["text"] == "Case #1 closed: safe with family"
    listing = await push(api, channel, group_update(OFFICER, "/cases"), STAFF)
    assert listing["text"] == "No open cases."


async def test_someone_not_on_the_staff_list_gets_no_powers(api, channel) -> None:
    await start_case(api, channel)
    before = len(to(api, PERSON))
    api.push(group_button(STRANGER, "st:take:1"))
    await api.wait_for(lambda: any(
        "Only the programme's staff" in str(p.get("text")) for p in api.sent("answerCallbackQuery")
    ))  # fmt: skip
    api.push(group_update(STRANGER, "/cases"))
    api.push(group_update(STRANGER, "/reply 1 hello"))
    await push(api, channel, group_update(OFFICER, "/cases"), STAFF)  # a marker
    assert len(to(api, PERSON)) == before
    assert "NOT TAKEN" in to(api, STAFF)[-1]["text"]
    assert sum("Open cases" in m["text"] for m in to(api, STAFF)) == 1


async def test_staff_commands_in_a_private_chat_reveal_nothing(api, channel) -> None:
    await start_case(api, channel)
    reply = await push(api, channel, message_update(OFFICER, "/cases"), OFFICER)
    assert "#1" not in reply["text"]

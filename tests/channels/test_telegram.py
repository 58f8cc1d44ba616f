"""Rafiq on Telegram, end to end through python-telegram-bot's real HTTP stack and a fake Bot API
on 127.0.0.1: polling, parsing, keyboards, callbacks, commands, errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.telegram_app import TelegramChannel, TelegramSettings
from bot.channels.telegram_render import split_text
from tests.channels.conftest import make_channel, polling
from tests.channels.fake_bot_api import FakeBotApi, button_update, message_update

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "123:TEST"


@pytest.fixture
async def channel(api: FakeBotApi, tmp_path: Path, loaded):
    telegram = TelegramSettings(token=TOKEN, base_url=api.base_url)
    async with polling(await make_channel(tmp_path, loaded, telegram)) as running:
        yield running


def texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [p["text"] for p in api.sent(chat_id=chat_id)]


def labels(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [row[0]["text"] for row in markup.get("inline_keyboard", [])]


async def say(api: FakeBotApi, channel: TelegramChannel, update: dict, chat_id: int) -> dict:
    """Send one update and return the last message Rafiq sent to that chat for it."""
    before = len(api.sent(chat_id=chat_id))
    api.push(update)
    await api.wait_for(lambda: len(api.sent(chat_id=chat_id)) > before)
    await channel.drain()
    return api.sent(chat_id=chat_id)[-1]


async def test_a_whole_journey_with_buttons(api: FakeBotApi, channel: TelegramChannel) -> None:
    welcome = await say(api, channel, message_update(42, "/start"), 42)
    assert "I am a computer program" in welcome["text"]
    assert labels(welcome)[0] == "Yes, let us start"
    data = [row[0]["callback_data"] for row in welcome["reply_markup"]["inline_keyboard"]]
    assert all(len(d.encode()) <= 64 for d in data)

    country = await say(api, channel, button_update(42, "ok:agree"), 42)
    assert api.sent("answerCallbackQuery"), "every button press is answered"
    assert "Which country are you in now?" in country["text"]
    menu = await say(api, channel, button_update(42, "cc:LB"), 42)
    assert labels(menu)[0] == "Read the booklet"

    page = await say(api, channel, button_update(42, "t:sleep"), 42)
    assert page["text"].startswith("Sleep when life is hard (1/")
    assert "Next page" in labels(page)


async def test_a_risk_mid_exercise_gets_help_at_once(api: FakeBotApi, channel) -> None:
    await say(api, channel, message_update(43, "/start"), 43)
    await say(api, channel, button_update(43, "ok:agree"), 43)
    await say(api, channel, button_update(43, "cc:-"), 43)
    await say(api, channel, button_update(43, "x:breathing"), 43)
    help_message = await say(api, channel, message_update(43, "I want to kill myself"), 43)
    assert "112" in help_message["text"]
    assert labels(help_message)[:2] == ["Talk to a person", "Back to where I was"]


async def test_commands_are_offered_in_every_language(api: FakeBotApi, channel) -> None:
    menus = api.sent("setMyCommands")
    languages = {p.get("language_code") for p in menus}
    assert languages == {None, "ar", "fa", "fr", "es", "uk"}
    arabic = next(p for p in menus if p.get("language_code") == "ar")
    commands = [c["command"] for c in arabic["commands"]]
    assert "sos" in commands and all(c["description"] for c in arabic["commands"])


async def test_the_first_language_comes_from_telegram(api: FakeBotApi, channel) -> None:
    welcome = await say(api, channel, message_update(44, "/start", language="uk"), 44)
    assert "Rafiq" in welcome["text"] and "I am a computer program" not in welcome["text"]


async def test_stickers_captions_and_edits(api: FakeBotApi, channel: TelegramChannel) -> None:
    sticker = {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    }
    await say(api, channel, message_update(45, None, **sticker), 45)
    assert "only read text" in texts(api, 45)[-2]  # then the welcome: nothing is agreed yet
    photo = {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
             "caption": "I want to die"}  # fmt: skip
    reply = await say(api, channel, message_update(45, None, **photo), 45)
    assert "112" in reply["text"], "a caption is screened like a text"
    edited = message_update(45, "i want to end my life")
    edited["edited_message"] = edited.pop("message")
    reply = await say(api, channel, edited, 45)
    assert "112" in reply["text"], "an edited message is screened too"


async def test_a_forged_button_changes_nothing(api: FakeBotApi, channel) -> None:
    await say(api, channel, message_update(46, "/start"), 46)
    reply = await say(api, channel, button_update(46, "c:breathing:intro:start"), 46)
    assert "Do you agree" in reply["text"]  # before consent, a flow button leads nowhere
    await say(api, channel, button_update(46, "ok:agree"), 46)
    reply = await say(api, channel, button_update(46, "zz:" + "x" * 60), 46)
    assert (
        "no longer active" in api.sent(chat_id=46)[-2]["text"]
        or "no longer active" in (reply["text"])
    )


async def test_the_same_update_twice_is_handled_once(api: FakeBotApi, channel) -> None:
    update = message_update(47, "/start")
    await say(api, channel, update, 47)
    count = len(api.sent(chat_id=47))
    api.push(dict(update))  # a replay
    await say(api, channel, message_update(47, "/help"), 47)
    assert len(api.sent(chat_id=47)) == count + 1


async def test_a_blocked_user_is_marked_inactive_without_retries(api, channel) -> None:
    blocked = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"}
    await say(api, channel, message_update(48, "/start"), 48)
    await say(api, channel, button_update(48, "ok:agree"), 48)  # agreed: a row to mark
    api.failures["sendMessage"] = [(403, blocked)]
    api.push(message_update(48, "/help"))
    await api.wait_for(lambda: "48" in channel.inactive)
    await channel.drain()
    assert await channel.app.store.is_inactive("telegram", "48")
    attempts = [p for m, p in api.calls if m == "sendMessage" and int(p["chat_id"]) == 48]
    assert len(attempts) == 3  # the welcome, the country question, and the one refused
    reply = await say(api, channel, message_update(49, "/start"), 49)  # others unaffected
    assert "Rafiq" in reply["text"]


async def test_too_many_requests_waits_and_sends(api: FakeBotApi, channel) -> None:
    slow = {"ok": False, "error_code": 429, "description": "Too Many Requests",
            "parameters": {"retry_after": 1}}  # fmt: skip
    api.failures["sendMessage"] = [(429, slow)]
    reply = await say(api, channel, message_update(50, "/start"), 50)
    assert "Rafiq" in reply["text"]
    assert len([p for m, p in api.calls if m == "sendMessage" and p["chat_id"] in (50, "50")]) == 2


async def test_a_staff_alert_goes_to_the_log_without_words(api, channel, tmp_path) -> None:
    await say(api, channel, message_update(51, "I will kill myself tonight"), 51)
    log = tmp_path / "staff.log"
    await api.wait_for(lambda: log.exists() and "case #1" in log.read_text("utf-8"))
    assert "tonight" not in log.read_text("utf-8")


def test_long_texts_split_at_paragraphs() -> None:
    text = ("word " * 150 + "\n\n") * 8
    pieces = split_text(text)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    assert all(not p.startswith(" ") for p in pieces)
    assert "".join(p.replace("\n", "").replace(" ", "") for p in pieces) == text.replace(
        "\n", ""
    ).replace(" ", "")


def test_webhook_mode_needs_a_secret() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "RAFIQ_MODE": "webhook",
        "RAFIQ_WEBHOOK_URL": "https://example.org/hook",
    }
    settings = TelegramSettings.from_env(env)
    assert any("RAFIQ_WEBHOOK_SECRET" in p for p in settings.problems())


async def test_the_webhook_refuses_updates_without_the_secret(api: FakeBotApi, loaded, tmp_path):
    import json
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    channel = await make_channel(tmp_path, loaded, TelegramSettings(TOKEN, base_url=api.base_url))
    application = channel.application
    url = f"http://127.0.0.1:{port}/hook"

    def post(headers: dict) -> int:
        body = json.dumps(message_update(60, "/start")).encode()
        request = urllib.request.Request(
            url, body, {"Content-Type": "application/json", **headers}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    async with application:
        await channel._post_init(application)
        await application.start()
        await application.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", secret_token="s3cret",
            webhook_url="https://example.org/hook",
        )  # fmt: skip
        try:
            assert await asyncio.to_thread(post, {}) == 403
            assert await asyncio.to_thread(post, {"X-Telegram-Bot-Api-Secret-Token": "no"}) == 403
            assert api.sent(chat_id=60) == []
            ok = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            assert await asyncio.to_thread(post, ok) == 200
            await api.wait_for(lambda: len(api.sent(chat_id=60)) > 0)
            await channel.drain()
        finally:
            await application.updater.stop()
            await application.stop()
    await channel._post_shutdown(application)
    assert "I am a computer program" in api.sent(chat_id=60)[-1]["text"]
    assert api.sent("setWebhook")[0]["secret_token"] == "s3cret"

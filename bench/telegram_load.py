"""Rafiq on Telegram under load, beside a plain python-telegram-bot echo bot on one fake server.

N simulated users (default 1,000) each do a short journey through the real python-telegram-bot
stack (HTTP, parsing, keyboards) against a fake Bot API on 127.0.0.1: start, consent, country,
the menu, a booklet page, an exercise step, and for one in twenty a risk message. Users think for a
moment between steps, as people do, and start at a steady pace so the offered load is about
`--rate` updates a second. Prints updates/s, p50/p99 from update to the first reply, peak RSS, and
the same for the echo bot, with the ratio. Run from the repository root:

    .venv/bin/python bench/telegram_load.py [--users 1000] [--rate 200]

Aims (issue 4): at least half the echo bot's throughput; p99 under 50 ms at 200 updates/s. The
fake server is a Python thread in the same process, so it shares the two cores with the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler  # noqa: E402

from bot.bootstrap import App, load_all  # noqa: E402
from bot.channels.telegram_app import TelegramChannel, TelegramSettings  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.safety import LexiconScreen  # noqa: E402
from bot.storage import SqliteStore  # noqa: E402
from tests.channels.fake_bot_api import FakeBotApi, button_update, message_update  # noqa: E402

TOKEN = "1:LOAD"
THINK = 1.2  # seconds between one user's steps


def journey(i: int) -> list[Callable[[], dict]]:
    """One user's steps, made when sent: Telegram numbers updates in the order they arrive."""
    chat = 100_000 + i
    steps: list[Callable[[], dict]] = [
        lambda: message_update(chat, "/start"),
        lambda: button_update(chat, "ok:agree"),
        lambda: button_update(chat, "cc:-"),
        lambda: button_update(chat, "m:book"),
        lambda: button_update(chat, "t:sleep"),
        lambda: button_update(chat, "x:grounding"),
    ]
    if i % 20 == 0:
        steps.append(lambda: message_update(chat, "I don't want to live anymore"))
    return steps


async def drive(api: FakeBotApi, users: int, rate: float) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    steps_per_user = 6.3
    user_rate = rate * THINK / steps_per_user / THINK  # users started a second

    async def user(i: int) -> None:
        await asyncio.sleep(i / user_rate)
        chat = 100_000 + i
        for make in journey(i):
            seen = len(api.by_chat.get(chat, ()))
            sent_at = time.perf_counter()
            api.push(make())
            while len(api.by_chat.get(chat, ())) <= seen:
                await asyncio.sleep(0.002)
            latencies.append(api.by_chat[chat][seen] - sent_at)
            await asyncio.sleep(THINK)

    started = time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(users)))
    elapsed = time.perf_counter() - started
    return latencies, elapsed, len(latencies)


async def run_rafiq(users: int, rate: float) -> dict[str, float]:
    api = FakeBotApi().start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(content_dir=ROOT, db=f"{tmp}/load.sqlite3",
                            staff_alerts=f"{tmp}/staff.log")  # fmt: skip
        content, catalogs, problems = load_all(settings)
        assert content is not None, problems
        store = await SqliteStore.open(settings.db)
        app = App(settings, content, catalogs, store, LexiconScreen(content.lexicons))
        channel = TelegramChannel(settings, TelegramSettings(TOKEN, base_url=api.base_url), app)
        application = channel.application
        async with application:
            await channel._post_init(application)
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=0)
            figures = await drive(api, users, rate)
            await application.updater.stop()
            await application.stop()
        await channel._post_shutdown(application)
    api.stop()
    return summarise(*figures)


async def run_echo(users: int, rate: float) -> dict[str, float]:
    api = FakeBotApi().start()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
            await context.bot.send_message(update.effective_chat.id, update.callback_query.data)
        elif update.effective_message is not None:
            await context.bot.send_message(update.effective_chat.id,
                                           update.effective_message.text or "ok")  # fmt: skip

    application = (
        ApplicationBuilder().token(TOKEN).base_url(api.base_url).concurrent_updates(True).build()
    )
    application.add_handler(TypeHandler(Update, echo))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=0)
        figures = await drive(api, users, rate)
        await application.updater.stop()
        await application.stop()
    api.stop()
    return summarise(*figures)


def summarise(latencies: list[float], elapsed: float, count: int) -> dict[str, float]:
    latencies.sort()
    return {
        "updates_s": count / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "updates": count,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="offered updates a second")
    args = parser.parse_args()
    rafiq = asyncio.run(run_rafiq(args.users, args.rate))
    echo = asyncio.run(run_echo(args.users, args.rate))
    print(f"{args.users} users, about {args.rate:.0f} updates/s offered")
    print(
        f"{'bot':<8}{'updates':>9}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'peak RSS MB':>13}"
    )
    for name, f in (("rafiq", rafiq), ("echo", echo)):
        print(f"{name:<8}{f['updates']:>9.0f}{f['updates_s']:>11.1f}{f['p50_ms']:>9.1f}"
              f"{f['p99_ms']:>9.1f}{f['rss_mb']:>13.0f}")  # fmt: skip
    print(f"throughput ratio rafiq/echo: {rafiq['updates_s'] / echo['updates_s']:.2f} "
          "(the RSS column is the process's peak so far: echo runs second)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

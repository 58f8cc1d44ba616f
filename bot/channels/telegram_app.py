"""The Telegram channel: python-telegram-bot around the core, in polling or webhook mode.

Handlers stay short: an update becomes a core event, the core decides, and the replies are
delivered in order per chat. A new turn supersedes what is left of the previous one's paced
sequence, so "/sos" in the middle of a breathing exercise is answered at once rather than after
the last pause. Message text is never logged; errors are logged by type and update id.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.bootstrap import App, build
from bot.channels.rate_limit import SendLimiter
from bot.channels.telegram_render import keyboard, split_text
from bot.config import Settings
from bot.core import screens
from bot.core.model import (
    EventKind,
    HandoffEnded,
    Inbound,
    Message,
    Pause,
    RelayToStaff,
    Reply,
    RiskFlagged,
)
from bot.outbox import OutboxWorker, StaffAlert, StaffLog
from bot.storage import SqliteStore

CHANNEL = "telegram"
log = logging.getLogger(__name__)
# python-telegram-bot 22 is moving time periods from int seconds to timedelta; opt in now, so
# RetryAfter.retry_after is a timedelta and reading it raises no deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
# Updates remembered to drop a second delivery of the same one (a webhook retry, a replay).
SEEN_UPDATES = 10_000
# A typing indicator lasts about five seconds; renew it a little sooner during long pauses.
TYPING_EVERY = 4.5
SEND_ATTEMPTS = 4


TAKE, CLOSE = "st:take", "st:close"


class TelegramStaffChannel:
    """Staff alerts as messages in the staff group, with Take case / Close case buttons."""

    def __init__(
        self, application: Application, chat_id: int, store: SqliteStore, limiter: SendLimiter
    ) -> None:
        self._application = application
        self._chat_id = chat_id
        self._store = store
        self._limiter = limiter

    async def alert(self, alert: StaffAlert) -> None:
        # Raising lets the outbox retry later; nothing is lost if the group is unreachable.
        buttons = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Take case", callback_data=f"{TAKE}:{alert.case}")],
                [InlineKeyboardButton("Close case", callback_data=f"{CLOSE}:{alert.case}")],
            ]
        )
        await self._limiter.acquire(self._chat_id, urgent=True, group=True)
        sent = await self._application.bot.send_message(
            chat_id=self._chat_id, text=alert.line(), reply_markup=buttons
        )
        await self.remember(sent.message_id, alert.case)

    async def remember(self, message_id: int, case_id: int) -> None:
        """A reply to this staff-group message reaches the person of this case."""
        case = await self._store.case(case_id)
        if case is not None:
            await self._store.note_case_message(str(message_id), case_id, case.user_id)


def _staff_file(path: str) -> TextIO:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.open("a", encoding="utf-8")


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    base_url: str = DEFAULT_BASE_URL
    mode: str = "polling"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    staff_chat_id: int | None = None
    staff_user_ids: frozenset[int] = frozenset()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TelegramSettings:
        env = os.environ if env is None else env
        staff = env.get("RAFIQ_STAFF_CHAT_ID")
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN", ""),
            base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_BASE_URL,
            mode=(env.get("RAFIQ_MODE") or "polling").lower(),
            webhook_url=env.get("RAFIQ_WEBHOOK_URL"),
            webhook_listen=env.get("RAFIQ_WEBHOOK_LISTEN") or "0.0.0.0",
            webhook_port=int(env.get("RAFIQ_WEBHOOK_PORT") or 8443),
            webhook_secret=env.get("RAFIQ_WEBHOOK_SECRET"),
            staff_chat_id=int(staff) if staff else None,
            staff_user_ids=frozenset(
                int(part) for part in (env.get("RAFIQ_STAFF_USER_IDS") or "").split(",")
                if part.strip()
            ),
        )  # fmt: skip

    def problems(self) -> list[str]:
        found = []
        if self.mode not in ("polling", "webhook"):
            found.append(f"RAFIQ_MODE is '{self.mode}'; use polling or webhook")
        if self.mode == "webhook" and not self.webhook_url:
            found.append("webhook mode needs RAFIQ_WEBHOOK_URL (the public https address)")
        if self.mode == "webhook" and not self.webhook_secret:
            found.append("webhook mode needs RAFIQ_WEBHOOK_SECRET, so forged updates are refused")
        return found


class TelegramChannel:
    """Owns the python-telegram-bot Application and delivers the core's replies."""

    def __init__(
        self,
        settings: Settings,
        telegram: TelegramSettings,
        app: App | None = None,
        limiter: SendLimiter | None = None,
    ):
        self._settings = settings
        self._telegram = telegram
        self.app = app
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._deliveries: dict[str, asyncio.Task[None]] = {}
        # Chats that blocked the bot, as seen in this process; the store keeps it across restarts.
        self.inactive: set[str] = set()
        self.limiter = limiter or SendLimiter()
        self._stopping = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._staff_file: TextIO | None = None
        self._staff: TelegramStaffChannel | None = None
        builder = (
            ApplicationBuilder()
            .token(telegram.token)
            .base_url(telegram.base_url)
            .concurrent_updates(True)
            .post_init(self._post_init)
            .post_shutdown(self._post_shutdown)
        )
        self.application: Application = builder.build()
        self.application.add_handler(TypeHandler(Update, self.on_update))
        self.application.add_error_handler(self.on_error)

    # -- lifecycle -------------------------------------------------------------------------------

    async def _post_init(self, application: Application) -> None:
        if self.app is None:
            self.app = await build(self._settings)
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.app.reload)
        await self.set_commands()
        if isinstance(self.app.store, SqliteStore):
            if self._telegram.staff_chat_id is not None:
                staff = TelegramStaffChannel(
                    self.application, self._telegram.staff_chat_id, self.app.store, self.limiter
                )
                self._staff = staff
            else:
                # No staff group configured: alerts go to the staff log file instead.
                self._staff_file = _staff_file(self._settings.staff_alerts)
                staff = StaffLog(self._staff_file)
            worker = OutboxWorker(self.app.store, staff, self.check_back)
            self._worker = asyncio.create_task(worker.run(self._stopping))

    async def _mark(self, chat_id: str, inactive: bool) -> None:
        store = self.app.store if self.app is not None else None
        if isinstance(store, SqliteStore):
            await store.set_inactive(CHANNEL, chat_id, inactive)

    async def check_back(self, channel: str, chat_id: str) -> bool:
        """The later "Are you safe now?" to a Telegram chat, unless it blocked the bot."""
        if channel != CHANNEL:
            return False
        assert self.app is not None
        store = self.app.store
        if isinstance(store, SqliteStore) and await store.is_inactive(channel, chat_id):
            return True  # done: they blocked the bot, and asking again would only fail
        turn = await self.app.conversation.safety_check(channel, chat_id)
        if turn is not None:
            await self.deliver(chat_id, turn.replies)
        return True

    async def _post_shutdown(self, application: Application) -> None:
        self._stopping.set()
        if self._worker is not None:
            await self._worker
        if self._staff_file is not None:
            self._staff_file.close()
        for task in list(self._deliveries.values()):
            task.cancel()
        if self.app is not None:
            await self.app.close()

    async def set_commands(self) -> None:
        """The command menu in every offered language (and English for everyone else)."""
        assert self.app is not None
        catalogs = self.app.catalogs
        for code in catalogs.available():
            commands = [
                BotCommand(name, description[:256])
                for name, description in screens.command_descriptions(catalogs.get(code))
            ]
            language = None if code == catalogs.default else code
            try:
                await self.application.bot.set_my_commands(commands, language_code=language)
            except TelegramError as exc:
                log.warning("could not set the %s command menu: %s", code, type(exc).__name__)

    # -- inbound ---------------------------------------------------------------------------------

    def event_for(self, update: Update) -> Inbound | None:
        """The core event for an update, or None for what Rafiq does not handle here."""
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return None
        user = update.effective_user
        base = {
            "channel": CHANNEL,
            "chat_id": str(chat.id),
            "language_hint": user.language_code if user else None,
            "message_id": str(update.update_id),
        }
        if update.callback_query is not None:
            return Inbound(kind=EventKind.BUTTON, data=update.callback_query.data or "", **base)
        message = update.message or update.edited_message
        if message is None:
            return None
        text = message.text if message.text is not None else message.caption
        if text is not None:
            return Inbound(kind=EventKind.TEXT, text=text, **base)
        return Inbound(kind=EventKind.OTHER, **base)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.update_id in self._seen:
            return  # delivered twice; it was handled the first time
        self._seen[update.update_id] = None
        while len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        chat = update.effective_chat
        if chat is not None and chat.id == self._telegram.staff_chat_id:
            await self.on_staff_update(update)
            return
        event = self.event_for(update)
        if event is None:
            return
        if update.callback_query is not None:
            # Telegram shows a spinner on the button until the query is answered.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        assert self.app is not None
        turn = await self.app.conversation.handle(event)
        if event.chat_id in self.inactive:
            self.inactive.discard(event.chat_id)
            await self._mark(event.chat_id, inactive=False)
        # Help contacts go out before ordinary messages when Telegram's budget is tight.
        urgent = any(isinstance(e, RiskFlagged) for e in turn.effects) or (
            event.text.strip().casefold().startswith("/sos") or event.data == screens.HELP_NOW
        )
        self.deliver(event.chat_id, turn.replies, urgent=urgent)
        for effect in turn.effects:
            if isinstance(effect, RelayToStaff):
                await self._to_staff(f"Case #{effect.case}: {effect.text}", effect.case)
            elif isinstance(effect, HandoffEnded):
                await self._to_staff(f"Case #{effect.case}: the person ended the conversation.")

    # -- the staff group ---------------------------------------------------------------------

    async def _to_staff(self, text: str, case: int | None = None) -> None:
        if self._telegram.staff_chat_id is None:
            return
        try:
            await self.limiter.acquire(self._telegram.staff_chat_id, urgent=True, group=True)
            sent = await self.application.bot.send_message(
                chat_id=self._telegram.staff_chat_id, text=text
            )
        except TelegramError as exc:
            log.warning("could not post to the staff group: %s", type(exc).__name__)
            return
        if case is not None and self._staff is not None:
            await self._staff.remember(sent.message_id, case)

    async def on_staff_update(self, update: Update) -> None:
        """Staff act on cases from the staff group, and only allowlisted staff can."""
        user = update.effective_user
        allowed = user is not None and user.id in self._telegram.staff_user_ids
        query = update.callback_query
        if query is not None:
            if not allowed:
                with contextlib.suppress(TelegramError):
                    await query.answer("Only the programme's staff can do this.", show_alert=True)
                return
            action, _, number = (query.data or "").rpartition(":")
            if not number.isdigit() or action not in (TAKE, CLOSE):
                with contextlib.suppress(TelegramError):
                    await query.answer("That button is no longer active.")
                return
            with contextlib.suppress(TelegramError):
                await query.answer()
            if action == TAKE:
                await self._take(int(number), str(user.id))
            else:
                await self._close(int(number), "closed")
            return
        message = update.message
        if not allowed or message is None or not message.text:
            return  # anyone else in the group gets no staff powers and no data
        text = message.text.strip()
        command, _, rest = text.partition(" ")
        command = command.split("@")[0].casefold()
        if command == "/cases":
            await self._list_cases()
        elif command in ("/reply", "/close"):
            number, _, body = rest.strip().partition(" ")
            if not number.lstrip("#").isdigit() or (command == "/reply" and not body.strip()):
                await self._to_staff(f"Write {command} <case number> <text>.")
            elif command == "/reply":
                await self._reply(int(number.lstrip("#")), body.strip(), str(user.id))
            else:
                await self._close(int(number.lstrip("#")), body.strip() or "closed")
        elif message.reply_to_message is not None:
            assert self.app is not None and isinstance(self.app.store, SqliteStore)
            replied = str(message.reply_to_message.message_id)
            case = await self.app.store.case_of_message(replied)
            if case is not None:
                await self._reply(case, text, str(user.id))

    async def _take(self, number: int, staff_id: str) -> bool:
        assert self.app is not None and isinstance(self.app.store, SqliteStore)
        store = self.app.store
        if not await store.take(number, staff_id, dt.datetime.now(dt.UTC)):
            case = await store.case(number)
            if case is None or case.status != "open":
                await self._to_staff(f"Case #{number} is closed or does not exist.")
            return case is not None and case.status == "open" and case.taken_by == staff_id
        await self._to_staff(f"Case #{number} is taken.", number)
        case = await store.case(number)
        if case is not None and case.channel == CHANNEL and case.chat_id:
            turn = await self.app.conversation.staff_joined(case.channel, case.chat_id)
            if turn is not None:
                self.deliver(case.chat_id, turn.replies)
        return True

    async def _reply(self, number: int, text: str, staff_id: str) -> None:
        assert self.app is not None and isinstance(self.app.store, SqliteStore)
        case = await self.app.store.case(number)
        if case is None or case.status != "open":
            await self._to_staff(f"Case #{number} is closed or does not exist.")
            return
        if case.taken_by is None and not await self._take(number, staff_id):
            return
        if case.channel == CHANNEL and case.chat_id:
            turn = await self.app.conversation.from_staff(case.channel, case.chat_id, text)
            if turn is not None:
                self.deliver(case.chat_id, turn.replies)

    async def _close(self, number: int, outcome: str) -> None:
        assert self.app is not None and isinstance(self.app.store, SqliteStore)
        store = self.app.store
        case = await store.case(number)
        if case is None or not await store.close_case(number, outcome, dt.datetime.now(dt.UTC)):
            await self._to_staff(f"Case #{number} is closed or does not exist.")
            return
        await self._to_staff(f"Case #{number} closed: {outcome}")
        if case.channel == CHANNEL and case.chat_id and case.taken_by is not None:
            turn = await self.app.conversation.case_closed(case.channel, case.chat_id)
            if turn is not None:
                self.deliver(case.chat_id, turn.replies)

    async def _list_cases(self) -> None:
        assert self.app is not None and isinstance(self.app.store, SqliteStore)
        cases = await self.app.store.open_cases()
        if not cases:
            await self._to_staff("No open cases.")
            return
        lines = [
            f"#{c.case_id} {c.level.upper()} {c.categories or '-'} · {c.language or '?'} · "
            f"{c.country or '-'} · opened {c.opened_at[:16].replace('T', ' ')} · "
            f"{'taken' if c.taken_by else 'NOT TAKEN'}"
            for c in cases
        ]
        await self._to_staff("Open cases (urgent first, then oldest):\n" + "\n".join(lines))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, type(context.error).__name__)

    # -- outbound --------------------------------------------------------------------------------

    def deliver(
        self, chat_id: str, replies: Sequence[Reply], urgent: bool = False
    ) -> asyncio.Task[None]:
        """Send replies in order; a newer turn for the same chat cancels what is left of this."""
        previous = self._deliveries.get(chat_id)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.create_task(self._send_all(chat_id, tuple(replies), urgent))
        self._deliveries[chat_id] = task
        return task

    async def drain(self) -> None:
        """Wait for every delivery under way (tests, and a clean shutdown)."""
        tasks = [t for t in self._deliveries.values() if not t.done()]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _send_all(self, chat_id: str, replies: tuple[Reply, ...], urgent: bool) -> None:
        try:
            for reply in replies:
                if isinstance(reply, Pause):
                    await self._pause(chat_id, reply.seconds)
                else:
                    await self._send_message(chat_id, reply, urgent)
        except Forbidden:
            # The person blocked Rafiq: stop, without a retry loop, and remember it.
            self.inactive.add(chat_id)
            await self._mark(chat_id, inactive=True)
            log.info("a chat blocked the bot; its deliveries stop")
        except TelegramError as exc:
            log.warning("delivery failed: %s", type(exc).__name__)
        except asyncio.CancelledError:
            raise  # a newer turn took over
        except Exception as exc:
            log.error("delivery broke: %s", type(exc).__name__)

    async def _send_message(self, chat_id: str, message: Message, urgent: bool) -> None:
        pieces = split_text(message.text)
        for i, piece in enumerate(pieces):
            markup = keyboard(message.buttons) if i == len(pieces) - 1 else None
            await self.limiter.acquire(int(chat_id), urgent=urgent)
            await self._with_retries(
                lambda piece=piece, markup=markup: self.application.bot.send_message(
                    chat_id=int(chat_id), text=piece, reply_markup=markup
                )
            )

    async def _pause(self, chat_id: str, seconds: float) -> None:
        left = seconds
        while left > 0:
            with contextlib.suppress(TelegramError):
                await self.application.bot.send_chat_action(int(chat_id), ChatAction.TYPING)
            step = min(TYPING_EVERY, left)
            await asyncio.sleep(step)
            left -= step

    async def _with_retries(self, call) -> None:
        for attempt in range(SEND_ATTEMPTS):
            try:
                await call()
                return
            except RetryAfter as exc:
                delay = exc.retry_after
                wait = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
                await asyncio.sleep(wait)
            except BadRequest:
                raise  # the request itself is wrong: sending it again changes nothing
            except (TimedOut, NetworkError):
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)
        raise TimedOut("gave up after retries")

    # -- running ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM (python-telegram-bot stops cleanly on both)."""
        if self._telegram.mode == "webhook":
            self.application.run_webhook(
                listen=self._telegram.webhook_listen,
                port=self._telegram.webhook_port,
                webhook_url=self._telegram.webhook_url,
                secret_token=self._telegram.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            self.application.run_polling(allowed_updates=Update.ALL_TYPES)

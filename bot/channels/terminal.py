"""The terminal chat: Rafiq in a terminal, for trying content, demos and scripted journeys.

Buttons show as numbered options; typing a number or a button's text picks it. With piped input
each line is one message and the end of input ends the chat, so a whole journey can be scripted and
checked. The typed lines are echoed with `> ` when input is not a terminal, so the output reads as
a transcript.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TextIO

from bot.bootstrap import App
from bot.core.model import Button, EventKind, Inbound, Message, Pause, Reply

CHANNEL = "terminal"

# Unicode isolates keep right-to-left text and the numbers around it in order in a terminal.
RLI, PDI = "\u2067", "\u2069"


class TerminalChat:
    def __init__(
        self,
        app: App,
        stdin: TextIO,
        stdout: TextIO,
        *,
        pauses: bool = True,
        chat_id: str = "local",
        interactive: bool = False,
    ) -> None:
        self._app = app
        self._in = stdin
        self._out = stdout
        self._pauses = pauses
        self._chat_id = chat_id
        self._interactive = interactive
        self._buttons: tuple[Button, ...] = ()
        # Each typed line is one message; its number lets the core act on it only once.
        self._session = f"{id(self):x}"
        self._count = 0

    def _event_for(self, line: str) -> Inbound:
        self._count += 1
        message_id = f"{self._session}-{self._count}"
        choice = line.strip()
        if choice.isdigit() and 1 <= int(choice) <= len(self._buttons):
            data = self._buttons[int(choice) - 1].data
            return Inbound(CHANNEL, self._chat_id, EventKind.BUTTON, data=data,
                           message_id=message_id)  # fmt: skip
        return Inbound(CHANNEL, self._chat_id, EventKind.TEXT, text=line, message_id=message_id)

    async def send(self, event: Inbound) -> None:
        turn = await self._app.conversation.handle(event)
        await self.render(turn.replies)

    async def check_back(self, channel: str, chat_id: str) -> bool:
        """Deliver the later "Are you safe now?" if it is for this chat."""
        if (channel, chat_id) != (CHANNEL, self._chat_id):
            return False
        turn = await self._app.conversation.safety_check(channel, chat_id)
        if turn is not None:
            await self.render(turn.replies)
        return True

    async def render(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            if isinstance(reply, Pause):
                if self._pauses:
                    self._out.flush()
                    await asyncio.sleep(reply.seconds)
                else:
                    self._write(f"   (pause {reply.seconds:g} s)")
                continue
            self._show(reply)
        self._out.flush()

    def _show(self, message: Message) -> None:
        text = message.text
        if message.direction == "rtl":
            text = "\n".join(f"{RLI}{line}{PDI}" for line in text.split("\n"))
        lines = text.split("\n")
        self._write("Rafiq: " + lines[0])
        for line in lines[1:]:
            self._write("       " + line if line else "")
        if message.buttons:
            self._buttons = message.buttons
            for i, button in enumerate(message.buttons, 1):
                self._write(f"   [{i}] {button.label}")
        self._write("")

    def _write(self, line: str) -> None:
        self._out.write(line + "\n")

    async def run(self, opening: Sequence[Inbound] = ()) -> None:
        """Show the opening events' replies, then chat until the input ends."""
        for event in opening:
            await self.send(event)
        loop = asyncio.get_running_loop()
        while True:
            if self._interactive:
                self._out.write("> ")
                self._out.flush()
            line = await loop.run_in_executor(None, self._in.readline)
            if not line:
                break
            line = line.rstrip("\n")
            if not self._interactive:
                self._write(f"> {line}")
            await self.send(self._event_for(line))

    def start_event(self) -> Inbound:
        return Inbound(CHANNEL, self._chat_id, EventKind.TEXT, text="/start")

    def button_event(self, data: str) -> Inbound:
        return Inbound(CHANNEL, self._chat_id, EventKind.BUTTON, data=data)

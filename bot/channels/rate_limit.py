"""Telegram's send limits, shared by every delivery: crisis messages take the next free slot first.

Telegram allows about 30 messages a second overall, about one a second to one chat (short bursts
are fine), and 20 a minute to a group. Each delivery asks `acquire` before every message; a
delivery that carries help contacts asks as urgent, and ordinary messages leave it the next free
slot of the overall budget.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

PER_SECOND = 30
CHAT_BURST = 3.0
CHAT_RATE = 1.0  # messages a second to one chat, sustained
GROUP_PER_MINUTE = 20


class SendLimiter:
    def __init__(
        self,
        per_second: int = PER_SECOND,
        chat_burst: float = CHAT_BURST,
        chat_rate: float = CHAT_RATE,
        group_per_minute: int = GROUP_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._per_second = per_second
        self._burst = chat_burst
        self._rate = chat_rate
        self._group_per_minute = group_per_minute
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._chats: dict[int, tuple[float, float]] = {}  # chat -> (tokens, when counted)
        self._groups: dict[int, deque[float]] = {}
        self._urgent_waiting = 0

    async def acquire(self, chat_id: int, urgent: bool = False, group: bool = False) -> None:
        """Wait until a message to `chat_id` may go out, then count it."""
        if urgent:
            self._urgent_waiting += 1
        try:
            while True:
                now = self._clock()
                wait = self._wait(chat_id, group, now)
                # Ordinary messages keep one slot of the overall budget per urgent one waiting.
                reserved = 0 if urgent else self._urgent_waiting
                if wait <= 0 and len(self._sent) + reserved < self._per_second:
                    self._count(chat_id, group, now)
                    return
                await self._sleep(max(wait, 0.01))
        finally:
            if urgent:
                self._urgent_waiting -= 1

    def _tokens(self, chat_id: int, now: float) -> float:
        tokens, then = self._chats.get(chat_id, (self._burst, now))
        return min(self._burst, tokens + (now - then) * self._rate)

    def _wait(self, chat_id: int, group: bool, now: float) -> float:
        while self._sent and self._sent[0] <= now - 1.0:
            self._sent.popleft()
        waits = [0.0]
        if len(self._sent) >= self._per_second:
            waits.append(self._sent[0] + 1.0 - now)
        tokens = self._tokens(chat_id, now)
        if tokens < 1:
            waits.append((1 - tokens) / self._rate)
        if group:
            recent = self._groups.setdefault(chat_id, deque())
            while recent and recent[0] <= now - 60.0:
                recent.popleft()
            if len(recent) >= self._group_per_minute:
                waits.append(recent[0] + 60.0 - now)
        return max(waits)

    def _count(self, chat_id: int, group: bool, now: float) -> None:
        self._sent.append(now)
        self._chats[chat_id] = (self._tokens(chat_id, now) - 1, now)
        if group:
            self._groups.setdefault(chat_id, deque()).append(now)

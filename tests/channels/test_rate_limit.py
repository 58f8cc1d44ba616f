"""Telegram's send limits, on a virtual clock: overall, per chat, per group, crisis first."""

from __future__ import annotations

import asyncio

from bot.channels.rate_limit import SendLimiter


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def limiter(time: VirtualTime) -> SendLimiter:
    return SendLimiter(clock=time.clock, sleep=time.sleep)


async def test_thirty_a_second_overall() -> None:
    time = VirtualTime()
    limits = limiter(time)
    sent_at = []
    for chat in range(35):
        await limits.acquire(chat)
        sent_at.append(time.now)
    assert sent_at[29] == 0.0 and sent_at[30] >= 1.0


async def test_one_chat_gets_a_short_burst_then_one_a_second() -> None:
    time = VirtualTime()
    limits = limiter(time)
    sent_at = []
    for _ in range(5):
        await limits.acquire(7)
        sent_at.append(round(time.now, 1))
    assert sent_at[:3] == [0.0, 0.0, 0.0]
    assert 0.9 <= sent_at[3] <= 1.1 and 1.9 <= sent_at[4] <= 2.1


async def test_twenty_a_minute_to_a_group() -> None:
    time = VirtualTime()
    limits = SendLimiter(chat_burst=100, clock=time.clock, sleep=time.sleep)
    for _ in range(20):
        await limits.acquire(-100, group=True)
    assert time.now < 60
    await limits.acquire(-100, group=True)
    assert time.now >= 60


async def test_a_crisis_message_takes_the_next_free_slot_before_waiting_ordinary_ones() -> None:
    now = [0.0]

    async def spin(_: float) -> None:
        await asyncio.sleep(0)  # time moves only when the test moves it

    limits = SendLimiter(clock=lambda: now[0], sleep=spin)
    for chat in range(30):  # the overall budget is spent, one send every 10 ms
        now[0] = chat / 100
        await limits.acquire(chat)
    order: list[str] = []

    async def send(name: str, chat: int, urgent: bool) -> None:
        await limits.acquire(chat, urgent=urgent)
        order.append(name)

    now[0] = 0.5
    tasks = [asyncio.create_task(send(f"ordinary{i}", 100 + i, False)) for i in range(2)]
    for _ in range(5):
        await asyncio.sleep(0)  # the ordinary ones are waiting first
    tasks.append(asyncio.create_task(send("crisis", 200, True)))
    for _ in range(5):
        await asyncio.sleep(0)
    now[0] = 1.001  # one slot frees
    for _ in range(10):
        await asyncio.sleep(0)
    assert order == ["crisis"]
    now[0] = 1.03  # the next slots free
    await asyncio.gather(*tasks)
    assert order[0] == "crisis" and len(order) == 3

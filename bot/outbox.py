"""Delivering the outbox: staff alerts and the later "Are you safe now?" check, with retries.

Escalations are written to the outbox in the same transaction as their case (`bot.storage`); this
worker delivers them until each one has gone through, backing off between failed attempts. Anything
not yet delivered when the process stops is delivered after the restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import IO, Protocol

from bot.storage import CHECK_BACK, REALERT, STAFF_ALERT, OutboxItem, SqliteStore

log = logging.getLogger(__name__)

BASE_DELAY = 2.0
MAX_DELAY = 600.0


@dataclass(frozen=True)
class StaffAlert:
    """What staff are told about a case: never the person's words."""

    case: int
    event: str  # "new" or "update"
    reason: str  # "risk", "asked", "still_needs_help"
    level: str
    categories: tuple[str, ...]
    language: str
    country: str | None
    at: str

    @classmethod
    def from_payload(cls, payload: dict) -> StaffAlert:
        return cls(
            int(payload["case"]),
            str(payload["event"]),
            str(payload["reason"]),
            str(payload["level"]),
            tuple(payload.get("categories") or ()),
            str(payload.get("language") or ""),
            payload.get("country"),
            str(payload["at"]),
        )

    def line(self) -> str:
        reasons = {
            "risk": "risk in a message",
            "asked": "asked to talk to a person",
            "still_needs_help": "says they still need help",
        }
        categories = ", ".join(self.categories) or "no category"
        why = reasons.get(self.reason, self.reason)
        return (
            f"[{self.at}] case #{self.case} {self.event.upper()} {self.level.upper()} "
            f"({categories}): {why}; language {self.language or '?'}; "
            f"country {self.country or 'not given'}"
        )


class StaffChannel(Protocol):
    async def alert(self, alert: StaffAlert) -> None: ...


class StaffLog:
    """Staff alerts as lines in a file or stream: the terminal chat's staff channel."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    async def alert(self, alert: StaffAlert) -> None:
        self._stream.write(alert.line() + "\n")
        self._stream.flush()


# Delivers the check to one person; False when this process does not serve their channel.
CheckBack = Callable[[str, str], Awaitable[bool]]


class OutboxWorker:
    def __init__(
        self,
        store: SqliteStore,
        staff: StaffChannel,
        check_back: CheckBack,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        poll: float = 1.0,
    ) -> None:
        self._store = store
        self._staff = staff
        self._check_back = check_back
        self._clock = clock
        self._poll = poll
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the outbox now (something was just queued)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Deliver what is due; returns how many items went through."""
        delivered = 0
        for item in await self._store.due_outbox(self._clock()):
            try:
                done = await self._deliver(item)
            except Exception as exc:
                delay = min(BASE_DELAY * 2**item.attempts, MAX_DELAY)
                log.warning(
                    "outbox item %d (%s) failed (%s); retry in %.0f s",
                    item.id, item.kind, type(exc).__name__, delay,
                )  # fmt: skip
                due = self._clock() + dt.timedelta(seconds=delay)
                await self._store.mark_retry(item.id, type(exc).__name__, due)
                continue
            if done:
                await self._store.mark_delivered(item.id, self._clock())
                delivered += 1
        return delivered

    async def _deliver(self, item: OutboxItem) -> bool:
        if item.kind == STAFF_ALERT:
            await self._staff.alert(StaffAlert.from_payload(item.payload))
            return True
        if item.kind == CHECK_BACK:
            return await self._check_back(item.payload["channel"], item.payload["chat_id"])
        if item.kind == REALERT:
            case = await self._store.case(item.case_id or 0)
            if case is not None and case.status == "open" and case.taken_by is None:
                await self._staff.alert(
                    StaffAlert(
                        case.case_id, "not taken yet", "risk", case.level,
                        tuple(c for c in case.categories.split(",") if c),
                        case.language or "", case.country, self._clock().isoformat(),
                    )
                )  # fmt: skip
                await self._store.requeue_realert(item, self._clock())
            return True
        log.error("outbox item %d has an unknown kind %r", item.id, item.kind)
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then make one last pass."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as exc:
                log.error("outbox pass failed: %s", type(exc).__name__)
            self._wake.clear()
            waits = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
            _, pending = await asyncio.wait(
                waits, timeout=self._poll, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
        await self.run_once()

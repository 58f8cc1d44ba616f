"""All of Rafiq's storage: one SQLite file through aiosqlite, with a versioned schema.

Per person it keeps only what `UserState` holds: a random id, the channel's chat id, locale,
country, consent time, position and last-seen time. There is no column for message text, and
nothing here logs what people write. `forget` deletes every row that belongs to a person.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import aiosqlite

from bot.core.model import Button, FlowPosition, Position, UserState
from bot.core.ports import Escalation

log = logging.getLogger(__name__)

Migration = Callable[[aiosqlite.Connection], Awaitable[None]]


async def _v1(db: aiosqlite.Connection) -> None:
    await db.execute(
        """
        CREATE TABLE users (
            user_id    TEXT PRIMARY KEY,
            channel    TEXT NOT NULL,
            chat_id    TEXT NOT NULL,
            locale     TEXT NOT NULL,
            country    TEXT,
            consent_at TEXT,
            position   TEXT NOT NULL DEFAULT '{}',
            last_seen  TEXT,
            UNIQUE (channel, chat_id)
        )
        """
    )


async def _v2(db: aiosqlite.Connection) -> None:
    # Cases and the outbox that tells staff about them. The outbox row is written in the same
    # transaction as the case, so a crash can delay an alert but never lose it.
    await db.executescript(
        """
        CREATE TABLE cases (
            case_id    INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id    TEXT NOT NULL,
            level      TEXT NOT NULL,
            categories TEXT NOT NULL,
            language   TEXT,
            country    TEXT,
            status     TEXT NOT NULL DEFAULT 'open',
            opened_at  TEXT NOT NULL,
            safe_at    TEXT
        );
        CREATE INDEX cases_user ON cases (user_id, status);
        CREATE TABLE outbox (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            kind         TEXT NOT NULL,
            case_id      INTEGER,
            user_id      TEXT,
            payload      TEXT NOT NULL,
            due_at       TEXT NOT NULL,
            attempts     INTEGER NOT NULL DEFAULT 0,
            last_error   TEXT,
            delivered_at TEXT
        );
        CREATE INDEX outbox_due ON outbox (delivered_at, due_at);
        CREATE TABLE escalation_keys (
            source_key TEXT PRIMARY KEY,
            case_id    INTEGER NOT NULL,
            user_id    TEXT NOT NULL
        );
        """
    )


async def _v3(db: aiosqlite.Connection) -> None:
    # Live handoff: how to reach the person of a case, who took it, how it ended, and which
    # staff-group messages belong to which case (so a reply to an alert reaches the right person).
    await db.executescript(
        """
        ALTER TABLE cases ADD COLUMN channel TEXT;
        ALTER TABLE cases ADD COLUMN chat_id TEXT;
        ALTER TABLE cases ADD COLUMN taken_by TEXT;
        ALTER TABLE cases ADD COLUMN taken_at TEXT;
        ALTER TABLE cases ADD COLUMN closed_at TEXT;
        ALTER TABLE cases ADD COLUMN outcome TEXT;
        CREATE TABLE case_messages (
            message_id TEXT PRIMARY KEY,
            case_id    INTEGER NOT NULL,
            user_id    TEXT NOT NULL
        );
        """
    )


async def _v4(db: aiosqlite.Connection) -> None:
    # A person who blocked the bot: nothing more is sent to them until they write again.
    await db.execute("ALTER TABLE users ADD COLUMN inactive_at TEXT")


# Append only: each entry moves the schema one version up, and `PRAGMA user_version` records where
# a
# file stands, so an old file is brought up to date at start-up without losing anyone's place.
MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3, _v4)
# Tables holding rows about a person, with the column naming them; `forget` clears each.
PERSONAL_TABLES: tuple[tuple[str, str], ...] = (
    ("users", "user_id"),
    ("cases", "user_id"),
    ("outbox", "user_id"),
    ("escalation_keys", "user_id"),
    ("case_messages", "user_id"),
)
LEVEL_RANK = {"concern": 1, "urgent": 2}
STAFF_ALERT = "staff_alert"
CHECK_BACK = "check_back"
REALERT = "realert"
# How often an untaken urgent case is raised again before the outbox stops repeating it.
MAX_REALERTS = 6


CASE_COLUMNS = (
    "case_id, user_id, level, categories, language, country, status, opened_at, channel, "
    "chat_id, taken_by, outcome"
)


@dataclass(frozen=True)
class CaseRecord:
    """A case as staff see it: no message text, the person by case number only."""

    case_id: int
    user_id: str
    level: str
    categories: str
    language: str | None
    country: str | None
    status: str
    opened_at: str
    channel: str | None
    chat_id: str | None
    taken_by: str | None
    outcome: str | None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    case_id: int | None
    payload: dict[str, Any]
    attempts: int


def _position_to_json(position: Position) -> str:
    out: dict[str, Any] = {}
    if position.flow:
        out["flow"] = {
            "flow": position.flow.flow,
            "step": position.flow.step,
            "vars": dict(position.flow.variables),
        }
    if position.reading:
        out["reading"] = list(position.reading)
    if position.screen:
        out["screen"] = position.screen
    if position.expect:
        out["expect"] = [[b.label, b.data] for b in position.expect]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _position_from_json(raw: str) -> Position:
    try:
        data = json.loads(raw or "{}")
        if not isinstance(data, dict):
            raise TypeError("position is not an object")
        flow = data.get("flow")
        reading = data.get("reading")
        return Position(
            flow=FlowPosition(flow["flow"], flow["step"], MappingProxyType(dict(flow["vars"])))
            if flow
            else None,
            reading=(str(reading[0]), int(reading[1])) if reading else None,
            screen=str(data.get("screen", "")),
            expect=tuple(Button(str(label), str(d)) for label, d in data.get("expect", [])),
        )
    except (ValueError, KeyError, TypeError, IndexError):
        # A damaged position must not lock a person out: they start again from the menu.
        log.warning("a stored position could not be read; starting that user from the menu")
        return Position()


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class SqliteStore:
    """The `UserStore` port on SQLite: `await SqliteStore.open(path)`, and close when done."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        # One connection is shared by every coroutine: a transaction spanning several awaits
        # must not have another coroutine's statements committed in its middle.
        self._writing = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> SqliteStore:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(str(path))
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA busy_timeout=5000")
            # Deleted rows are overwritten, not just unlinked: /forget must leave no copy behind.
            await db.execute("PRAGMA secure_delete=ON")
            store = cls(db)
            await store.migrate()
        except BaseException:
            # The connection's worker thread would otherwise keep the process alive.
            await db.close()
            raise
        return store

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> None:
        current = await self.schema_version()
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"the database is at schema version {current}, newer than this Rafiq "
                f"({len(MIGRATIONS)}); upgrade Rafiq or use another RAFIQ_DB"
            )
        for version in range(current + 1, len(MIGRATIONS) + 1):
            await MIGRATIONS[version - 1](self._db)
            await self._db.execute(f"PRAGMA user_version = {version}")
            await self._db.commit()
            log.info("database schema moved to version %d", version)

    async def load(self, channel: str, chat_id: str) -> UserState | None:
        async with self._db.execute(
            "SELECT user_id, locale, country, consent_at, position, last_seen "
            "FROM users WHERE channel = ? AND chat_id = ?",
            (channel, chat_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        user_id, locale, country, consent_at, position, last_seen = row
        return UserState(
            user_id=user_id,
            channel=channel,
            chat_id=chat_id,
            locale=locale,
            country=country,
            consent_at=_parse_time(consent_at),
            position=_position_from_json(position),
            last_seen=_parse_time(last_seen),
        )

    async def save(self, state: UserState) -> None:
        async with self._writing:
            await self._save(state)

    async def _save(self, state: UserState) -> None:
        await self._db.execute(
            """
            INSERT INTO users (user_id, channel, chat_id, locale, country, consent_at, position,
                               last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                locale = excluded.locale, country = excluded.country,
                consent_at = excluded.consent_at, position = excluded.position,
                last_seen = excluded.last_seen
            """,
            (
                state.user_id,
                state.channel,
                state.chat_id,
                state.locale,
                state.country,
                _time(state.consent_at),
                _position_to_json(state.position),
                _time(state.last_seen),
            ),
        )
        await self._db.commit()

    async def forget(self, user_id: str) -> None:
        async with self._writing:
            for table, column in PERSONAL_TABLES:
                await self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
            await self._db.commit()
            # The write-ahead log still holds the old pages until a checkpoint; fold it in now.
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- cases and the outbox (the `CaseDesk` port) -----------------------------------------

    async def escalate(self, escalation: Escalation, now: dt.datetime | None = None) -> int:
        """Open (or update) the person's case and queue the staff alert, in one transaction.

        A message processed twice (the same `source_key`) changes nothing the second time.
        """
        now = now or dt.datetime.now(dt.UTC)
        e = escalation
        async with self._writing:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                case_id = await self._escalate(e, now)
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()
        return case_id

    async def _escalate(self, e: Escalation, now: dt.datetime) -> int:
        if e.source_key:
            async with self._db.execute(
                "SELECT case_id FROM escalation_keys WHERE source_key = ?", (e.source_key,)
            ) as cur:
                row = await cur.fetchone()
            if row:
                return int(row[0])
        async with self._db.execute(
            "SELECT case_id, level, categories FROM cases WHERE user_id = ? AND status = 'open' "
            "ORDER BY case_id DESC LIMIT 1",
            (e.user_id,),
        ) as cur:
            open_case = await cur.fetchone()
        if open_case is None:
            cur = await self._db.execute(
                "INSERT INTO cases (user_id, level, categories, language, country, opened_at, "
                "channel, chat_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (e.user_id, e.level, ",".join(e.categories), e.language, e.country, _time(now),
                 e.channel, e.chat_id),
            )  # fmt: skip
            case_id, event, level = int(cur.lastrowid or 0), "new", e.level
            categories = e.categories
        else:
            case_id = int(open_case[0])
            level = max(open_case[1], e.level, key=lambda lv: LEVEL_RANK.get(lv, 0))
            known = tuple(c for c in str(open_case[2]).split(",") if c)
            categories = tuple(dict.fromkeys((*known, *e.categories)))
            await self._db.execute(
                "UPDATE cases SET level = ?, categories = ? WHERE case_id = ?",
                (level, ",".join(categories), case_id),
            )
            event = "update"
        alert = {
            "case": case_id,
            "event": event,
            "reason": e.reason,
            "level": level,
            "categories": list(categories),
            "language": e.language,
            "country": e.country,
            "at": _time(now),
        }
        await self._enqueue(STAFF_ALERT, case_id, e.user_id, alert, now)
        if event == "new" and level == "urgent" and e.realert_after is not None:
            again = now + dt.timedelta(seconds=e.realert_after)
            await self._enqueue(
                REALERT, case_id, e.user_id, {"every": e.realert_after, "count": 1}, again
            )
        if e.check_back_after is not None and not await self._pending(CHECK_BACK, e.user_id):
            due = now + dt.timedelta(seconds=e.check_back_after)
            target = {"channel": e.channel, "chat_id": e.chat_id}
            await self._enqueue(CHECK_BACK, case_id, e.user_id, target, due)
        if e.source_key:
            await self._db.execute(
                "INSERT INTO escalation_keys (source_key, case_id, user_id) VALUES (?, ?, ?)",
                (e.source_key, case_id, e.user_id),
            )
        return case_id

    async def _enqueue(
        self, kind: str, case_id: int, user_id: str, payload: dict[str, Any], due: dt.datetime
    ) -> None:
        await self._db.execute(
            "INSERT INTO outbox (kind, case_id, user_id, payload, due_at) VALUES (?, ?, ?, ?, ?)",
            (kind, case_id, user_id, json.dumps(payload), _time(due)),
        )

    async def _pending(self, kind: str, user_id: str) -> bool:
        async with self._db.execute(
            "SELECT 1 FROM outbox WHERE kind = ? AND user_id = ? AND delivered_at IS NULL",
            (kind, user_id),
        ) as cur:
            return await cur.fetchone() is not None

    async def requeue_realert(self, item: OutboxItem, now: dt.datetime) -> None:
        """Schedule the next reminder for an untaken case, up to MAX_REALERTS in all."""
        count = int(item.payload.get("count", 1))
        if count >= MAX_REALERTS or item.case_id is None:
            return
        case = await self.case(item.case_id)
        if case is None:
            return
        every = float(item.payload["every"])
        async with self._writing:
            await self._enqueue(
                REALERT, item.case_id, case.user_id, {"every": every, "count": count + 1},
                now + dt.timedelta(seconds=every),
            )  # fmt: skip
            await self._db.commit()

    async def report_safe(self, user_id: str, now: dt.datetime | None = None) -> None:
        """Note "I'm safe" on the open case. Only staff close a case."""
        async with self._writing:
            await self._db.execute(
                "UPDATE cases SET safe_at = ? WHERE user_id = ? AND status = 'open'",
                (_time(now or dt.datetime.now(dt.UTC)), user_id),
            )
            await self._db.commit()

    async def open_case_level(self, user_id: str) -> str | None:
        async with self._db.execute(
            "SELECT level FROM cases WHERE user_id = ? AND status = 'open' "
            "ORDER BY case_id DESC LIMIT 1",
            (user_id,),
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def due_outbox(self, now: dt.datetime, limit: int = 50) -> list[OutboxItem]:
        """Undelivered items that are due, staff alerts first."""
        async with self._db.execute(
            "SELECT id, kind, case_id, payload, attempts FROM outbox "
            "WHERE delivered_at IS NULL AND due_at <= ? "
            "ORDER BY kind != ?, due_at, id LIMIT ?",
            (_time(now), STAFF_ALERT, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [OutboxItem(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    async def next_due(self) -> dt.datetime | None:
        async with self._db.execute(
            "SELECT MIN(due_at) FROM outbox WHERE delivered_at IS NULL"
        ) as cur:
            row = await cur.fetchone()
        return _parse_time(row[0]) if row and row[0] else None

    async def mark_delivered(self, item_id: int, now: dt.datetime) -> None:
        async with self._writing:
            await self._db.execute(
                "UPDATE outbox SET delivered_at = ? WHERE id = ?", (_time(now), item_id)
            )
            await self._db.commit()

    async def mark_retry(self, item_id: int, error: str, due: dt.datetime) -> None:
        async with self._writing:
            await self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, due_at = ? "
                "WHERE id = ?",
                (error, _time(due), item_id),
            )
            await self._db.commit()

    async def cases(self) -> list[dict[str, Any]]:
        async with self._db.execute(
            "SELECT case_id, user_id, level, categories, status, safe_at FROM cases "
            "ORDER BY case_id"
        ) as cur:
            rows = await cur.fetchall()
        keys = ("case", "user_id", "level", "categories", "status", "safe_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    async def set_inactive(self, channel: str, chat_id: str, inactive: bool) -> None:
        """Mark a chat that blocked the bot (or, when it writes again, that it is back)."""
        when = _time(dt.datetime.now(dt.UTC)) if inactive else None
        async with self._writing:
            await self._db.execute(
                "UPDATE users SET inactive_at = ? WHERE channel = ? AND chat_id = ?",
                (when, channel, chat_id),
            )
            await self._db.commit()

    async def is_inactive(self, channel: str, chat_id: str) -> bool:
        async with self._db.execute(
            "SELECT inactive_at FROM users WHERE channel = ? AND chat_id = ?", (channel, chat_id)
        ) as cur:
            row = await cur.fetchone()
        return bool(row and row[0])

    # -- live handoff ------------------------------------------------------------------------

    async def case(self, case_id: int) -> CaseRecord | None:
        async with self._db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE case_id = ?", (case_id,)
        ) as cur:
            row = await cur.fetchone()
        return CaseRecord(*row) if row else None

    async def open_cases(self) -> list[CaseRecord]:
        """Open cases, urgent first, then oldest first."""
        async with self._db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE status = 'open' "
            "ORDER BY level != 'urgent', opened_at, case_id"
        ) as cur:
            return [CaseRecord(*row) for row in await cur.fetchall()]

    async def take(self, case_id: int, staff_id: str, now: dt.datetime) -> bool:
        """Assign an open case to an officer; False if it is closed or someone has it."""
        async with self._writing:
            cur = await self._db.execute(
                "UPDATE cases SET taken_by = ?, taken_at = ? "
                "WHERE case_id = ? AND status = 'open' AND taken_by IS NULL",
                (staff_id, _time(now), case_id),
            )
            await self._db.commit()
        return cur.rowcount == 1

    async def close_case(self, case_id: int, outcome: str, now: dt.datetime) -> bool:
        async with self._writing:
            cur = await self._db.execute(
                "UPDATE cases SET status = 'closed', closed_at = ?, outcome = ? "
                "WHERE case_id = ? AND status = 'open'",
                (_time(now), outcome[:200], case_id),
            )
            await self._db.commit()
        return cur.rowcount == 1

    async def handoff_case(self, user_id: str) -> int | None:
        """The person's case an officer has taken and not closed: their words go to staff."""
        async with self._db.execute(
            "SELECT case_id FROM cases WHERE user_id = ? AND status = 'open' "
            "AND taken_by IS NOT NULL ORDER BY case_id DESC LIMIT 1",
            (user_id,),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else None

    async def note_case_message(self, message_id: str, case_id: int, user_id: str) -> None:
        async with self._writing:
            await self._db.execute(
                "INSERT OR REPLACE INTO case_messages (message_id, case_id, user_id) "
                "VALUES (?, ?, ?)",
                (message_id, case_id, user_id),
            )
            await self._db.commit()

    async def case_of_message(self, message_id: str) -> int | None:
        async with self._db.execute(
            "SELECT case_id FROM case_messages WHERE message_id = ?", (message_id,)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else None

    async def count_rows_mentioning(self, *values: str) -> int:
        """How many rows in any table hold one of `values` in any column (for checking /forget)."""
        total = 0
        async with self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            tables = [r[0] for r in await cur.fetchall()]
        for table in tables:
            async with self._db.execute(f"PRAGMA table_info({table})") as cur:
                columns = [r[1] for r in await cur.fetchall()]
            for column in columns:
                for value in values:
                    async with self._db.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?",
                        (f"%{value}%",),
                    ) as cur:
                        row = await cur.fetchone()
                    total += int(row[0]) if row else 0
        return total

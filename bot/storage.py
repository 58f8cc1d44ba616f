"""All of Rafiq's storage: one SQLite file through aiosqlite, with a versioned schema.

Per person it keeps only what `UserState` holds: a random id, the channel's chat id, locale,
country, consent time, position and last-seen time. There is no column for message text, and
nothing here logs what people write. `forget` deletes every row that belongs to a person.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import aiosqlite

from bot.core.model import Button, FlowPosition, Position, UserState

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


# Append only: each entry moves the schema one version up, and `PRAGMA user_version` records where
# a
# file stands, so an old file is brought up to date at start-up without losing anyone's place.
MIGRATIONS: tuple[Migration, ...] = (_v1,)
# Tables holding rows about a person, with the column naming them; `forget` clears each.
PERSONAL_TABLES: tuple[tuple[str, str], ...] = (("users", "user_id"),)


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
        for table, column in PERSONAL_TABLES:
            await self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
        await self._db.commit()
        # The write-ahead log still holds the old pages until a checkpoint; fold it in now.
        await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

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

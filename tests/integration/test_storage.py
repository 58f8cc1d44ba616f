"""SqliteStore on a real file: round trips, migrations, restarts mid-flow, /forget and privacy.

Every test works on a SQLite file in `tmp_path` and closes each store it opens, so no aiosqlite
worker thread outlives its test.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import aiosqlite
import pytest

from bot.core.model import Button, Content, FlowPosition, Position, UserState
from bot.storage import MIGRATIONS, SqliteStore
from tests.fakes import Chat, make_conversation

CHANNEL = "test"
MENU_LABELS = ["Read the booklet", "Do an exercise", "Get help now", "Language", "Privacy"]
WORDS_PROMPT = "If you like, write a few words about how you feel."
SECRET = "my secret sentence 12345"
RISK = "zebra quartz 8841 I want to kill myself"
RISK_MARK = "zebra quartz 8841"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "rafiq.db"


@asynccontextmanager
async def opened(path: Path) -> AsyncIterator[SqliteStore]:
    store = await SqliteStore.open(path)
    try:
        yield store
    finally:
        await store.close()


def new_chat(content: Content, store: SqliteStore, chat_id: str = "42") -> Chat:
    """A fresh conversation, as after a restart of the bot: nothing in memory."""
    return Chat(make_conversation(content, store=store), chat_id=chat_id)


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the file with plain sqlite3, as an outsider (or an auditor) would."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql, params).fetchall()


def raw_bytes(path: Path) -> dict[str, bytes]:
    """The database file and its -wal / -shm companions, byte for byte."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


async def agree(chat: Chat) -> None:
    await chat.send("/start")
    await chat.agree()
    assert chat.labels() == MENU_LABELS


async def to_words_step(chat: Chat, mood: str) -> None:
    """From the menu into the check-in, answering the mood, to the step that takes typed text."""
    await chat.press("Do an exercise")
    await chat.press("How are you right now?")
    await chat.press(mood)
    assert WORDS_PROMPT in chat.text()
    assert chat.labels() == ["Skip writing", "Stop the exercise"]


# ---------------------------------------------------------------------------------------------
# The store itself


def full_state() -> UserState:
    return UserState(
        user_id="a1b2c3d4e5f60718",
        channel="telegram",
        chat_id="100200300",
        locale="ar",
        country="JO",
        consent_at=dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC),
        position=Position(
            flow=FlowPosition(
                "check_in", "words", MappingProxyType({"mood": "sleep", "note": "نوم قليل"})
            ),
            reading=("sleep", 3),
            screen="forget",
            expect=(
                Button("Skip writing", "c:check_in:words:skip"),
                Button("Stop the exercise", "q:flow"),
            ),
        ),
        last_seen=dt.datetime(2026, 3, 2, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
    )


async def test_a_saved_state_loads_back_equal_also_after_reopening(db_path: Path) -> None:
    state = full_state()
    async with opened(db_path) as store:
        assert await store.load(state.channel, state.chat_id) is None
        await store.save(state)
        assert await store.load(state.channel, state.chat_id) == state
        # The same chat id on another channel is another person.
        assert await store.load("other", state.chat_id) is None
    async with opened(db_path) as store:
        loaded = await store.load(state.channel, state.chat_id)
    assert loaded == state
    assert loaded is not None
    assert loaded.position.flow is not None
    assert dict(loaded.position.flow.variables) == {"mood": "sleep", "note": "نوم قليل"}
    assert loaded.consent_at is not None and loaded.consent_at.tzinfo is not None


async def test_saving_again_updates_the_one_row(db_path: Path) -> None:
    state = full_state()
    moved = replace(state, locale="en", position=Position(reading=("grief", 2)))
    async with opened(db_path) as store:
        await store.save(state)
        await store.save(moved)
        assert await store.load(state.channel, state.chat_id) == moved
    assert query(db_path, "SELECT COUNT(*) FROM users") == [(1,)]


async def test_the_file_is_in_wal_mode_at_the_latest_schema(db_path: Path) -> None:
    async with opened(db_path) as store:
        assert await store.schema_version() == len(MIGRATIONS)
        assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
        assert query(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]


async def test_opening_an_existing_file_again_keeps_everyone(db_path: Path) -> None:
    state = full_state()
    async with opened(db_path) as store:
        await store.save(state)
    async with opened(db_path) as store:
        assert await store.schema_version() == len(MIGRATIONS)
        assert await store.load(state.channel, state.chat_id) == state
        # A second process opening the same file while the first runs must not fail either.
        async with opened(db_path) as second:
            assert await second.load(state.channel, state.chat_id) == state
    assert query(db_path, "SELECT COUNT(*) FROM users") == [(1,)]


def newer_file(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        db.commit()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[aiosqlite.Connection]:
    """Every aiosqlite connection the store opens, so a test can see whether it was closed."""
    made: list[aiosqlite.Connection] = []
    real_connect = aiosqlite.connect

    def connect(*args, **kwargs) -> aiosqlite.Connection:
        made.append(real_connect(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(aiosqlite, "connect", connect)
    return made


@asynccontextmanager
async def closing_leftovers(made: list[aiosqlite.Connection]) -> AsyncIterator[None]:
    # close() is a no-op on a closed connection; this only tidies up after a leaking open().
    try:
        yield
    finally:
        for connection in made:
            await connection.close()


async def test_a_database_from_a_newer_rafiq_is_refused_clearly(
    db_path: Path, connections: list[aiosqlite.Connection]
) -> None:
    newer_file(db_path)
    async with closing_leftovers(connections):
        with pytest.raises(RuntimeError, match="RAFIQ_DB") as caught:
            store = await SqliteStore.open(db_path)
            await store.close()  # only reached if open wrongly succeeds
    assert f"schema version {len(MIGRATIONS) + 1}" in str(caught.value)
    # Nothing was migrated or changed in the newer file.
    assert query(db_path, "PRAGMA user_version") == [(len(MIGRATIONS) + 1,)]
    assert query(db_path, "SELECT name FROM sqlite_master") == []


async def test_a_refused_database_leaves_no_worker_thread_running(
    db_path: Path, connections: list[aiosqlite.Connection]
) -> None:
    newer_file(db_path)
    before = set(threading.enumerate())
    async with closing_leftovers(connections):
        with pytest.raises(RuntimeError, match="RAFIQ_DB"):
            store = await SqliteStore.open(db_path)
            await store.close()
        assert connections, "open() should have connected"
        leftover = [t for t in threading.enumerate() if t not in before]
        for thread in leftover:
            thread.join(timeout=0.2)
        assert [t.name for t in leftover if t.is_alive()] == []


# ---------------------------------------------------------------------------------------------
# A damaged position


def damage(path: Path, chat_id: str, raw: str) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "UPDATE users SET position = ? WHERE channel = ? AND chat_id = ?",
            (raw, CHANNEL, chat_id),
        )
        db.commit()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"flow":{"flow":"check_in","st', id="truncated"),
        pytest.param("not json at all", id="garbage"),
        pytest.param('{"flow":{"flow":"check_in"},"reading":["sleep","x"]}', id="bad-fields"),
        pytest.param(
            "[]",
            id="json-list",
        ),
        pytest.param(
            "null",
            id="json-null",
        ),
    ],
)
async def test_a_damaged_position_starts_the_person_from_the_menu(
    content: Content, db_path: Path, raw: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await agree(chat)
        await to_words_step(chat, "Sleeping badly")
    damage(db_path, chat.chat_id, raw)

    async with opened(db_path) as store:
        with caplog.at_level(logging.WARNING, logger="bot.storage"):
            loaded = await store.load(CHANNEL, chat.chat_id)
        assert loaded is not None
        assert loaded.position == Position()
        assert loaded.consent_at is not None
        assert "could not be read" in caplog.text

        chat = new_chat(content, store)
        # The old step's button label no longer means anything; they land on the menu, still
        # agreed (no second consent screen) and with no broken "Continue the exercise".
        await chat.send("Skip writing")
        assert chat.labels() == MENU_LABELS
        assert "Yes, let us start" not in chat.labels()
        # The row is written back readable, so the next turn does not warn again.
        repaired = await store.load(CHANNEL, chat.chat_id)
        assert repaired is not None and repaired.position.expect


# ---------------------------------------------------------------------------------------------
# Restart in the middle of an exercise


async def test_after_a_restart_the_exercise_goes_on_from_the_same_step(
    content: Content, db_path: Path
) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await agree(chat)
        await to_words_step(chat, "Sleeping badly")

    async with opened(db_path) as store:
        chat = new_chat(content, store)
        # Typing the label of the waiting step's button works after the restart...
        await chat.send("Skip writing")
        # ...and the mood chosen before the restart still picks the branch.
        assert "Sleeping badly is very common" in chat.text()
        assert chat.labels() == [
            "Make a sleep plan",
            "Try slow breathing",
            "Read about sleep",
            "Finish for now",
            "Stop the exercise",
        ]


async def test_an_old_button_pressed_after_a_restart_still_works(
    content: Content, db_path: Path
) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await agree(chat)
        await chat.press("Do an exercise")
        await chat.press("Slow breathing")
        await chat.press("Start breathing")
        assert "one more round, or finish here?" in chat.text()
        old_buttons = {b.label: b.data for b in chat.buttons()}
        assert set(old_buttons) == {"One more round", "Finish here", "Stop the exercise"}

    async with opened(db_path) as store:
        chat = new_chat(content, store)
        # The message with the buttons is still on the phone; the person taps one.
        await chat.data(old_buttons["Finish here"])
        assert "Thank you for taking this time for yourself." in chat.text()
        assert chat.labels() == ["Another exercise", "Menu"]
        state = await store.load(CHANNEL, chat.chat_id)
        assert state is not None and state.position.flow is None


async def test_after_a_restart_the_menu_offers_to_continue_the_same_step(
    content: Content, db_path: Path
) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await agree(chat)
        await to_words_step(chat, "Stressed or worried")

    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await chat.send("/menu")
        assert chat.labels() == ["Continue the exercise", *MENU_LABELS]
        await chat.press("Continue the exercise")
        assert WORDS_PROMPT in chat.text()
        assert chat.labels() == ["Skip writing", "Stop the exercise"]

    async with opened(db_path) as store:
        # And once more across another restart, answering with typed words this time.
        chat = new_chat(content, store)
        await chat.send("tired and far from home")
        assert "Stress and worry are normal reactions" in chat.text()


# ---------------------------------------------------------------------------------------------
# Consent and /forget


async def test_nothing_is_written_before_consent_and_one_row_after(
    content: Content, db_path: Path
) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store, chat_id="7000001")
        await chat.send("/start")
        assert chat.labels() == ["Yes, let us start", "Get help now", "Not now"]
        await chat.press("Get help now")
        await chat.send("hello?")
        await chat.send("/privacy")
        assert query(db_path, "SELECT COUNT(*) FROM users") == [(0,)]
        assert await store.count_rows_mentioning(chat.chat_id) == 0

        declining = new_chat(content, store, chat_id="7000002")
        await declining.send("/start")
        await declining.press("Not now")
        assert "I have kept nothing" in declining.text()
        assert query(db_path, "SELECT COUNT(*) FROM users") == [(0,)]

        await chat.send("/start")
        await chat.agree()
        rows = query(db_path, "SELECT channel, chat_id, consent_at FROM users")
        assert len(rows) == 1
        assert rows[0][:2] == (CHANNEL, "7000001")
        assert rows[0][2] is not None


async def journey(chat: Chat) -> None:
    """Consent, read a booklet page, start an exercise."""
    await agree(chat)
    await chat.press("Read the booklet")
    await chat.press("Sleep when life is hard")
    await chat.press("Next page")
    assert "(2/8)" in chat.text()
    await chat.send("/menu")
    assert chat.labels()[0] == "Continue reading"
    await to_words_step(chat, "Very low")


async def test_forget_deletes_everything_about_the_person(content: Content, db_path: Path) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store, chat_id="5550001112")
        other = new_chat(content, store, chat_id="5550009998")
        await agree(other)
        await journey(chat)
        state = await store.load(CHANNEL, chat.chat_id)
        assert state is not None and state.position.flow is not None
        assert await store.count_rows_mentioning(state.user_id, chat.chat_id) > 0

        await chat.send("/forget")
        assert chat.labels() == ["Yes, delete everything", "No, keep it"]
        await chat.press("Yes, delete everything")
        assert "Everything Rafiq kept about you is deleted" in chat.text()

        assert await store.count_rows_mentioning(state.user_id, chat.chat_id) == 0
        assert await store.load(CHANNEL, chat.chat_id) is None
        # Someone else's data is untouched.
        assert await store.load(CHANNEL, other.chat_id) is not None

    # Read the real file from outside: nothing about them is left in any column.
    assert query(
        db_path,
        "SELECT COUNT(*) FROM users WHERE user_id = ? OR chat_id = ?",
        (state.user_id, chat.chat_id),
    ) == [(0,)]
    async with opened(db_path) as store:
        assert await store.count_rows_mentioning(state.user_id, chat.chat_id) == 0
        chat = new_chat(content, store, chat_id=chat.chat_id)
        # Coming back, they are a stranger: the consent screen again, no place to resume.
        await chat.send("/menu")
        assert chat.labels() == ["Yes, let us start", "Get help now", "Not now"]


async def test_keeping_the_data_deletes_nothing(content: Content, db_path: Path) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await journey(chat)
        before = await store.load(CHANNEL, chat.chat_id)
        assert before is not None

        await chat.send("/forget")
        confirm = {b.label: b.data for b in chat.buttons()}
        await chat.press("No, keep it")
        assert "Nothing was deleted" in chat.text()
        assert chat.labels() == ["Continue the exercise", *MENU_LABELS]

        after = await store.load(CHANNEL, chat.chat_id)
        assert after is not None
        assert after.user_id == before.user_id
        assert after.consent_at == before.consent_at
        assert after.position.flow == before.position.flow
        assert after.position.reading == ("sleep", 2)
        assert await store.count_rows_mentioning(before.user_id) == 1
        # The question is closed: a later tap on its old "Yes" button, or typing it, deletes
        # nothing.
        await chat.data(confirm["Yes, delete everything"])
        assert "That button is no longer active" in chat.text()
        await chat.send("Yes, delete everything")
        assert await store.load(CHANNEL, chat.chat_id) is not None
        assert await store.count_rows_mentioning(before.user_id) == 1


async def test_forget_confirmed_after_a_restart_still_deletes(
    content: Content, db_path: Path
) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await journey(chat)
        await chat.send("/forget")
        user_id = (await store.load(CHANNEL, chat.chat_id)).user_id  # type: ignore[union-attr]

    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await chat.send("Yes, delete everything")
        assert "Everything Rafiq kept about you is deleted" in chat.text()
        assert await store.count_rows_mentioning(user_id, chat.chat_id) == 0


async def test_after_forget_no_copy_of_the_person_is_left_in_the_files(
    content: Content, db_path: Path
) -> None:
    async with opened(db_path) as store:
        chat = new_chat(content, store, chat_id="8889990001112")
        other = new_chat(content, store, chat_id="1234000")
        await agree(other)
        await journey(chat)
        user_id = (await store.load(CHANNEL, chat.chat_id)).user_id  # type: ignore[union-attr]
        await chat.send("/forget")
        await chat.press("Yes, delete everything")
        # The bot is still running: a backup or disk copy taken now must not hold them.
        for name, data in raw_bytes(db_path).items():
            assert user_id.encode() not in data, name
            assert chat.chat_id.encode() not in data, name


# ---------------------------------------------------------------------------------------------
# No message text, anywhere


async def test_what_people_write_is_never_stored_or_logged(
    content: Content, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with opened(db_path) as store:
        chat = new_chat(content, store)
        await chat.send(SECRET)  # before consent
        await agree(chat)
        await chat.send(SECRET)  # at the menu
        assert "I understand the buttons best" in chat.text()

        await chat.press("Do an exercise")
        await chat.press("Slow breathing")
        await chat.send(SECRET)  # at a step that only has buttons
        assert "Please choose one of the buttons." in chat.text()
        await chat.send("/stop")

        await chat.press("Do an exercise")
        await chat.press("How are you right now?")
        await chat.press("Stressed or worried")
        await chat.send(SECRET)  # typed answer at a step that takes text, without `save`
        assert "Stress and worry are normal reactions" in chat.text()

        await chat.send(RISK)
        assert any(effect.level == "urgent" for effect in chat.turns[-1].effects)
        assert "Back to where I was" in chat.labels()
        await chat.press("Back to where I was")
        await chat.send("/forget")
        await chat.send(SECRET)  # at the delete question
        await chat.send(SECRET.upper())

        state = await store.load(CHANNEL, chat.chat_id)
        assert state is not None and state.consent_at is not None
        files = raw_bytes(db_path)
        assert f"{db_path.name}-wal" in files, "expected the WAL file while the store is open"
        # Snapshot the logs now: the check below passes the needles to SQL, which aiosqlite logs.
        records = list(caplog.records)
        assert await store.count_rows_mentioning(SECRET, RISK_MARK, "kill myself") == 0

    files_after_close = raw_bytes(db_path)
    for name, data in [*files.items(), *files_after_close.items()]:
        for needle in (SECRET, SECRET.upper(), RISK_MARK, "kill myself"):
            for encoded in (needle.encode("utf-8"), needle.encode("utf-16-le")):
                assert encoded not in data, f"{needle!r} found in {name}"

    assert any(r.levelno == logging.DEBUG for r in records), "DEBUG logs should be captured"
    for record in records:
        logged = record.getMessage() + (record.exc_text or "")
        for needle in (SECRET, SECRET.upper(), RISK_MARK, "kill myself"):
            assert needle not in logged, f"{needle!r} logged by {record.name}"

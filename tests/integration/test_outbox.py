"""Escalations are durable: one case per message, staff always told, retried, kept on restart."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.core.ports import Escalation
from bot.outbox import OutboxWorker, StaffAlert
from bot.storage import SqliteStore

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class Staff:
    """A staff channel that can be made to fail a number of times."""

    def __init__(self, failures: int = 0) -> None:
        self.alerts: list[StaffAlert] = []
        self.failures = failures

    async def alert(self, alert: StaffAlert) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("staff group unreachable")
        self.alerts.append(alert)


class CheckBacks:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def __call__(self, channel: str, chat_id: str) -> bool:
        self.sent.append((channel, chat_id))
        return True


def urgent(source: str | None = "terminal:1:m1", user: str = "u1", **kw) -> Escalation:
    values = dict(
        user_id=user, channel="terminal", chat_id="1", level="urgent", categories=("suicide",),
        language="ar", country="LB", reason="risk", source_key=source, check_back_after=600.0,
    )  # fmt: skip
    values.update(kw)
    return Escalation(**values)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "rafiq.sqlite3"


async def test_an_alert_written_before_a_crash_is_delivered_after_the_restart(db: Path) -> None:
    store = await SqliteStore.open(db)
    case = await store.escalate(urgent(), now=T0)
    await store.close()  # the process dies before the worker ran

    store = await SqliteStore.open(db)
    staff, clock = Staff(), Clock()
    try:
        assert await OutboxWorker(store, staff, CheckBacks(), clock).run_once() == 1
    finally:
        await store.close()
    (alert,) = staff.alerts
    assert (alert.case, alert.level, alert.categories) == (case, "urgent", ("suicide",))
    assert (alert.language, alert.country, alert.event) == ("ar", "LB", "new")
    assert "case #1 NEW URGENT (suicide)" in alert.line()


async def test_the_same_message_twice_opens_one_case_and_one_alert(db: Path) -> None:
    store = await SqliteStore.open(db)
    staff = Staff()
    try:
        first = await store.escalate(urgent(), now=T0)
        again = await store.escalate(urgent(), now=T0)
        await OutboxWorker(store, staff, CheckBacks(), Clock()).run_once()
        cases = await store.cases()
    finally:
        await store.close()
    assert first == again and len(cases) == 1 and len(staff.alerts) == 1


async def test_a_new_message_updates_the_open_case_and_tells_staff_again(db: Path) -> None:
    store = await SqliteStore.open(db)
    staff = Staff()
    try:
        await store.escalate(urgent(level="concern", categories=(), reason="asked"), now=T0)
        await store.escalate(urgent(source="terminal:1:m2", categories=("violence",)), now=T0)
        await OutboxWorker(store, staff, CheckBacks(), Clock()).run_once()
        (case,) = await store.cases()
    finally:
        await store.close()
    assert case["level"] == "urgent" and case["categories"] == "violence"
    assert [a.event for a in staff.alerts] == ["new", "update"]
    assert staff.alerts[-1].level == "urgent"


async def test_a_failing_staff_channel_is_retried_with_growing_waits(db: Path) -> None:
    store = await SqliteStore.open(db)
    staff, clock = Staff(failures=2), Clock()
    worker = OutboxWorker(store, staff, CheckBacks(), clock)
    try:
        await store.escalate(urgent(check_back_after=None), now=T0)
        assert await worker.run_once() == 0  # first failure: retry in 2 s
        clock.advance(1)
        assert await worker.run_once() == 0 and staff.alerts == []  # not due yet
        clock.advance(1.5)
        assert await worker.run_once() == 0  # second failure: retry in 4 s
        clock.advance(3)
        assert await worker.run_once() == 0
        clock.advance(1.5)
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0  # delivered once, never again
    finally:
        await store.close()
    assert len(staff.alerts) == 1


async def test_the_check_back_waits_its_time_and_comes_once(db: Path) -> None:
    store = await SqliteStore.open(db)
    checks, clock = CheckBacks(), Clock()
    worker = OutboxWorker(store, Staff(), checks, clock)
    try:
        await store.escalate(urgent(), now=T0)
        await store.escalate(urgent(source="terminal:1:m2"), now=T0)
        await worker.run_once()
        assert checks.sent == []
        clock.advance(601)
        await worker.run_once()
        await worker.run_once()
    finally:
        await store.close()
    assert checks.sent == [("terminal", "1")]


async def test_im_safe_is_noted_but_the_case_stays_open(db: Path) -> None:
    store = await SqliteStore.open(db)
    try:
        await store.escalate(urgent(), now=T0)
        await store.report_safe("u1", now=T0)
        (case,) = await store.cases()
        level = await store.open_case_level("u1")
    finally:
        await store.close()
    assert case["status"] == "open" and case["safe_at"] and level == "urgent"


async def test_forget_removes_cases_and_queued_alerts(db: Path) -> None:
    store = await SqliteStore.open(db)
    try:
        await store.escalate(urgent(), now=T0)
        await store.escalate(urgent(user="u2", source="terminal:2:m1", chat_id="2"), now=T0)
        await store.forget("u1")
        left = await store.count_rows_mentioning("u1")
        others = [c["user_id"] for c in await store.cases()]
    finally:
        await store.close()
    assert left == 0 and others == ["u2"]


async def test_a_queued_alert_holds_only_what_staff_need(db: Path) -> None:
    store = await SqliteStore.open(db)
    try:
        await store.escalate(urgent(check_back_after=None), now=T0)
    finally:
        await store.close()
    with closing(sqlite3.connect(db)) as raw:
        (payload,) = [json.loads(row[0]) for row in raw.execute("SELECT payload FROM outbox")]
    assert set(payload) == {
        "case", "event", "reason", "level", "categories", "language", "country", "at",
    }  # fmt: skip


async def test_a_version_1_database_is_brought_up_to_date_keeping_its_users(db: Path) -> None:
    import aiosqlite

    from bot.storage import MIGRATIONS

    raw = await aiosqlite.connect(db)
    await MIGRATIONS[0](raw)
    await raw.execute("PRAGMA user_version = 1")
    await raw.execute(
        "INSERT INTO users (user_id, channel, chat_id, locale) "
        "VALUES ('u9', 'terminal', '9', 'fr')"
    )
    await raw.commit()
    await raw.close()
    store = await SqliteStore.open(db)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        user = await store.load("terminal", "9")
        await store.escalate(urgent(user="u9", chat_id="9"), now=T0)
    finally:
        await store.close()
    assert user is not None and user.locale == "fr"


async def test_an_urgent_case_nobody_takes_is_raised_again(db: Path) -> None:
    store = await SqliteStore.open(db)
    staff, clock = Staff(), Clock()
    worker = OutboxWorker(store, staff, CheckBacks(), clock)
    try:
        await store.escalate(urgent(check_back_after=None, realert_after=600.0), now=T0)
        await worker.run_once()
        clock.advance(601)
        await worker.run_once()
        assert [a.event for a in staff.alerts] == ["new", "not taken yet"]
        await store.take(1, "555", clock.now)
        clock.advance(601)
        await worker.run_once()
        assert len(staff.alerts) == 2  # taken: no more reminders
    finally:
        await store.close()

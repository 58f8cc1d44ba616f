"""The terminal chat as a person (or a script) uses it: `python -m bot chat` with piped input."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.terminal import TerminalChat
from bot.core.model import Pause

ROOT = Path(__file__).resolve().parent.parent.parent


def run_bot(*args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: int = 60):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=timeout,
    )


def test_help_lists_the_commands() -> None:
    result = run_bot("--help")
    assert result.returncode == 0
    for command in ("chat", "validate", "run"):
        assert command in result.stdout


def test_a_whole_journey_through_piped_input(tmp_path: Path) -> None:
    db = tmp_path / "rafiq.sqlite3"
    journey = [
        "1",  # agree
        "Skip",  # no country
        "Read the booklet",  # typed label
        "Sleep when life is hard",
        "Next page",
        "/menu",
        "Do an exercise",
        "Slow breathing",
        "/sos",
        "Back to where I was",
        "Start breathing",
        "/stop",
        "/forget",
        "Yes, delete everything",
    ]
    result = run_bot(
        "chat", "--no-pauses", stdin="\n".join(journey) + "\n", env={"RAFIQ_DB": str(db)}
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # The welcome comes first, with numbered buttons.
    assert out.startswith("Rafiq: Hello, I am Rafiq.")
    assert "   [1] Yes, let us start" in out
    # Each line typed is echoed, so the output reads as a transcript.
    assert "> Read the booklet\n" in out
    assert "Sleep when life is hard (2/" in out
    assert "Let us breathe slowly" in out
    assert out.count("Phone: 112") == 1
    assert "(pause 4 s)" in out
    assert "We stopped the exercise" in out
    assert "Everything Rafiq kept about you is deleted" in out
    rows = sqlite3.connect(db).execute("SELECT COUNT(*) FROM users").fetchone()[0]
    assert rows == 0


def test_a_person_mid_exercise_continues_after_a_restart(tmp_path: Path) -> None:
    env = {"RAFIQ_DB": str(tmp_path / "rafiq.sqlite3")}
    first = run_bot(
        "chat", "--no-pauses", stdin="1\nSkip\nDo an exercise\nSlow breathing\n", env=env
    )
    assert "Start breathing" in first.stdout
    second = run_bot("chat", "--no-pauses", stdin="Start breathing\n", env=env)
    assert "Welcome back" in second.stdout
    assert "Breathe in slowly." in second.stdout


def test_preview_a_flow_and_a_topic_without_touching_real_data(tmp_path: Path) -> None:
    env = {"RAFIQ_DB": str(tmp_path / "real.sqlite3")}
    flow = run_bot("chat", "--flow", "grounding", "--no-pauses", env=env)
    assert flow.returncode == 0, flow.stderr
    first_step = flow.stdout.split("\n\n")[0]
    assert first_step.startswith("Rafiq: ") and "Stop the exercise" in flow.stdout
    topic = run_bot("chat", "--topic", "grief", env=env)
    assert topic.stdout.startswith("Rafiq: Grief and loss (1/")
    assert not (tmp_path / "real.sqlite3").exists()


def test_preview_of_a_missing_flow_names_the_ones_there_are() -> None:
    result = run_bot("chat", "--flow", "breathin")
    assert result.returncode == 2
    assert "There is no flow 'breathin'" in result.stderr and "breathing" in result.stderr


def test_run_without_telegram_says_what_to_do_instead() -> None:
    result = run_bot("run")
    assert result.returncode != 0
    assert "python -m bot chat" in result.stderr
    assert "Traceback" not in result.stderr


async def test_pauses_wait_when_asked_and_are_shown_when_skipped(monkeypatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("bot.channels.terminal.asyncio.sleep", fake_sleep)
    out = io.StringIO()
    waiting = TerminalChat(None, io.StringIO(), out, pauses=True)  # type: ignore[arg-type]
    await waiting.render([Pause(4)])
    assert slept == [4] and out.getvalue() == ""
    skipping = TerminalChat(None, io.StringIO(), out, pauses=False)  # type: ignore[arg-type]
    await skipping.render([Pause(4)])
    assert slept == [4] and "(pause 4 s)" in out.getvalue()


@pytest.mark.parametrize("line", ["9", "0", "-1"])
def test_a_number_that_is_not_a_choice_is_read_as_text(line: str) -> None:
    chat = TerminalChat(None, io.StringIO(), io.StringIO())  # type: ignore[arg-type]
    event = chat._event_for(line)
    assert event.kind == "text" and event.text == line


def test_an_urgent_message_reaches_the_staff_log_without_its_words(tmp_path: Path) -> None:
    staff = tmp_path / "staff.log"
    env = {"RAFIQ_DB": str(tmp_path / "rafiq.sqlite3"), "RAFIQ_STAFF_ALERTS": str(staff)}
    journey = "1\nSkip\nI want to kill myself tonight\nTalk to a person\n"
    result = run_bot("chat", "--no-pauses", stdin=journey, env=env)
    assert result.returncode == 0, result.stderr
    assert "Talk to a person" in result.stdout
    assert "told the programme's team" in result.stdout
    lines = staff.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "case #1 NEW URGENT (" in lines[0] and "suicide" in lines[0]
    assert "risk in a message" in lines[0]
    assert "case #1 UPDATE URGENT" in lines[1] and "asked to talk to a person" in lines[1]
    assert "tonight" not in staff.read_text(encoding="utf-8")

"""Content validation as an officer meets it.

Each test breaks one thing in a small, valid content tree and checks what `python -m bot validate`
would print for it: the file, the line to look at, what is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.bootstrap import load_all
from bot.config import Settings
from bot.content.loader import load_content
from bot.content.yamlfile import Problem
from bot.core.model import Content
from bot.i18n import Catalogs

REPO = Path(__file__).resolve().parents[2]
# `python -m bot` checks dates against the real day, so the tree's dates follow it too.
TODAY = dt.date.today()
CHECKED = (TODAY - dt.timedelta(days=30)).isoformat()
# The oldest check that is still fine, and the first one that is stale (limit: 180 days).
OLD = (TODAY - dt.timedelta(days=180)).isoformat()
STALE = (TODAY - dt.timedelta(days=181)).isoformat()

SLEEP = """\
version: 1
id: sleep
title: Sleep when life is hard
summary: Why sleep gets difficult under stress, and small things that help.
pages:
  - |
    Stress often makes sleep light.

    This is a common reaction.
  - |
    Try to go to bed at the same time each night.
try: [breathing]
related: [worry]
"""

WORRY = """\
version: 1
id: worry
title: When worries keep coming
summary: Why the mind keeps worrying, and a way to give worries less room.
pages:
  - |
    Worry is the mind trying to keep us safe.
try: [check_in]
related: [sleep]
"""

BREATHING = """\
version: 1
id: breathing
title: Slow breathing
summary: Two minutes of slow breathing to calm the body.
minutes: 3
steps:
  - id: intro
    say: Let us breathe slowly together.
    choices:
      - id: start
        label: Start
        next: round1
      - id: later
        label: Not now
        next: goodbye
  - id: round1
    say:
      - Breathe in slowly.
      - pause: 4
      - Now breathe out slowly.
    next: read
  - id: read
    topic: sleep
    page: 2
  - id: goodbye
    say: Thank you for taking this time.
    end: true
"""

CHECK_IN = """\
version: 1
id: check_in
title: How are you today?
summary: A short check-in with yourself.
minutes: 2
steps:
  - id: ask
    say: How do you feel right now?
    save: mood
    choices:
      - {id: ok, label: Quite well}
      - {id: low, label: Not so well}
    next:
      - if: {mood: low}
        then: contacts
      - else: thanks
  - id: contacts
    say: Here are people who can help.
    help: true
  - id: more
    flow: breathing
  - id: thanks
    say: Thank you for checking in.
    end: true
"""

GLOBAL = f"""\
version: 1
country: null
services:
  - id: emergency
    name: Emergency number
    kind: emergency
    phones: ["112"]
    hours: Day and night
    languages: [en]
    serves: Everyone
    cost: Free
    note: Works from most mobile phones.
    verified: {CHECKED}
"""

TURKEY = f"""\
version: 1
country: TR
services:
  - id: emergency
    name: Emergency number
    kind: emergency
    phones: ["112"]
    hours: Day and night
    languages: [tr, en]
    serves: Everyone in Turkey
    cost: Free
    verified: {CHECKED}
"""

ARABIC_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: ar\\n"

msgctxt "booklet/sleep"
msgid "Sleep when life is hard"
msgstr "النوم عندما تكون الحياة صعبة"
"""

ARABIC_LEXICON = """\
version: 1
language: ar
script: arabic
entries:
  - level: urgent
    category: suicide
    phrases:
      - بدي موت
exclusions:
  - أموت شوقا
"""

SLEEP_YAML = "content/booklet/sleep.yaml"
WORRY_YAML = "content/booklet/worry.yaml"
BREATHING_YAML = "flows/breathing.yaml"
CHECK_IN_YAML = "flows/check_in.yaml"
GLOBAL_YAML = "content/referrals/global.yaml"
TR_YAML = "content/referrals/TR.yaml"
ARABIC = "locales/ar/LC_MESSAGES/messages.po"

VALID = {
    SLEEP_YAML: SLEEP,
    WORRY_YAML: WORRY,
    BREATHING_YAML: BREATHING,
    CHECK_IN_YAML: CHECK_IN,
    GLOBAL_YAML: GLOBAL,
    ARABIC: ARABIC_PO,
    "locales/ar/safety.yaml": ARABIC_LEXICON,
}


def put(root: Path, rel: str, text: str | bytes) -> Path:
    """Write (or overwrite) one file of the tree."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small content tree that passes validation without a single problem."""
    root = tmp_path / "tree"
    for rel, text in VALID.items():
        put(root, rel, text)
    return root


def edit(text: str, old: str, new: str) -> str:
    """`text` with one piece changed; fails loudly if the piece is not there."""
    assert text.count(old) == 1, f"{old!r} must appear exactly once"
    return text.replace(old, new)


def line_of(text: str, piece: str) -> int:
    """The line (from 1) on which `piece` starts in `text`."""
    assert text.count(piece) == 1, f"{piece!r} must appear exactly once"
    return text[: text.index(piece)].count("\n") + 1


def load(root: Path) -> tuple[Content | None, list[Problem]]:
    return load_content(root, today=TODAY)


def listing(problems: list[Problem]) -> str:
    return "\n".join(map(str, problems)) or "(no problems)"


def found(problems: list[Problem], path: str, phrase: str, line: int | None = None) -> Problem:
    """The problem in `path` (at `line`) whose message has `phrase`; fails with the listing."""
    hits = [
        p
        for p in problems
        if p.path == path and phrase in p.message and (line is None or p.line == line)
    ]
    where = f"{path}:{line}" if line else path
    assert hits, f"nothing at {where} says {phrase!r}; got:\n{listing(problems)}"
    return hits[0]


# ---------------------------------------------------------------------------------------------
# The valid tree


def test_the_valid_tree_loads_without_any_problem(tree: Path) -> None:
    content, problems = load(tree)

    assert problems == [], listing(problems)
    assert content is not None
    assert list(content.topics) == ["sleep", "worry"]
    assert list(content.flows) == ["breathing", "check_in"]
    assert [s.id for s in content.referrals.global_services] == ["emergency"]


def test_the_valid_tree_and_its_catalog_load_together(tree: Path) -> None:
    content, catalogs, problems = load_all(Settings(content_dir=tree))

    assert problems == [], listing(problems)
    assert content is not None
    arabic = catalogs.get("ar").pgettext("booklet/sleep", "Sleep when life is hard")
    assert arabic == "النوم عندما تكون الحياة صعبة"


def test_texts_exactly_at_the_limits_are_accepted(tree: Path) -> None:
    page = "x" * 899  # a `|` block keeps the final line break: 900 characters
    put(tree, WORRY_YAML, edit(WORRY, "Worry is the mind trying to keep us safe.", page))
    flow = edit(BREATHING, "label: Not now", "label: " + "n" * 40)
    flow = edit(flow, "pause: 4", "pause: 60")
    flow = edit(flow, "say: Thank you for taking this time.", "say: " + "t" * 4096)
    put(tree, BREATHING_YAML, flow)

    content, problems = load(tree)

    assert problems == [], listing(problems)
    assert content is not None
    assert len(content.topics["worry"].pages[0]) == 900


def test_a_service_checked_180_days_ago_is_not_stale(tree: Path) -> None:
    put(tree, GLOBAL_YAML, edit(GLOBAL, f"verified: {CHECKED}", f"verified: {OLD}"))

    content, problems = load(tree)

    assert problems == [], listing(problems)
    assert content is not None


# ---------------------------------------------------------------------------------------------
# One broken thing, one problem that points at it


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # the file that is broken, as the problem names it
    text: str  # the file's broken text
    at: str  # a piece of the broken text: the problem must point at the line where it starts
    says: str  # a phrase the message must contain
    fix_says: str = ""  # a phrase the fix must contain
    severity: str = "error"


def _ping_pong() -> str:
    """Two steps whose buttons only lead to each other: there is no way to the end."""
    steps = """\
  - id: ping
    say: Ping?
    choices:
      - {label: Pong, next: pong}
  - id: pong
    say: Pong?
    choices:
      - {label: Ping, next: ping}
"""
    return edit(BREATHING, "        next: goodbye\n", "        next: ping\n") + steps


ROUND1 = line_of(BREATHING, "- id: round1")
LONG_PAGE = "word " * 190  # 950 characters, 951 with the block's final line break
LONG_LABEL = "Not now, maybe another day when I feel ready"
EXAMPLE_SERVICE = """\
  - id: example
    name: Programme officers
    kind: psychosocial
    verified: null
"""

CASES = [
    Case(
        "yaml-bad-indentation-in-a-topic",
        SLEEP_YAML,
        edit(SLEEP, "summary: Why", " summary: Why"),
        " summary: Why",
        "this is not valid YAML",
        "indentation",
    ),
    Case(
        "yaml-bad-indentation-in-a-flow",
        BREATHING_YAML,
        edit(BREATHING, "    say: Thank you", "   say: Thank you"),
        "   say: Thank you",
        "this is not valid YAML",
        "indentation",
    ),
    Case(
        "tab-character",
        BREATHING_YAML,
        edit(BREATHING, "    end: true", "\tend: true"),
        "\tend: true",
        "a tab character is used",
        "spaces",
    ),
    Case(
        "topic-without-summary",
        SLEEP_YAML,
        edit(
            SLEEP,
            "summary: Why sleep gets difficult under stress, and small things that help.\n",
            "",
        ),
        "version: 1",
        "the topic has no 'summary'",
        "add a 'summary:' line",
    ),
    Case(
        "unknown-field-typo",
        SLEEP_YAML,
        edit(SLEEP, "summary:", "summry:"),
        "summry:",
        "unknown field 'summry' in the topic",
        "did you mean 'summary'?",
    ),
    Case(
        "duplicate-yaml-key",
        SLEEP_YAML,
        SLEEP + "title: Sleep again\n",
        "title: Sleep again",
        "the key 'title' appears twice",
        "keep only one",
    ),
    Case(
        "duplicate-step-id",
        BREATHING_YAML,
        edit(BREATHING, "- id: read\n", "- id: round1\n"),
        "- id: round1\n    topic",
        f"two steps have the id 'round1' (the other is on line {ROUND1})",
        "its own id",
    ),
    Case(
        "step-next-to-a-missing-step",
        BREATHING_YAML,
        edit(BREATHING, "next: read", "next: raed"),
        "next: raed",
        "there is no step 'raed' in this flow",
        "did you mean 'read'?",
    ),
    Case(
        "choice-next-to-a-missing-step",
        BREATHING_YAML,
        edit(BREATHING, "next: round1", "next: nowhere"),
        "next: nowhere",
        "there is no step 'nowhere' in this flow",
        "the steps are: intro, round1, read, goodbye",
    ),
    Case(
        "branch-to-a-missing-step",
        CHECK_IN_YAML,
        edit(CHECK_IN, "then: contacts", "then: contact"),
        "then: contact",
        "there is no step 'contact' in this flow",
        "did you mean 'contacts'?",
    ),
    Case(
        "flow-shows-a-missing-topic",
        BREATHING_YAML,
        edit(BREATHING, "topic: sleep", "topic: sleeping"),
        "topic: sleeping",
        "shows topic 'sleeping', which does not exist",
        "did you mean 'sleep'?",
    ),
    Case(
        "flow-starts-a-missing-flow",
        CHECK_IN_YAML,
        edit(CHECK_IN, "flow: breathing", "flow: breath"),
        "flow: breath",
        "starts flow 'breath', which does not exist",
        "did you mean 'breathing'?",
    ),
    Case(
        "topic-tries-a-missing-flow",
        SLEEP_YAML,
        edit(SLEEP, "try: [breathing]", "try: [breathe]"),
        "try: [breathe]",
        "'breathe', which does not exist",
        "did you mean 'breathing'?",
    ),
    Case(
        "topic-relates-to-a-missing-topic",
        WORRY_YAML,
        edit(WORRY, "related: [sleep]", "related:\n  - sleep\n  - slep"),
        "  - slep",
        "names topic 'slep', which does not exist",
        "did you mean 'sleep'?",
    ),
    Case(
        "unreachable-step",
        BREATHING_YAML,
        edit(BREATHING, "next: round1", "next: goodbye"),
        "- id: round1",
        "no path reaches step 'round1'",
        "point a 'next' or a choice at it",
    ),
    Case(
        "steps-with-no-way-out",
        BREATHING_YAML,
        _ping_pong(),
        "- id: ping",
        "step 'ping' has no way out",
        "end: true",
    ),
    Case(
        "loop-that-never-waits",
        BREATHING_YAML,
        edit(BREATHING, "    page: 2\n", "    page: 2\n    next: round1\n"),
        "- id: round1",
        "step 'round1' is part of a loop that never waits",
        "add a step with choices",
    ),
    Case(
        "page-over-900-characters",
        WORRY_YAML,
        edit(WORRY, "Worry is the mind trying to keep us safe.", LONG_PAGE),
        "  - |",
        "page 1 is 951 characters long; the limit is 900",
        "split it",
    ),
    Case(
        "message-over-4096-characters",
        BREATHING_YAML,
        edit(BREATHING, "Now breathe out slowly.", "o" * 4097),
        "o" * 4097,
        "a message of step 'round1' is 4097 characters long; the limit is 4096",
        "shorten it",
    ),
    Case(
        "empty-text",
        BREATHING_YAML,
        edit(BREATHING, "say: Thank you for taking this time.", 'say: ""'),
        'say: ""',
        "a message of step 'goodbye' is empty",
        "write the text",
    ),
    Case(
        "button-label-over-40-characters",
        BREATHING_YAML,
        edit(BREATHING, "label: Not now", f"label: {LONG_LABEL}"),
        f"label: {LONG_LABEL}",
        f"the label of a choice of step 'intro' is {len(LONG_LABEL)} characters long; "
        "the limit is 40",
        "shorten it",
    ),
    Case(
        "topic-id-over-20-characters",
        WORRY_YAML,
        edit(WORRY, "id: worry", "id: when_worries_keep_coming"),
        "id: when_worries_keep_coming",
        "the id 'when_worries_keep_coming' of the topic is 24 characters; the limit is 20",
        "shorter id",
    ),
    Case(
        "step-id-over-16-characters",
        BREATHING_YAML,
        edit(BREATHING, "- id: goodbye", "- id: goodbye_and_thanks"),
        "- id: goodbye_and_thanks",
        "the id 'goodbye_and_thanks' of a step is 18 characters; the limit is 16",
        "shorter id",
    ),
    Case(
        "id-with-uppercase-letters",
        BREATHING_YAML,
        edit(BREATHING, "- id: later", "- id: Later"),
        "- id: Later",
        "the id 'Later' of a choice of step 'intro' has characters ids cannot use",
        "lowercase letters",
    ),
    Case(
        "unquoted-yes-read-as-true",
        BREATHING_YAML,
        edit(BREATHING, "- id: later", "- id: yes"),
        "- id: yes",
        "the id of a choice of step 'intro' was read as true/false",
        "put it in quotes: id: 'yes'",
    ),
    Case(
        "waiting-step-that-says-nothing",
        BREATHING_YAML,
        edit(BREATHING, "    say: Let us breathe slowly together.\n", ""),
        "- id: intro",
        "step 'intro' waits for the person without saying anything",
        "add a 'say'",
    ),
    Case(
        "pause-over-60-seconds",
        BREATHING_YAML,
        edit(BREATHING, "pause: 4", "pause: 61"),
        "pause: 61",
        "a pause of step 'round1' must be a number of seconds from 1 to 60",
        "pause: 4",
    ),
    Case(
        "wrong-version",
        CHECK_IN_YAML,
        edit(CHECK_IN, "version: 1\n", "") + "version: 2\n",
        "version: 2",
        "version 2 is not one this Rafiq reads",
        "write version: 1",
    ),
    Case(
        "example-service-verified-null",
        GLOBAL_YAML,
        GLOBAL + EXAMPLE_SERVICE,
        "- id: example",
        "service 'example' is an example entry (verified: null), so it is never shown",
        "verified: YYYY-MM-DD",
        severity="warning",
    ),
    Case(
        "service-checked-181-days-ago",
        GLOBAL_YAML,
        edit(GLOBAL, f"verified: {CHECKED}", f"verified: {STALE}"),
        f"verified: {STALE}",
        "service 'emergency' was last checked 181 days ago",
        "update 'verified'",
        severity="warning",
    ),
    Case(
        "country-without-an-emergency-service",
        TR_YAML,
        edit(TURKEY, "kind: emergency", "kind: legal"),
        "version: 1",
        "TR has no checked emergency number",
        "kind: emergency",
    ),
    Case(
        "country-emergency-service-not-checked",
        TR_YAML,
        edit(TURKEY, f"verified: {CHECKED}", "verified: null"),
        "version: 1",
        "TR has no checked emergency number",
        "verified date",
    ),
    Case(
        "country-file-names-another-country",
        TR_YAML,
        edit(TURKEY, "country: TR", "country: LB"),
        "country: LB",
        "country is 'LB' but the file is TR.yaml",
        "two-letter code",
    ),
    Case(
        "bad-service-kind",
        GLOBAL_YAML,
        edit(GLOBAL, "kind: emergency", "kind: emergancy"),
        "kind: emergancy",
        "'emergancy' is not a kind of service",
        "did you mean 'emergency'?",
    ),
    Case(
        "verified-not-a-date",
        GLOBAL_YAML,
        edit(GLOBAL, f"verified: {CHECKED}", "verified: last week"),
        "verified: last week",
        "'verified' must be a date",
        "verified: 2026-11-01",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_broken_file_is_reported_at_its_line(tree: Path, case: Case) -> None:
    put(tree, case.file, case.text)
    line = line_of(case.text, case.at)

    content, problems = load(tree)

    problem = found(problems, case.file, case.says, line)
    assert problem.severity == case.severity
    assert problem.fix.strip(), f"no fix for: {problem}"
    assert case.fix_says in problem.fix
    label = "warning: " if case.severity == "warning" else ""
    assert str(problem).startswith(f"{case.file}:{line}: {label}")
    assert case.says in str(problem)
    if case.severity == "error":
        assert content is None, "content with an error must not load"
    else:
        assert content is not None, listing(problems)
        assert all(p.severity == "warning" for p in problems), listing(problems)


def test_the_same_topic_id_in_two_files_names_both(tree: Path) -> None:
    put(tree, WORRY_YAML, edit(WORRY, "id: worry", "id: sleep"))

    content, problems = load(tree)

    assert content is None
    problem = found(problems, WORRY_YAML, f"the topic id 'sleep' is also used in {SLEEP_YAML}")
    assert "its own id" in problem.fix


# Reported at the line to fix, not where YAML happened to notice the problem.
WRONG_LINE = [
    pytest.param(
        Case(
            "unclosed-quote",
            BREATHING_YAML,
            edit(BREATHING, "label: Not now", "label: 'Not now"),
            "label: 'Not now",
            "this is not valid YAML",
            "quotes",
        ),
        id="unclosed-quote",
    ),
    pytest.param(
        Case(
            "same-topic-id-in-two-files",
            WORRY_YAML,
            edit(WORRY, "id: worry", "id: sleep"),
            "id: sleep",
            "the topic id 'sleep' is also used in",
            "its own id",
        ),
        id="same-topic-id-in-two-files",
    ),
    pytest.param(
        Case(
            "page-beyond-the-topic",
            BREATHING_YAML,
            edit(BREATHING, "page: 2", "page: 3"),
            "page: 3",
            "shows topic 'sleep' page 3, but it has 2",
            "page number that exists",
        ),
        id="page-beyond-the-topic",
    ),
]


@pytest.mark.parametrize("case", WRONG_LINE)
def test_a_broken_file_is_reported_at_the_line_to_fix(tree: Path, case: Case) -> None:
    test_a_broken_file_is_reported_at_its_line(tree, case)


@pytest.mark.parametrize("case", [p.values[0] for p in WRONG_LINE], ids=lambda c: c.name)
def test_mislocated_problems_are_still_reported(tree: Path, case: Case) -> None:
    put(tree, case.file, case.text)

    content, problems = load(tree)

    assert content is None
    problem = found(problems, case.file, case.says)
    assert case.fix_says in problem.fix


# ---------------------------------------------------------------------------------------------
# Odd values officers write: each is a clear problem, never a crash or silently wrong data.


def test_a_missing_try_flow_says_it_is_a_flow(tree: Path) -> None:
    put(tree, SLEEP_YAML, edit(SLEEP, "try: [breathing]", "try: [breathe]"))

    _, problems = load(tree)

    found(problems, SLEEP_YAML, "flow 'breathe'", line_of(SLEEP, "try:"))


def test_a_yaml_syntax_error_is_reported_once(tree: Path) -> None:
    put(tree, SLEEP_YAML, edit(SLEEP, "summary: Why", " summary: Why"))

    _, problems = load(tree)

    mine = [p for p in problems if p.path == SLEEP_YAML]
    assert len(mine) == 1, listing(mine)
    assert mine[0].line == line_of(SLEEP, "summary: Why")
    assert "not valid YAML" in mine[0].message


def test_an_unquoted_yes_message_suggests_quotes(tree: Path) -> None:
    text = edit(BREATHING, "say: Thank you for taking this time.", "say: Yes")
    put(tree, BREATHING_YAML, text)

    _, problems = load(tree)

    problem = found(problems, BREATHING_YAML, "true/false", line_of(text, "say: Yes"))
    assert "quotes" in problem.fix


CRASHES = [
    pytest.param(
        GLOBAL_YAML,
        edit(GLOBAL, f"verified: {CHECKED}", "verified: 2026-02-30"),
        "verified: 2026-02-30",
        id="impossible-date",
    ),
    pytest.param(
        SLEEP_YAML,
        edit(SLEEP, "a common reaction", "a common\x0breaction"),
        "a common\x0breaction",
        id="control-character",
    ),
]


@pytest.mark.parametrize(("rel", "text", "at"), CRASHES)
def test_odd_values_are_problems_not_crashes(tree: Path, rel: str, text: str, at: str) -> None:
    put(tree, rel, text)

    content, problems = load(tree)

    assert content is None
    problem = found(problems, rel, "", line_of(text, at))
    assert problem.severity == "error" and problem.fix.strip()


def test_a_bare_number_and_a_date_with_a_time_are_read_as_meant(tree: Path) -> None:
    text = edit(GLOBAL, 'phones: ["112"]', "phones: 112")
    text = edit(text, f"verified: {CHECKED}", "verified: 2026-01-10 10:00:00")
    put(tree, GLOBAL_YAML, text)

    content, problems = load(tree)

    assert content is not None, listing(problems)
    (service,) = content.referrals.global_services
    assert service.phones == ("112",)
    assert service.verified == dt.date(2026, 1, 10)


def test_a_phone_written_as_text_is_not_split_into_digits(tree: Path) -> None:
    text = edit(GLOBAL, 'phones: ["112"]', 'phones: "112"')
    text = edit(text, "languages: [en]", "languages: en")
    put(tree, GLOBAL_YAML, text)

    content, problems = load(tree)

    if content is None:  # a fix may refuse it: then it must say where
        found(problems, GLOBAL_YAML, "phones", line_of(text, "phones:"))
    else:
        (service,) = content.referrals.global_services
        assert (service.phones, service.languages) == (("112",), ("en",))


def test_a_flow_whose_file_name_differs_still_loads(tree: Path) -> None:
    (tree / CHECK_IN_YAML).rename(tree / "flows" / "checkin.yaml")

    content, problems = load(tree)

    found(
        problems,
        "flows/checkin.yaml",
        "differs from the file name",
        line_of(CHECK_IN, "id: check_in"),
    )
    assert content is not None, listing(problems)
    assert "check_in" in content.flows


def test_the_same_flow_id_in_two_files_is_an_error(tree: Path) -> None:
    put(tree, WORRY_YAML, edit(WORRY, "try: [check_in]", "try: [breathing]"))
    put(tree, CHECK_IN_YAML, edit(CHECK_IN, "id: check_in", "id: breathing"))

    content, problems = load(tree)

    assert content is None, listing(problems)
    found(problems, CHECK_IN_YAML, "the flow id 'breathing' is also used in")


# ---------------------------------------------------------------------------------------------
# Translations


def test_an_unknown_language_folder_is_reported(tree: Path) -> None:
    put(tree, "locales/zz/LC_MESSAGES/messages.po", ARABIC_PO)

    _, problems = Catalogs.load(tree / "locales")

    problem = found(problems, "locales/zz/LC_MESSAGES/messages.po", "'zz' is not a known language")
    assert "ar, fa, uk" in problem.fix


@pytest.mark.parametrize(
    "po",
    [
        pytest.param(ARABIC_PO.encode("cp1256"), id="not-utf8"),
        pytest.param(
            edit(
                ARABIC_PO, '"Language: ar\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1) +;\\n"'
            ),
            id="broken-plural-forms",
        ),
    ],
)
def test_an_unreadable_catalog_is_reported_and_blocks_start(tree: Path, po: str | bytes) -> None:
    put(tree, ARABIC, po)

    content, _, problems = load_all(Settings(content_dir=tree))

    problem = found(problems, ARABIC, "the catalog cannot be read")
    assert "PO editor" in problem.fix
    assert content is None


def test_a_catalog_that_is_not_po_is_reported_at_its_line(tree: Path) -> None:
    text = ARABIC_PO + "\nthis line is not PO\n"
    put(tree, ARABIC, text)

    _, problems = Catalogs.load(tree / "locales")

    found(problems, ARABIC, "", line_of(text, "this line is not PO"))


# ---------------------------------------------------------------------------------------------
# The command line


def run_bot(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RAFIQ_")}
    environ["RAFIQ_DB"] = str(tmp_path / "rafiq.sqlite3")
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def broken(tree: Path) -> tuple[Path, str]:
    """The tree with one `next` to a missing step, and the file:line an officer must read."""
    text = edit(BREATHING, "next: read", "next: raed")
    put(tree, BREATHING_YAML, text)
    return tree, f"{BREATHING_YAML}:{line_of(text, 'next: raed')}: there is no step 'raed'"


def test_validate_lists_the_problem_and_fails(tmp_path: Path, broken: tuple[Path, str]) -> None:
    root, where = broken

    result = run_bot(tmp_path, "validate", "--content-dir", str(root))

    assert result.returncode == 1, result.stdout + result.stderr
    assert where in result.stdout
    assert "did you mean 'read'?" in result.stdout
    assert "Rafiq will not start" in result.stdout
    assert "Traceback" not in result.stderr


def test_validate_passes_a_valid_tree(tmp_path: Path, tree: Path) -> None:
    result = run_bot(tmp_path, "validate", "--content-dir", str(tree))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 2 topics, 2 flows, 0 warning(s)." in result.stdout


def test_validate_reads_the_tree_named_by_the_environment(
    tmp_path: Path, broken: tuple[Path, str]
) -> None:
    root, where = broken

    result = run_bot(tmp_path, "validate", env={"RAFIQ_CONTENT_DIR": str(root)})

    assert result.returncode == 1, result.stdout + result.stderr
    assert where in result.stdout


def test_chat_refuses_broken_content_without_a_traceback(
    tmp_path: Path, broken: tuple[Path, str]
) -> None:
    root, where = broken

    result = run_bot(tmp_path, "chat", "--content-dir", str(root))

    assert result.returncode == 1, result.stdout + result.stderr
    assert where in result.stderr
    assert "Rafiq did not start" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "rafiq.sqlite3").exists(), "no store is opened for broken content"


def test_chat_starts_on_the_valid_tree(tmp_path: Path, tree: Path) -> None:
    result = run_bot(tmp_path, "chat", "--content-dir", str(tree))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Do you agree to continue?" in result.stdout
    assert "Traceback" not in result.stderr


def test_the_repository_content_is_valid(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "validate")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stdout

"""The real content, walked exhaustively: every step of every flow is reached, every path can end,
and everything shown fits Telegram's limits.
"""

from __future__ import annotations

from collections import deque

import pytest

from bot.core import screens
from bot.core.engine import FlowRunner, Outcome
from bot.core.model import Content, FlowPosition, Message
from bot.i18n import CatalogTranslator
from tests.fakes import Chat

ENGLISH = CatalogTranslator("en", "ltr", {})
MAX_MESSAGE = 4096
MAX_DATA = 64


class RecordingRunner(FlowRunner):
    """A runner that notes every step it runs, so the walk knows what it reached."""

    def __init__(self, content: Content) -> None:
        super().__init__(
            content,
            ENGLISH,
            lambda topic, page: screens.page(ENGLISH, content, topic, page, nav=False),
            lambda: screens.contacts(ENGLISH, content, None),
        )
        self.ran: set[tuple[str, str]] = set()

    def _say(self, flow, step):
        self.ran.add((flow.id, step.id))
        return super()._say(flow, step)


def _key(position: FlowPosition) -> tuple:
    return position.flow, position.step, tuple(sorted(position.variables.items()))


def _check_replies(outcome: Outcome) -> None:
    for reply in outcome.replies:
        if isinstance(reply, Message):
            assert reply.text.strip(), "an empty message"
            assert len(reply.text) <= MAX_MESSAGE
            for button in reply.buttons:
                assert button.label.strip()
                assert len(button.data.encode()) <= MAX_DATA, button.data


def walk(content: Content, flow_id: str) -> tuple[RecordingRunner, dict, set]:
    """Every waiting position reachable from the start, by pressing every button and typing."""
    runner = RecordingRunner(content)
    graph: dict[tuple, set] = {}
    ends: set[tuple] = set()
    start = runner.start(flow_id)
    _check_replies(start)
    todo: deque[tuple[tuple, Outcome]] = deque([(("start",), start)])
    while todo:
        key, outcome = todo.popleft()
        if key in graph:
            continue
        graph[key] = set()
        if outcome.ended:
            ends.add(key)
            continue
        position = outcome.position
        step = content.flows[position.flow].step(position.step)
        moves = [runner.choose(position, c.id) for c in step.choices]
        if step.accepts_text:
            moves.append(runner.answer(position, "a few words"))
        for nxt in moves:
            assert nxt is not None
            _check_replies(nxt)
            nxt_key = ("end", key) if nxt.ended else _key(nxt.position)
            graph[key].add(nxt_key)
            todo.append((nxt_key, nxt))
    return runner, graph, ends


def test_there_are_enough_flows_and_topics(content: Content) -> None:
    assert len(content.flows) >= 7 and len(content.topics) >= 10
    for wanted in (
        "check_in",
        "breathing",
        "grounding",
        "sleep_plan",
        "worry_time",
        "reach_out",
        "not_ok",
    ):
        assert wanted in content.flows


@pytest.mark.parametrize(
    "flow_id",
    ["check_in", "breathing", "grounding", "sleep_plan", "worry_time", "reach_out", "not_ok"],
)
def test_every_step_is_reached_and_every_path_can_end(content: Content, flow_id: str) -> None:
    runner, graph, ends = walk(content, flow_id)
    reached = {step for flow, step in runner.ran if flow == flow_id}
    assert reached == {s.id for s in content.flows[flow_id].steps}
    assert ends, "no path ends"
    # From every position some sequence of answers reaches an end.
    can_end = set(ends)
    changed = True
    while changed:
        changed = False
        for key, nexts in graph.items():
            if key not in can_end and nexts & can_end:
                can_end.add(key)
                changed = True
    assert set(graph) == can_end


def test_not_ok_ends_with_help_contacts(content: Content) -> None:
    runner = RecordingRunner(content)
    outcome = runner.start("not_ok")
    shown = list(outcome.replies)
    while not outcome.ended:
        step = content.flows["not_ok"].step(outcome.position.step)
        outcome = (
            runner.choose(outcome.position, step.choices[0].id)
            if step.choices
            else (runner.answer(outcome.position, "ok"))
        )
        shown += outcome.replies
    assert any("People who can help" in r.text for r in shown if isinstance(r, Message))


def test_every_flow_states_its_length(content: Content) -> None:
    for flow in content.flows.values():
        assert 1 <= flow.minutes <= 15


async def test_every_page_of_every_topic_can_be_read_in_order(content: Content, agreed: Chat):
    for topic in content.topics.values():
        await agreed.send("/menu")
        await agreed.press("Read the booklet")
        await agreed.press(topic.title)
        for number in range(1, len(topic.pages) + 1):
            text = agreed.text()
            assert text.startswith(f"{topic.title} ({number}/{len(topic.pages)})")
            assert len(text) <= MAX_MESSAGE
            if number < len(topic.pages):
                await agreed.press("Next page")
        for flow_id in topic.try_flows:
            assert f"Try: {content.flows[flow_id].title}" in agreed.labels()


def test_booklet_pages_fit_one_screen_and_topics_are_long_enough(content: Content) -> None:
    for topic in content.topics.values():
        assert all(len(page) <= 900 for page in topic.pages)
        words = sum(len(page.split()) for page in topic.pages)
        assert 400 <= words <= 1000, (topic.id, words)


def test_content_uses_no_labels_or_diagnoses(content: Content) -> None:
    banned = ("trauma", "ptsd", "disorder", "mentally ill", "psychotic", "crazy")
    texts = [p for t in content.topics.values() for p in (t.title, t.summary, *t.pages)]
    texts += [
        getattr(s, "text", "") for f in content.flows.values() for st in f.steps for s in st.say
    ]
    for text in texts:
        lowered = text.casefold()
        assert not any(word in lowered for word in banned), text[:80]

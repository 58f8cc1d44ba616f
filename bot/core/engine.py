"""Runs scripted flows: from a position and a person's answer to the next waiting step.

The engine only computes: it returns the replies to show and where the person now is. It never
waits, sends or stores; pauses are returned as `Pause` replies for the adapter to honour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core.model import (
    Button,
    Content,
    Flow,
    FlowPosition,
    Message,
    Next,
    Pause,
    Reply,
    Say,
    Step,
)
from bot.core.ports import Translator

# A flow that keeps going without waiting this many steps is broken; validation refuses such loops,
# and this cap keeps a bad reload from spinning forever anyway.
MAX_STEPS_PER_TURN = 100
# What a flow may keep of typed text: enough for a word or two, never a life story.
MAX_SAVED_CHARS = 200

CHOICE_PREFIX = "c"
STOP_DATA = "q:flow"


def choice_data(flow_id: str, step_id: str, choice_id: str) -> str:
    """Button data for a flow choice. Carries the step, so a stale button is recognised."""
    return f"{CHOICE_PREFIX}:{flow_id}:{step_id}:{choice_id}"


@dataclass(frozen=True)
class Outcome:
    """Replies to show and the new position (`None` once the flow has ended)."""

    replies: tuple[Reply, ...]
    position: FlowPosition | None

    @property
    def ended(self) -> bool:
        return self.position is None


def resolve(next_: Next | None, variables: Mapping[str, str]) -> str | None:
    if next_ is None or isinstance(next_, str):
        return next_
    for branch in next_:
        if branch.matches(variables):
            return branch.then
    return None


class FlowRunner:
    """Steps through flows for one person in one locale."""

    def __init__(
        self,
        content: Content,
        tr: Translator,
        render_page: Callable[[str, int], Message],
        render_contacts: Callable[[], Message],
    ) -> None:
        self._content = content
        self._tr = tr
        self._render_page = render_page
        self._render_contacts = render_contacts

    def start(self, flow_id: str) -> Outcome:
        flow = self._content.flows[flow_id]
        return self._run(flow, flow.steps[0], {})

    def show(self, position: FlowPosition) -> Outcome | None:
        """Show the waiting step again (after a detour to the menu or the help contacts)."""
        found = self._locate(position)
        if found is None:
            return None
        flow, step = found
        return Outcome(self._present(flow, step, []), position)

    def choose(self, position: FlowPosition, choice_id: str) -> Outcome | None:
        """Follow a button. `None` if the button does not belong to the waiting step."""
        found = self._locate(position)
        if found is None:
            return None
        flow, step = found
        choice = next((c for c in step.choices if c.id == choice_id), None)
        if choice is None:
            return None
        variables = dict(position.variables)
        if step.save:
            variables[step.save] = choice.id
        target = resolve(choice.next if choice.next is not None else step.next, variables)
        return self._go(flow, step, target, variables)

    def answer(self, position: FlowPosition, text: str) -> Outcome | None:
        """Take typed text at a step that asks for it. `None` if the step does not take text."""
        found = self._locate(position)
        if found is None:
            return None
        flow, step = found
        if not step.accepts_text:
            return None
        variables = dict(position.variables)
        if step.save:
            variables[step.save] = text[:MAX_SAVED_CHARS]
        return self._go(flow, step, resolve(step.next, variables), variables)

    def match_label(self, position: FlowPosition, text: str) -> str | None:
        """The id of the choice whose label was typed, if any (for channels without buttons)."""
        found = self._locate(position)
        if found is None:
            return None
        flow, step = found
        wanted = text.strip().casefold()
        for choice in step.choices:
            label = self._tr.pgettext(flow.step_context(step.id), choice.label)
            if label.casefold() == wanted or choice.label.casefold() == wanted:
                return choice.id
        return None

    def _locate(self, position: FlowPosition) -> tuple[Flow, Step] | None:
        flow = self._content.flows.get(position.flow)
        step = flow.step(position.step) if flow else None
        if flow is None or step is None:
            return None
        return flow, step

    def _go(
        self, flow: Flow, step: Step, target: str | None, variables: dict[str, str]
    ) -> Outcome:
        nxt = flow.step(target) if target else flow.following(step.id)
        if nxt is None:
            return Outcome((), None)
        return self._run(flow, nxt, variables)

    def _run(self, flow: Flow, step: Step, variables: dict[str, str]) -> Outcome:
        replies: list[Reply] = []
        for _ in range(MAX_STEPS_PER_TURN):
            if step.waits:
                position = FlowPosition(flow.id, step.id, MappingProxyType(variables))
                return Outcome(self._present(flow, step, replies), position)
            replies.extend(self._say(flow, step))
            if step.start_flow:
                flow, variables = self._content.flows[step.start_flow], {}
                step = flow.steps[0]
                continue
            target = resolve(step.next, variables)
            nxt = None if step.end else (flow.step(target) if target else flow.following(step.id))
            if nxt is None:
                return Outcome(tuple(replies), None)
            step = nxt
        return Outcome(tuple(replies), None)

    def _say(self, flow: Flow, step: Step) -> list[Reply]:
        out: list[Reply] = []
        context = flow.step_context(step.id)
        for item in step.say:
            if isinstance(item, Say):
                text = self._tr.pgettext(context, item.text)
                out.append(Message(text, direction=self._tr.direction))
            else:
                out.append(Pause(item.seconds))
        if step.topic:
            out.append(self._render_page(step.topic, step.page))
        if step.show_help:
            out.append(self._render_contacts())
        return out

    def _present(self, flow: Flow, step: Step, before: list[Reply]) -> tuple[Reply, ...]:
        """A waiting step: its messages, with its buttons on the last one."""
        replies = [*before, *self._say(flow, step)]
        context = flow.step_context(step.id)
        choices = (
            Button(self._tr.pgettext(context, c.label), choice_data(flow.id, step.id, c.id))
            for c in step.choices
        )
        buttons = (*choices, Button(self._tr.gettext("Stop the exercise"), STOP_DATA))
        last = next(
            (i for i in range(len(replies) - 1, -1, -1) if isinstance(replies[i], Message)), None
        )
        if last is None:
            replies.append(Message(self._tr.gettext("Choose one:"), buttons, self._tr.direction))
        else:
            msg = replies[last]
            assert isinstance(msg, Message)
            replies[last] = Message(msg.text, buttons, msg.direction)
        return tuple(replies)

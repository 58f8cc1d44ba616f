"""Loading and validating the content tree: booklet topics, flows and referrals, from YAML to the
model.

`load_content` either returns a `Content` that the core can serve without surprises, or the list of
problems that stop it. The same checks back `python -m bot validate`, start-up and reload, so an
officer sees exactly what the bot would refuse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.content.lexicons import load_lexicons
from bot.content.yamlfile import (
    _ID,
    ID_RULE,
    Checker,
    Located,
    LocatedList,
    Problem,
    did_you_mean,
    relative,
)
from bot.core.engine import choice_data
from bot.core.model import (
    Branch,
    Choice,
    Content,
    Flow,
    Next,
    Pause,
    Referrals,
    Say,
    Service,
    ServiceKind,
    Step,
    Topic,
)
from bot.core.screens import flow_data, page_data

MAX_PAGE = 900
MAX_MESSAGE = 4096
MAX_LABEL = 40
MAX_TITLE = 40
MAX_BUTTON_DATA = 64
MAX_PAUSE = 60
MAX_TOPIC_ID = 20
MAX_STEP_ID = 16
STALE_AFTER_DAYS = 180
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]*$")

TOPIC_FIELDS = {"version", "id", "title", "summary", "pages"}
TOPIC_OPTIONAL = {"try", "related", "order"}
FLOW_FIELDS = {"version", "id", "title", "summary", "minutes", "steps"}
FLOW_OPTIONAL = {"order"}
STEP_OPTIONAL = {
    "say",
    "choices",
    "input",
    "save",
    "next",
    "topic",
    "page",
    "help",
    "flow",
    "end",
}
CHOICE_FIELDS = {"label"}
CHOICE_OPTIONAL = {"id", "next"}
REFERRAL_FIELDS = {"version", "country", "services"}
SERVICE_FIELDS = {"id", "name", "kind", "verified"}
SERVICE_OPTIONAL = {"phones", "url", "hours", "languages", "serves", "cost", "note"}


@dataclass
class _Refs:
    """References to check once every file is read: (file, line, what, target)."""

    topics: list[tuple[Checker, int, str, str]] = field(default_factory=list)
    # (file, line of `topic:`, what, topic, page, line of `page:`)
    pages: list[tuple[Checker, int, str, str, int, int]] = field(default_factory=list)
    flows: list[tuple[Checker, int, str, str]] = field(default_factory=list)


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


# ---------------------------------------------------------------------------------------------
# Booklet


def _load_topic(
    path: Path, root: Path, problems: list[Problem], refs: _Refs
) -> tuple[float, Topic, int] | None:
    f = Checker(relative(path, root), problems)
    data = f.document(path, "a booklet topic")
    if data is None:
        return None
    f.keys(data, TOPIC_FIELDS, TOPIC_OPTIONAL, "the topic")
    f.version(data)
    topic_id = f.ident(data, "id", "the topic", MAX_TOPIC_ID)
    if topic_id and topic_id != path.stem:
        f.warn(
            data.line_of("id"),
            f"the id '{topic_id}' differs from the file name",
            f"rename the file to {topic_id}.yaml so it is easy to find",
        )
    title = f.text(data, "title", "the topic", MAX_TITLE)
    summary = f.text(data, "summary", "the topic", MAX_MESSAGE)
    pages_raw = data.get("pages")
    pages: list[str] = []
    if not isinstance(pages_raw, list) or not pages_raw:
        if "pages" in data:
            f.error(
                data.line_of("pages"),
                "'pages' must be a list of texts",
                "start each page with '- |' and write the text below it, indented",
            )
    else:
        for i, page in enumerate(pages_raw):
            line = pages_raw.line_of(i) if isinstance(pages_raw, LocatedList) else data.line
            if not isinstance(page, str):
                f.error(line, f"page {i + 1} is not text", "write the page as a '- |' block")
                continue
            if f.check_text(page, line, f"page {i + 1}", MAX_PAGE):
                pages.append(page)
            if topic_id and len(page_data(topic_id, i + 1).encode()) > MAX_BUTTON_DATA:
                f.error(line, "the topic id is too long for its page buttons", "shorten the id")
    try_flows = f.id_list(data, "try", "the topic")
    related = f.id_list(data, "related", "the topic")
    for target, line in try_flows:
        refs.flows.append((f, line, "the topic's 'try' names flow", target))
    for target, line in related:
        refs.topics.append((f, line, "the topic's 'related'", target))
    if not (topic_id and title and summary and pages) or len(pages) != len(pages_raw or []):
        return None
    topic = Topic(
        topic_id,
        title,
        summary,
        tuple(pages),
        tuple(t for t, _ in try_flows),
        tuple(t for t, _ in related),
        f.shown_as,
    )
    return f.order(data), topic, data.line_of("id")


# ---------------------------------------------------------------------------------------------
# Flows


def _next(
    f: Checker, value: Any, line: int, what: str, targets: list[tuple[str, int]]
) -> Next | None:
    """Parse a `next`: a step id, or `if`/`then` branches ending in `else`."""
    if value is None:
        return None
    if isinstance(value, str):
        targets.append((value, line))
        return value
    if not isinstance(value, list) or not value:
        f.error(
            line,
            f"the next of {what} must be a step id or a list of if/then branches",
            "write next: <step id>, or see 'branch' in docs/writing-content.md",
        )
        return None
    branches: list[Branch] = []
    for i, item in enumerate(value):
        item_line = value.line_of(i) if isinstance(value, LocatedList) else line
        if not isinstance(item, Located):
            f.error(
                item_line,
                f"branch {i + 1} of {what} is not 'if:/then:' or 'else:'",
                "write '- if: {variable: value}' with 'then: <step>' below, or '- else: <step>'",
            )
            continue
        if "else" in item:
            f.keys(item, {"else"}, set(), f"the else branch of {what}")
            target = item.get("else")
            if not isinstance(target, str):
                f.error(
                    item_line, f"the else branch of {what} needs a step id", "write else: <step>"
                )
                continue
            if i != len(value) - 1:
                f.error(
                    item_line,
                    f"the else branch of {what} is not the last one",
                    "move 'else' to the end: branches after it are never used",
                )
            targets.append((target, item.line_of("else")))
            branches.append(Branch(target))
            continue
        f.keys(item, {"if", "then"}, set(), f"a branch of {what}")
        cond, then = item.get("if"), item.get("then")
        if not isinstance(then, str):
            f.error(item_line, f"a branch of {what} has no step to go to", "add then: <step id>")
            continue
        if not isinstance(cond, Located) or len(cond) != 1:
            f.error(
                item.line_of("if"),
                f"the 'if' of a branch of {what} must name one variable",
                "write if: {variable: value} or if: {variable: [value1, value2]}",
            )
            continue
        ((variable, wanted),) = cond.items()
        if isinstance(wanted, bool):
            f.error(
                item.line_of("if"),
                f"the value in the 'if' of {what} was read as true/false",
                "put the value in quotes, for example 'yes'",
            )
            continue
        values = tuple(str(v) for v in wanted) if isinstance(wanted, list) else (str(wanted),)
        targets.append((then, item.line_of("then")))
        branches.append(Branch(then, str(variable), values))
    return tuple(branches)


def _load_say(f: Checker, step: Located, what: str) -> tuple[Say | Pause, ...]:
    raw = step.get("say")
    if raw is None:
        if "say" in step:
            f.error(step.line_of("say"), f"'say' of {what} is empty", "write a text, or remove it")
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out: list[Say | Pause] = []
    for i, item in enumerate(items):
        line = raw.line_of(i) if isinstance(raw, LocatedList) else step.line_of("say")
        if isinstance(item, str):
            if f.check_text(item, line, f"a message of {what}", MAX_MESSAGE):
                out.append(Say(item))
        elif isinstance(item, Located) and set(item) == {"pause"}:
            seconds = item["pause"]
            if (
                isinstance(seconds, bool)
                or not isinstance(seconds, int | float)
                or not (0 < seconds <= MAX_PAUSE)
            ):
                f.error(
                    line,
                    f"a pause of {what} must be a number of seconds from 1 to {MAX_PAUSE}",
                    "write pause: 4",
                )
            else:
                out.append(Pause(float(seconds)))
        elif isinstance(item, bool):
            f.error(
                line,
                f"a message of {what} was read as true/false, not as text",
                "put the text in quotes, for example say: 'Yes'",
            )
        else:
            f.error(
                line,
                f"item {i + 1} of 'say' in {what} is neither a text nor a pause",
                "write a text, or 'pause: <seconds>'",
            )
    return tuple(out)


def _load_step(
    f: Checker, raw: Any, line: int, flow_id: str, refs: _Refs, targets: list[tuple[str, int]]
) -> Step | None:
    step = f.mapping(raw, line, "a step")
    if step is None:
        return None
    f.keys(step, {"id"}, STEP_OPTIONAL, "the step")
    step_id = f.ident(step, "id", "a step", MAX_STEP_ID)
    if step_id is None:
        return None
    what = f"step '{step_id}'"
    say = _load_say(f, step, what)
    choices: list[Choice] = []
    raw_choices = step.get("choices")
    if raw_choices is not None:
        if not isinstance(raw_choices, list) or not raw_choices:
            f.error(
                step.line_of("choices"),
                f"the choices of {what} must be a list of buttons",
                "write '- label: <text>' lines under choices, or remove 'choices'",
            )
        else:
            seen: set[str] = set()
            for i, item in enumerate(raw_choices):
                item_line = (
                    raw_choices.line_of(i) if isinstance(raw_choices, LocatedList) else line
                )
                c = f.mapping(item, item_line, f"choice {i + 1} of {what}")
                if c is None:
                    continue
                f.keys(c, CHOICE_FIELDS, CHOICE_OPTIONAL, f"a choice of {what}")
                choice_id = (
                    f.ident(c, "id", f"a choice of {what}", MAX_STEP_ID)
                    if "id" in c
                    else str(i + 1)
                )
                label = f.text(c, "label", f"a choice of {what}", MAX_LABEL)
                if choice_id is None or label is None:
                    continue
                if choice_id in seen:
                    f.error(
                        c.line_of("id"),
                        f"two choices of {what} have the id '{choice_id}'",
                        "give each choice its own id",
                    )
                seen.add(choice_id)
                data = choice_data(flow_id, step_id, choice_id)
                if len(data.encode()) > MAX_BUTTON_DATA:
                    f.error(
                        item_line,
                        f"the button data '{data}' is over {MAX_BUTTON_DATA} bytes",
                        "shorten the flow, step or choice id",
                    )
                nxt = _next(f, c.get("next"), c.line_of("next"), f"a choice of {what}", targets)
                choices.append(Choice(choice_id, label, nxt))
    accepts_text = False
    if "input" in step:
        if step["input"] != "text":
            f.error(
                step.line_of("input"), f"'input' of {what} can only be 'text'", "write input: text"
            )
        accepts_text = True
    save = step.get("save")
    if save is not None and (not isinstance(save, str) or not _ID.match(save)):
        f.error(step.line_of("save"), f"'save' of {what} must be a variable name", ID_RULE)
        save = None
    waits = bool(choices) or accepts_text
    if save and not waits:
        f.error(
            step.line_of("save"),
            f"{what} saves a variable but waits for nothing",
            "add choices or 'input: text', or remove 'save'",
        )
    topic = step.get("topic")
    page = step.get("page", 1)
    if topic is not None:
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            f.error(
                step.line_of("page"), f"'page' of {what} must be a page number", "write page: 1"
            )
            page = 1
        page_line = step.line_of("page" if "page" in step else "topic")
        refs.pages.append(
            (f, step.line_of("topic"), f"{what} shows topic", str(topic), page, page_line)
        )
    elif "page" in step:
        f.error(step.line_of("page"), f"{what} has a page but no topic", "add topic: <topic id>")
    show_help = step.get("help", False)
    if show_help not in (True, False):
        f.error(
            step.line_of("help"), f"'help' of {what} must be true or false", "write help: true"
        )
        show_help = False
    start_flow = step.get("flow")
    if start_flow is not None:
        refs.flows.append((f, step.line_of("flow"), f"{what} starts flow", str(start_flow)))
    end = step.get("end", False)
    if end not in (True, False):
        f.error(step.line_of("end"), f"'end' of {what} must be true or false", "write end: true")
        end = False
    if waits and (end or start_flow):
        f.error(
            step.line,
            f"{what} waits for the person but also ends or starts another flow",
            "split it: one step that waits, then a step with end or flow",
        )
    if waits and not any(isinstance(s, Say) for s in say) and not (topic or show_help):
        f.error(
            step.line,
            f"{what} waits for the person without saying anything",
            "add a 'say' that tells the person what to do",
        )
    nxt = _next(f, step.get("next"), step.line_of("next"), what, targets)
    if nxt is not None and (end or start_flow):
        f.error(
            step.line_of("next"),
            f"{what} has a 'next' that is never used",
            "remove 'next', or remove 'end'/'flow'",
        )
    return Step(
        step_id,
        say,
        tuple(choices),
        accepts_text,
        save,
        nxt,
        str(topic) if topic is not None else None,
        page,
        bool(show_help),
        str(start_flow) if start_flow is not None else None,
        bool(end),
    )


def _step_edges(flow: Flow, step: Step) -> set[str | None]:
    """Where a step can lead; `None` stands for the end of the flow."""
    if step.end or step.start_flow:
        return {None}

    def targets(nxt: Next | None) -> set[str | None]:
        following = flow.following(step.id)
        fallback = following.id if following else None
        if nxt is None:
            return {fallback}
        if isinstance(nxt, str):
            return {nxt}
        out: set[str | None] = {b.then for b in nxt}
        if not any(b.variable is None for b in nxt):
            out.add(fallback)
        return out

    if not step.waits:
        return targets(step.next)
    edges: set[str | None] = set()
    for choice in step.choices:
        edges |= targets(choice.next if choice.next is not None else step.next)
    if step.accepts_text:
        edges |= targets(step.next)
    return edges


def _check_graph(f: Checker, flow: Flow, lines: dict[str, int]) -> None:
    edges = {s.id: _step_edges(flow, s) for s in flow.steps}
    reached: set[str] = set()
    todo = [flow.steps[0].id]
    while todo:
        sid = todo.pop()
        if sid in reached or sid not in edges:
            continue
        reached.add(sid)
        todo.extend(t for t in edges[sid] if t is not None)
    for step in flow.steps:
        if step.id not in reached:
            f.error(
                lines[step.id],
                f"no path reaches step '{step.id}'",
                "point a 'next' or a choice at it, or remove it",
            )
    # A step has a way out if some path from it ends the flow.
    can_end = {sid for sid, out in edges.items() if None in out}
    changed = True
    while changed:
        changed = False
        for sid, out in edges.items():
            if sid not in can_end and out & can_end:
                can_end.add(sid)
                changed = True
    for step in flow.steps:
        if step.id in reached and step.id not in can_end:
            f.error(
                lines[step.id],
                f"step '{step.id}' has no way out: no path from it ends the flow",
                "add 'end: true' somewhere after it, or a choice that leads to an end",
            )
    # Steps that never wait must not go round in a circle: the person would never get a turn.
    quiet = {s.id: {t for t in edges[s.id] if t} for s in flow.steps if not s.waits}
    for start in quiet:
        seen: set[str] = set()
        stack = list(quiet[start])
        while stack:
            sid = stack.pop()
            if sid == start:
                f.error(
                    lines[start],
                    f"step '{start}' is part of a loop that never waits",
                    "add a step with choices to the loop, or end it",
                )
                break
            if sid in quiet and sid not in seen:
                seen.add(sid)
                stack.extend(quiet[sid])
        else:
            continue


def _load_flow(
    path: Path, root: Path, problems: list[Problem], refs: _Refs
) -> tuple[float, Flow, int] | None:
    f = Checker(relative(path, root), problems)
    data = f.document(path, "a flow")
    if data is None:
        return None
    before = f.errors()
    f.keys(data, FLOW_FIELDS, FLOW_OPTIONAL, "the flow")
    f.version(data)
    flow_id = f.ident(data, "id", "the flow", MAX_TOPIC_ID)
    if flow_id and flow_id != path.stem:
        f.warn(
            data.line_of("id"),
            f"the id '{flow_id}' differs from the file name",
            f"rename the file to {flow_id}.yaml so it is easy to find",
        )
    title = f.text(data, "title", "the flow", MAX_TITLE)
    summary = f.text(data, "summary", "the flow", MAX_MESSAGE)
    minutes = data.get("minutes")
    if "minutes" in data and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= 120
    ):
        f.error(
            data.line_of("minutes"),
            "'minutes' must be a whole number of minutes",
            "write minutes: 3",
        )
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        if "steps" in data:
            f.error(
                data.line_of("steps"),
                "'steps' must be a list of steps",
                "start each step with '- id: <step id>'",
            )
        return None
    steps: list[Step] = []
    lines: dict[str, int] = {}
    targets: list[tuple[str, int]] = []
    for i, raw in enumerate(raw_steps):
        line = raw_steps.line_of(i) if isinstance(raw_steps, LocatedList) else data.line
        step = _load_step(f, raw, line, flow_id or "x", refs, targets)
        if step is None:
            continue
        if step.id in lines:
            f.error(
                line,
                f"two steps have the id '{step.id}' (the other is on line {lines[step.id]})",
                "give each step its own id",
            )
            continue
        lines[step.id] = line
        steps.append(step)
    for target, line in targets:
        if target not in lines:
            hint = did_you_mean(target, list(lines))
            f.error(
                line,
                f"there is no step '{target}' in this flow",
                f"{hint} the steps are: {', '.join(lines)}".strip(),
            )
    if f.errors() != before or not (flow_id and title and summary and minutes and steps):
        return None
    flow = Flow(flow_id, title, summary, minutes, tuple(steps), f.shown_as)
    _check_graph(f, flow, lines)
    if f.errors() != before:
        return None
    if len(flow_data(flow_id).encode()) > MAX_BUTTON_DATA:
        f.error(data.line_of("id"), "the flow id is too long for a button", "use a shorter id")
    return f.order(data), flow, data.line_of("id")


# ---------------------------------------------------------------------------------------------
# Referrals


def _load_referrals(
    folder: Path, root: Path, problems: list[Problem], today: dt.date
) -> Referrals:
    global_services: tuple[Service, ...] = ()
    by_country: dict[str, tuple[Service, ...]] = {}
    if not (folder / "global.yaml").exists():
        problems.append(
            Problem(
                relative(folder, root) + "/global.yaml",
                1,
                "the file is missing",
                "create it: it holds the help contacts everyone sees",
            )
        )
    for path in _yaml_files(folder):
        f = Checker(relative(path, root), problems)
        data = f.document(path, "a referral file")
        if data is None:
            continue
        f.keys(data, REFERRAL_FIELDS, set(), "the referral file")
        f.version(data)
        if "country" not in data:
            continue  # `keys` has said it is missing
        country = data.get("country")
        expected = None if path.stem == "global" else path.stem.upper()
        if country != expected:
            shown = "null" if country is None else f"'{country}'"
            f.error(
                data.line_of("country"),
                f"country is {shown} but the file is {path.name}",
                "write country: null in global.yaml, or the file's two-letter code",
            )
            continue
        services = _load_services(f, data, country, today)
        # Everyone sees the global contacts, so they too must hold a number that works in danger.
        if not any(s.kind == ServiceKind.EMERGENCY and s.verified for s in services):
            f.error(
                data.line,
                f"{'the global contacts have' if country is None else country + ' has'} "
                "no checked emergency number",
                "add a service with kind: emergency and its verified date",
            )
        if country is None:
            global_services = services
        else:
            by_country[country] = services
    return Referrals(global_services, MappingProxyType(by_country))


def _load_services(
    f: Checker, data: Located, country: str | None, today: dt.date
) -> tuple[Service, ...]:
    raw = data.get("services")
    if not isinstance(raw, list):
        f.error(data.line_of("services"), "'services' must be a list", "start each with '- id:'")
        return ()
    services: list[Service] = []
    kinds = [k.value for k in ServiceKind]
    for i, item in enumerate(raw):
        line = raw.line_of(i) if isinstance(raw, LocatedList) else data.line
        s = f.mapping(item, line, f"service {i + 1}")
        if s is None:
            continue
        f.keys(s, SERVICE_FIELDS, SERVICE_OPTIONAL, "the service")
        sid = f.ident(s, "id", "a service", MAX_TOPIC_ID)
        name = f.text(s, "name", "the service", MAX_LABEL * 2)
        kind = s.get("kind")
        if kind not in kinds:
            f.error(
                s.line_of("kind"),
                f"'{kind}' is not a kind of service",
                f"{did_you_mean(str(kind), kinds)} use one of: {', '.join(kinds)}".strip(),
            )
            continue
        phones = f.values(s, "phones", f"service '{sid}'")
        for p in phones:
            if not _PHONE.match(p):
                f.error(
                    s.line_of("phones"),
                    f"'{p}' does not look like a phone number",
                    "write digits only, with an optional + and spaces, in quotes",
                )
        verified = s.get("verified")
        if isinstance(verified, dt.datetime):
            verified = verified.date()  # a time of day was written too; the day is what counts
        if verified is None:
            f.warn(
                line,
                f"service '{sid}' is an example entry (verified: null), so it is never shown",
                "check the details with the service, then write the date as verified: YYYY-MM-DD",
            )
        elif not isinstance(verified, dt.date):
            f.error(
                s.line_of("verified"), "'verified' must be a date", "write verified: 2026-11-01"
            )
            verified = None
        elif verified > today:
            f.warn(
                s.line_of("verified"),
                f"service '{sid}' says it was checked on {verified}, which is in the future",
                "write the date the entry was really checked",
            )
        elif (today - verified).days > STALE_AFTER_DAYS:
            f.warn(
                s.line_of("verified"),
                f"service '{sid}' was last checked {(today - verified).days} days ago",
                "check that its numbers and hours still work, then update 'verified'",
            )
        if not (sid and name):
            continue
        text = {k: str(s.get(k) or "") for k in ("hours", "serves", "cost", "note")}
        services.append(
            Service(
                sid,
                name,
                ServiceKind(kind),
                phones,
                s.get("url"),
                text["hours"],
                f.values(s, "languages", f"service '{sid}'"),
                text["serves"],
                text["cost"],
                text["note"],
                verified,
                country,
            )
        )
    return tuple(services)


# ---------------------------------------------------------------------------------------------


def _check_refs(refs: _Refs, topics: dict[str, Topic], flows: dict[str, Flow]) -> None:
    for f, line, what, target in refs.topics:
        if target not in topics:
            hint = did_you_mean(target, list(topics))
            f.error(
                line,
                f"{what} names topic '{target}', which does not exist",
                f"{hint} check content/booklet/ for the topic ids".strip(),
            )
    for f, line, what, target, page, page_line in refs.pages:
        if target not in topics:
            hint = did_you_mean(target, list(topics))
            f.error(
                line,
                f"{what} '{target}', which does not exist",
                f"{hint} check content/booklet/ for the topic ids".strip(),
            )
        elif page > len(topics[target].pages):
            f.error(
                page_line,
                f"{what} '{target}' page {page}, but it has {len(topics[target].pages)}",
                "use a page number that exists",
            )
    for f, line, what, target in refs.flows:
        if target not in flows:
            hint = did_you_mean(target, list(flows))
            f.error(
                line,
                f"{what} '{target}', which does not exist",
                f"{hint} check flows/ for the flow ids".strip(),
            )


def _ordered(items: Iterable[tuple[Any, str, Any]]) -> dict[str, Any]:
    return {key: value for _, key, value in sorted(items, key=lambda t: (t[0], t[1]))}


def load_content(root: Path, today: dt.date | None = None) -> tuple[Content | None, list[Problem]]:
    """Load and check everything under `root`. Returns no content when any error was found."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    refs = _Refs()
    topics: dict[str, Topic] = {}
    topic_order: list[tuple[Any, str, Topic]] = []
    for folder, name in ((root / "content" / "booklet", "booklet"), (root / "flows", "flows")):
        if not folder.is_dir() or not _yaml_files(folder):
            problems.append(
                Problem(
                    relative(folder, root),
                    1,
                    f"there are no {name} files here",
                    "check --content-dir / RAFIQ_CONTENT_DIR",
                )
            )
    for path in _yaml_files(root / "content" / "booklet"):
        loaded = _load_topic(path, root, problems, refs)
        if loaded is None:
            continue
        order, topic, id_line = loaded
        if topic.id in topics:
            problems.append(
                Problem(
                    topic.source,
                    id_line,
                    f"the topic id '{topic.id}' is also used in {topics[topic.id].source}",
                    "give each topic its own id",
                )
            )
            continue
        topics[topic.id] = topic
        topic_order.append((order, topic.id, topic))
    flows: dict[str, Flow] = {}
    flow_order: list[tuple[Any, str, Flow]] = []
    for path in _yaml_files(root / "flows"):
        loaded_flow = _load_flow(path, root, problems, refs)
        if loaded_flow is None:
            continue
        order, flow, id_line = loaded_flow
        if flow.id in flows:
            problems.append(
                Problem(
                    flow.source,
                    id_line,
                    f"the flow id '{flow.id}' is also used in {flows[flow.id].source}",
                    "give each flow its own id",
                )
            )
            continue
        flows[flow.id] = flow
        flow_order.append((order, flow.id, flow))
    _check_refs(refs, topics, flows)
    referrals = _load_referrals(root / "content" / "referrals", root, problems, today)
    lexicons = load_lexicons(root / "locales", root, problems)
    if any(p.severity == "error" for p in problems):
        return None, problems
    content = Content(
        MappingProxyType(_ordered(topic_order)),
        MappingProxyType(_ordered(flow_order)),
        referrals,
        lexicons,
    )
    return content, problems

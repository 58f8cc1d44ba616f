"""`python -m bot <command>`: chat in the terminal, validate content, run on Telegram."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.bootstrap import App, ContentInvalid, build, load_all
from bot.config import Settings
from bot.content.yamlfile import Problem

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Rafiq: a self-help companion for people on the move.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def content_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--content-dir",
            metavar="DIR",
            help="folder holding content/, flows/ and locales/ (default: $RAFIQ_CONTENT_DIR, "
            "else this repository)",
        )

    chat = commands.add_parser("chat", help="chat with Rafiq in this terminal (no token needed)")
    content_dir(chat)
    chat.add_argument("--db", metavar="PATH", help="SQLite file (default: $RAFIQ_DB or data/)")
    preview = chat.add_mutually_exclusive_group()
    preview.add_argument("--flow", metavar="ID", help="preview one exercise from its first step")
    preview.add_argument("--topic", metavar="ID", help="preview one booklet topic")
    chat.add_argument("--locale", metavar="LANG", help="language to chat in (default: negotiated)")
    chat.add_argument(
        "--pauses",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="wait during exercise pauses (default: yes when typing, no when input is piped)",
    )
    validate = commands.add_parser("validate", help="check all content; list problems")
    content_dir(validate)
    run = commands.add_parser("run", help="serve Rafiq on Telegram")
    content_dir(run)
    triage = commands.add_parser(
        "triage",
        help='screen messages from stdin (one a line: text, or JSON with a "text" key); '
        "print one JSON result a line",
    )
    content_dir(triage)
    i18n = commands.add_parser("i18n", help="translators' workflow on the PO catalogs")
    content_dir(i18n)
    i18n.add_argument(
        "action", choices=("extract", "update", "init", "status", "check"),
        help="extract: refresh locales/messages.pot; update: merge it into every locale "
        "(changed texts become fuzzy); init LANG: a new locale folder; status: what each "
        "locale lacks; check: placeholders, tags and lengths against the source",
    )  # fmt: skip
    i18n.add_argument("lang", nargs="?", help="the language code, for init")
    return parser


def _print_problems(problems: Sequence[Problem], stream: object = sys.stderr) -> None:
    for problem in problems:
        print(problem, file=stream)  # type: ignore[call-overload]


def validate(settings: Settings) -> int:
    content, _, problems = load_all(settings)
    _print_problems(problems, sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if content is None:
        print(f"{errors} error(s), {warnings} warning(s): Rafiq will not start with this content.")
        return 1
    print(f"OK: {len(content.topics)} topics, {len(content.flows)} flows, {warnings} warning(s).")
    return 0


def i18n(root: Path, action: str, lang: str | None) -> int:
    from bot import i18n_workflow as wf

    if action == "extract":
        print(f"{wf.extract(root)} texts in locales/{wf.TEMPLATE}")
    elif action == "update":
        print("updated: " + ", ".join(wf.update(root)))
        print("Changed English texts are marked fuzzy: see `python -m bot i18n status`.")
    elif action == "init":
        if not lang:
            print("init needs a language code, e.g. python -m bot i18n init ps", file=sys.stderr)
            return 2
        try:
            folder = wf.init(root, lang)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"created {folder}: translate LC_MESSAGES/messages.po, write safety.yaml "
              f"(see {folder}/README.md)")  # fmt: skip
    elif action == "status":
        print(wf.status_table(root))
    else:
        problems = wf.check(root)
        print("\n".join(problems) or "All translations agree with their sources.")
        return 1 if problems else 0
    return 0


def triage(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """Screen each input line with every lexicon; how officers test a lexicon change."""
    from bot.content.lexicons import load_lexicons
    from bot.core.safety import LexiconScreen

    problems: list[Problem] = []
    lexicons = load_lexicons(settings.content_dir / "locales", settings.content_dir, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        _print_problems(errors)
        return 1
    screen = LexiconScreen(lexicons)
    write = stdout.write
    for line in stdin:
        text = line.rstrip("\n")
        if text.lstrip().startswith("{"):
            try:
                value = json.loads(text)
                text = str(value.get("text", "")) if isinstance(value, dict) else text
            except ValueError:
                pass  # not JSON after all: screen the line as it is
        result = screen.screen(text)
        out = {
            "level": result.level,
            "categories": list(result.categories),
            "languages": list(result.languages),
            "matches": [
                {"phrase": m.phrase, "language": m.language, "level": m.level,
                 "category": m.category}
                for m in result.matches
            ],
        }  # fmt: skip
        write(json.dumps(out, ensure_ascii=False) + "\n")
    stdout.flush()
    return 0


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.terminal import TerminalChat
    from bot.outbox import OutboxWorker, StaffLog
    from bot.storage import SqliteStore

    previewing = bool(args.flow or args.topic)
    if previewing:
        # Previews never touch real users' data.
        store = await SqliteStore.open(":memory:")
        app = await build(settings, store=store)
    else:
        app = await build(settings)
    try:
        if args.flow and args.flow not in app.content.flows:
            print(
                f"There is no flow '{args.flow}'. Flows: {', '.join(app.content.flows)}",
                file=sys.stderr,
            )
            return 2
        if args.topic and args.topic not in app.content.topics:
            print(
                f"There is no topic '{args.topic}'. Topics: {', '.join(app.content.topics)}",
                file=sys.stderr,
            )
            return 2
        interactive = sys.stdin.isatty()
        pauses = interactive if args.pauses is None else args.pauses
        chat = TerminalChat(app, sys.stdin, sys.stdout, pauses=pauses, interactive=interactive)
        _reload_on_hangup(app)
        stop = asyncio.Event()
        worker_task = None
        staff_stream = None
        if isinstance(app.store, SqliteStore):
            # A preview's alerts are only for the officer trying it, never the real staff log.
            staff_stream = _staff_stream("-" if previewing else settings.staff_alerts)
            worker = OutboxWorker(app.store, StaffLog(staff_stream), chat.check_back)
            worker_task = asyncio.create_task(worker.run(stop))
        opening = [chat.start_event()]
        if args.locale:
            if args.locale not in app.catalogs.installed():
                print(f"There is no catalog for '{args.locale}'. Installed: "
                      f"{', '.join(app.catalogs.installed())}", file=sys.stderr)  # fmt: skip
                return 2
            app.catalogs.offer(args.locale)
            opening = [chat.button_event(f"l:{args.locale}")]
        if previewing:
            await app.conversation.handle(chat.button_event("ok:agree"))
            opening = [chat.button_event(f"x:{args.flow}" if args.flow else f"t:{args.topic}")]
        try:
            await chat.run(opening)
        finally:
            stop.set()
            if worker_task is not None:
                await worker_task
            if staff_stream is not None and staff_stream is not sys.stderr:
                staff_stream.close()
    finally:
        await app.close()
    return 0


def _staff_stream(target: str) -> TextIO:
    """Where the terminal chat writes staff alerts: a file, or stderr for "-"."""
    if target == "-":
        return sys.stderr
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("a", encoding="utf-8")


def _reload_on_hangup(app: App) -> None:
    with contextlib.suppress(NotImplementedError, AttributeError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, app.reload)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        settings = Settings.from_env(
            content_dir=getattr(args, "content_dir", None), db=getattr(args, "db", None)
        )
    except ValueError as exc:
        print(f"{exc}\nRafiq did not start: fix the setting above.", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # aiosqlite logs every statement with its parameters at DEBUG: never let that reach a log.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.root.level))
    if args.command == "validate":
        return validate(settings)
    if args.command == "triage":
        return triage(settings, sys.stdin, sys.stdout)
    if args.command == "i18n":
        return i18n(settings.content_dir, args.action, args.lang)
    try:
        if args.command == "chat":
            return asyncio.run(_chat(settings, args))
        if args.command == "run":
            return _run(settings)
    except ContentInvalid as exc:
        _print_problems(exc.problems)
        print(
            "Rafiq did not start: fix the content errors above, then try again "
            "(python -m bot validate lists them).",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2


NO_TOKEN = """Rafiq needs a Telegram bot token to run on Telegram.

1. In Telegram, open a chat with @BotFather and send /newbot; follow its questions.
2. It answers with a token like 123456:ABC-DEF...; keep it secret.
3. Start Rafiq with it:  TELEGRAM_BOT_TOKEN=123456:ABC-DEF... python -m bot run

Without a token you can chat with Rafiq in this terminal:  python -m bot chat"""


def _run(settings: Settings) -> int:
    from bot.channels.telegram_app import TelegramChannel, TelegramSettings

    telegram = TelegramSettings.from_env()
    if not telegram.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    content, _, problems = load_all(settings)
    if content is None:
        raise ContentInvalid(problems)
    wrong = telegram.problems()
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        print("Rafiq did not start: fix the settings above.", file=sys.stderr)
        return 1
    TelegramChannel(settings, telegram).run()
    return 0

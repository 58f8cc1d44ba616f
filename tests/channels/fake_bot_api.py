"""A small Bot API server on 127.0.0.1: records every call, serves queued updates, fails on cue."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

BOT_USER = {"id": 1, "is_bot": True, "first_name": "Rafiq", "username": "rafiq_test_bot"}


class FakeBotApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        # Messages sent to each chat, with when the server got them (for the load benchmark).
        self.by_chat: dict[int, list[float]] = {}
        self._delivered: set[int] = set()
        # method -> list of (status, body) to answer with before behaving normally
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1000)
        api = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as the real Bot API: httpx reuses connections.
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                method = self.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status, answer = api.answer(method, _params(self.headers, body))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, params: dict) -> tuple[int, dict]:
        with self._lock:
            self.calls.append((method, params))
            queued = self.failures.get(method)
            if queued:
                return queued.pop(0)
            if method == "getUpdates":
                offset = int(params.get("offset") or 0)
                # Delivered updates below the offset are confirmed and forgotten; one pushed
                # again (a replay) is delivered again, whatever its id.
                self.updates = [
                    u for u in self.updates
                    if not (id(u) in self._delivered and u["update_id"] < offset)
                ]  # fmt: skip
                ready = [u for u in self.updates if u["update_id"] >= offset
                         or id(u) not in self._delivered]  # fmt: skip
                self._delivered.update(id(u) for u in ready)
                return 200, {"ok": True, "result": ready}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method in ("sendMessage", "editMessageText"):
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
            params["message_id"] = message["message_id"]  # as Telegram answered it
            with self._lock:
                self.by_chat.setdefault(int(params["chat_id"]), []).append(time.perf_counter())
            return 200, {"ok": True, "result": message}
        return 200, {"ok": True, "result": True}

    def push(self, update: dict) -> None:
        with self._lock:
            self.updates.append(update)

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict]:
        with self._lock:
            return [
                p for m, p in self.calls
                if m == method and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)
            ]  # fmt: skip

    async def wait_for(self, check: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls were {[m for m, _ in self.calls]}")
            await asyncio.sleep(0.02)


def _params(headers, body: str) -> dict:
    if "json" in (headers.get("Content-Type") or ""):
        return json.loads(body or "{}")
    params = {k: v[0] for k, v in parse_qs(body).items()}
    for key, value in params.items():
        if value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):  # a text that starts with a bracket
                params[key] = json.loads(value)
    return params


_counter = itertools.count(1)


def message_update(chat_id: int, text: str | None = None, language: str = "en", **extra) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language}
    message = {
        "message_id": next(_counter), "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private"}, "from": user,
    }  # fmt: skip
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": next(_counter), "message": message}


def button_update(chat_id: int, data: str, language: str = "en") -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language}
    return {
        "update_id": next(_counter),
        "callback_query": {
            "id": f"cb{next(_counter)}", "from": user, "chat_instance": "ci", "data": data,
            "message": {"message_id": 1, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"}},
        },
    }  # fmt: skip


STAFF_CHAT = {"id": -100, "type": "supergroup", "title": "Staff"}


def group_update(from_id: int, text: str, reply_to: int | None = None) -> dict:
    """A message in the staff group."""
    message = {
        "message_id": next(_counter), "date": int(time.time()), "chat": STAFF_CHAT,
        "from": {"id": from_id, "is_bot": False, "first_name": "Officer"}, "text": text,
    }  # fmt: skip
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to, "date": int(time.time()), "chat": STAFF_CHAT,
            "from": {"id": 1, "is_bot": True, "first_name": "Rafiq"}, "text": "...",
        }  # fmt: skip
    return {"update_id": next(_counter), "message": message}


def group_button(from_id: int, data: str) -> dict:
    """A button pressed in the staff group."""
    return {
        "update_id": next(_counter),
        "callback_query": {
            "id": f"cb{next(_counter)}", "chat_instance": "staff", "data": data,
            "from": {"id": from_id, "is_bot": False, "first_name": "Someone"},
            "message": {"message_id": 1, "date": int(time.time()), "chat": STAFF_CHAT},
        },
    }  # fmt: skip

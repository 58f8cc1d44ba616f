"""Turning the core's messages into what Telegram accepts: texts within 4,096 characters, inline
keyboards with button data within 64 bytes.

Texts are sent without a parse mode, so nothing a translator writes (a "<" or an "&") can break a
message or be read as markup.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.model import Button

MAX_TEXT = 4096
MAX_DATA = 64


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, then line, then word boundaries."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or window.rfind(" ")
        if cut <= 0:
            cut = limit  # one unbroken word longer than a message: cut it
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button a row: long labels in many languages read best that way on a small phone."""
    if not buttons:
        return None
    rows = [
        [InlineKeyboardButton(b.label, callback_data=b.data)]
        for b in buttons
        if len(b.data.encode()) <= MAX_DATA
    ]
    return InlineKeyboardMarkup(rows)

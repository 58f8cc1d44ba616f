"""Adapters that carry the core's replies to people: the terminal chat (and Telegram, later)."""

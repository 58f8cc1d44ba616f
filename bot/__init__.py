"""Rafiq: a self-help companion for people on the move. See README.md."""

__version__ = "0.1.0"

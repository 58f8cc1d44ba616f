"""Keeping left-to-right runs in place inside right-to-left text.

In an Arabic or Persian message, a phone number, a command like /sos, a URL or a Latin name can be
reordered by the bidi algorithm ("112" next to Arabic punctuation, "+961 1 234 567" split up).
Wrapping each such run in a left-to-right isolate (LRI ... PDI) keeps it whole and in order,
without changing what a person sees otherwise.
"""

from __future__ import annotations

import re

LRI, PDI = "\u2066", "\u2069"
# A run of Latin letters, digits and the punctuation inside numbers, commands and addresses,
# possibly several words long ("+961 1 234 567", "Rafiq (1/8)" keeps "1/8" apart).
_LTR_RUN = re.compile(
    r"[+/]?[A-Za-z0-9][A-Za-z0-9._:/@+\-]*(?:[ \u00a0]+[+/]?[A-Za-z0-9][A-Za-z0-9._:/@+\-]*)*"
)


def isolate_ltr(text: str) -> str:
    """`text` with every left-to-right run wrapped in an isolate (idempotent)."""
    if LRI in text:
        return text
    return _LTR_RUN.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)

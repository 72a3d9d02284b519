"""Limits on hostile input shared by the gateway (console.gateway.input_guard) and the file
imports (console.services.ingest): how deep JSON may nest, how long a number may be written,
and NUL, which no text the console stores may hold (PostgreSQL's text cannot)."""

from __future__ import annotations

#: Deepest JSON nesting taken (the gateway's bodies are two or three levels deep, an import's
#: rows one or two).
MAX_DEPTH = 32
#: Longest number literal taken (an int64 has 19 digits; coordinates need far fewer). Python
#: refuses ints over 4,300 digits with a ValueError; a longer literal is kept as its text.
MAX_NUMBER_CHARS = 24
NUL = "\x00"


def has_nul(text: str) -> bool:
    return NUL in text


def printable(text: str) -> str:
    """``text`` with each NUL shown as ``\\0`` (for a message or a report cell)."""
    return text.replace(NUL, "\\0")

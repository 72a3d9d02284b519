"""Finding a category as an operator types: by code, by name, or by the name's pinyin initials.

The intake form offers the categories in force for new reports; typing ``ljx`` finds 垃圾箱,
``0601`` the codes starting so, ``井盖`` every name containing it. Pure Python, no database:
the choices are built once on the worker (pinyin costs a little) and searched in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from console.services.catalog import CategoryOption


@dataclass(frozen=True)
class CategoryChoice:
    """A category the form can file a report under, with its search keys."""

    taxonomy: str
    kind: str
    code: str
    name: str
    major_name: str
    label: str
    #: The name's pinyin initials, lower case: 垃圾箱 → "ljx".
    initials: str
    #: The name in toneless pinyin without spaces: 垃圾箱 → "lajixiang".
    spelled: str
    #: One of the five functions of grid work (CategoryOption.function).
    function: str = ""


def _keys(name: str) -> tuple[str, str]:
    # lazy_pinyin keeps a run of Latin letters or digits as one chunk, as written: it counts
    # whole in the initials too (5G基站 → "5gjz"); punctuation counts for nothing.
    chunks = [c for c in lazy_pinyin(name) if c.isalnum()]
    initials = "".join(c if c in name else c[:1] for c in chunks)
    return initials.lower(), "".join(chunks).lower()


def choices_from(options: Iterable[CategoryOption], taxonomy: str) -> list[CategoryChoice]:
    """The options of ``taxonomy`` (the one in force for new reports), with their keys."""
    out = []
    for o in options:
        if o.taxonomy != taxonomy:
            continue
        initials, spelled = _keys(o.name)
        out.append(
            CategoryChoice(
                o.taxonomy,
                o.kind,
                o.code,
                o.name,
                o.major_name,
                o.label,
                initials,
                spelled,
                o.function,
            )
        )
    return out


def _rank(choice: CategoryChoice, query: str) -> int | None:
    """Lower is better; None: no match."""
    if choice.code.startswith(query):
        return 0
    if choice.name == query or choice.initials == query:
        return 1
    if choice.initials.startswith(query) or choice.name.startswith(query):
        return 2
    if choice.spelled.startswith(query):
        return 3
    if query in choice.name or query in choice.initials:
        return 4
    if len(query) >= 3 and query in choice.spelled:
        return 5
    if query in choice.major_name:
        return 6
    return None


def search(choices: Sequence[CategoryChoice], text: str, limit: int = 50) -> list[CategoryChoice]:
    """The choices matching ``text`` (code prefix, name, pinyin initials or spelling), best
    first, then by code; every choice (up to ``limit``) for empty text."""
    query = "".join(text.split()).lower()
    if not query:
        return list(choices[:limit])
    ranked = [(r, c.code, c) for c in choices if (r := _rank(c, query)) is not None]
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in ranked[:limit]]

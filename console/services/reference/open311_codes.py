"""Open311 service codes as pure functions of the taxonomy (console.services.open311_catalog
explains the form): here, below the importer and the catalog both, so each can use them
without importing the other."""

from __future__ import annotations

from console.errors import ValidationError
from console.services.reference.files import (
    TAXONOMIES,
    category_key,
    split_category_key,
    taxonomy_of_code,
)

__all__ = ["parse_service_code", "service_code"]

#: Between a taxonomy and a category key, when the code's form does not name the taxonomy.
_QUALIFIER = ":"


def service_code(taxonomy: str, kind: str, code: str) -> str:
    """The one service_code of a category (see the module)."""
    key = category_key(kind, code)
    if taxonomy_of_code(code) == taxonomy:
        return key
    return f"{taxonomy}{_QUALIFIER}{key}"


def parse_service_code(code: str) -> tuple[str, str, str] | None:
    """(taxonomy, kind, category code) of a service_code in this module's form, else None."""
    text = code.strip()
    taxonomy: str | None = None
    if _QUALIFIER in text:
        taxonomy, _, text = text.partition(_QUALIFIER)
        if taxonomy not in TAXONOMIES:
            return None
    text = text[:1].upper() + text[1:]
    try:
        kind, plain = split_category_key(text)
    except ValidationError:
        return None
    taxonomy = taxonomy or taxonomy_of_code(plain)
    if taxonomy is None or not plain.isdigit():
        return None
    return taxonomy, kind, plain

"""Open311 GeoReport v2 in XML: the same records as the JSON answers, in the standard's shapes.

``<services><service>…``, ``<service_definition>…<attributes><attribute>…<values><value>``,
``<service_requests><request>…``, ``<discovery>…<endpoints><endpoint>…<formats><format>`` and
``<errors><error><code/><description/></error>``. Built with ElementTree, so the library escapes every text (``<``, ``&``, ``]]>`` stay text). Elements
follow the field order of the pydantic models (console.gateway.schemas); a missing value is an
empty element, booleans are ``true``/``false``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel

MEDIA_TYPE = "application/xml; charset=utf-8"
#: List fields → the element of one item (the standard's singular names).
ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
#: Characters XML 1.0 cannot carry at all (not even escaped): ElementTree would write them
#: raw and the document would not parse. They become U+FFFD, the replacement character.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class XMLResponse(Response):
    """An XML body, sent as ``application/xml; charset=utf-8``."""

    media_type = "application/xml"  # the key /openapi.json lists it under

    def __init__(
        self, content: bytes, status_code: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        # Starlette names the charset only for text/*: say it here, it is always UTF-8.
        super().__init__(content, status_code, {**(headers or {}), "content-type": MEDIA_TYPE})


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _ILLEGAL.sub("\ufffd", str(value))


def _fill(parent: ET.Element, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        child = ET.SubElement(parent, name)
        if isinstance(value, list):
            for item in value:
                node = ET.SubElement(child, ITEMS.get(name, "item"))
                if isinstance(item, Mapping):
                    _fill(node, item)
                else:  # a list of plain values: <formats><format>text/xml</format>…
                    node.text = _text(item)
        else:
            child.text = _text(value)


def document(root: str, item: str | None, records: BaseModel | Iterable[BaseModel]) -> bytes:
    """``<root><item>…</item>…</root>``, or ``<root>…</root>`` for one record (``item`` None)."""
    top = ET.Element(root)
    if item is None:
        assert isinstance(records, BaseModel)
        _fill(top, records.model_dump())
    else:
        assert not isinstance(records, BaseModel)
        for record in records:
            _fill(ET.SubElement(top, item), record.model_dump())
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def errors_document(errors: Iterable[Mapping[str, Any]]) -> bytes:
    """``<errors><error><code/><description/></error></errors>`` (plus ``field`` when known)."""
    top = ET.Element("errors")
    for error in errors:
        node = ET.SubElement(top, "error")
        ET.SubElement(node, "code").text = _text(error["code"])
        ET.SubElement(node, "description").text = _text(error["description"])
        if error.get("field"):
            ET.SubElement(node, "field").text = _text(error["field"])
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)

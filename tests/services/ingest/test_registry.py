"""The import formats are declared once (console.services.ingest.registry): detection, the
readers, the field mapping and every list of formats come from the same records (issue 14 §2)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from console.commands.ingest import add_arguments
from console.errors import ValidationError
from console.services.ingest import FORMATS
from console.services.ingest.registry import (
    FORMAT_NAMES,
    IMPORT_FORMATS,
    SNIFF_ORDER,
    detect,
    file_patterns,
    import_format,
)


@pytest.mark.parametrize(
    ("name", "head", "want"),
    [
        ("a.CSV", b'{"not": "read"}', "csv"),  # the extension decides, in any case
        ("a.tsv", b"", "csv"),
        ("a.ndjson", b"", "jsonl"),
        ("a.xml", b"", "open311"),
        ("a.geojson", b"[]", "geojson"),
        ("a.dat", b'{"type": "FeatureCollection", "features": []}', "geojson"),
        ("a.dat", b'[{"service_code": "0102", "lat": 34.2}]', "open311"),
        ("a.dat", b"<?xml version='1.0'?><service_requests/>", "open311"),
        ("a.dat", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("a.dat", b'{"a": 1,\n "b": 2}', "json"),
        ("a.json", b'[{"service_code": "0102"}]', "open311"),  # .json decides nothing
        ("a.json", b'{"type": "Feature", "geometry": null}', "geojson"),
        ("a.json", b'[{"a": 1}]', "json"),
        ("a.dat", codecs.BOM_UTF8 + b'[{"a": 1}]', "json"),
        ("a.dat", "外部编号,类别代码\n1,0102\n".encode("gb18030"), "csv"),
    ],
)
def test_detection_by_extension_then_by_the_first_bytes(name: str, head: bytes, want: str) -> None:
    assert detect(Path(name), head) == want


def test_every_list_of_formats_is_the_registry() -> None:
    assert FORMATS == FORMAT_NAMES == tuple(f.name for f in IMPORT_FORMATS)
    assert set(SNIFF_ORDER) == set(FORMAT_NAMES)
    assert import_format("open311").fields == "open311"
    assert import_format("open311").default_source == "public"
    assert {f.fields for f in IMPORT_FORMATS} == {"columns", "open311"}
    patterns = file_patterns()
    assert (
        "*.geojson" in patterns
        and "*.ndjson" in patterns
        and "*.json" in patterns
        and len(set(patterns)) == len(patterns)
    )
    with pytest.raises(ValidationError, match="未知格式 'pdf'"):
        import_format("pdf")
    # the CLI's --format choices
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    choices = next(a.choices for a in parser._actions if a.dest == "format")
    assert tuple(choices) == ("auto", *FORMAT_NAMES)

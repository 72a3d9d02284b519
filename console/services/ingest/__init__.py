"""File intake (`grid-console ingest`): CSV / JSON lines / JSON / Open311 / GeoJSON / Excel
reports, validated row by row, inserted in one all-or-nothing batch, idempotent by external id."""

from __future__ import annotations

from console.services.ingest.formats import IngestCancelled, IngestFileError, Record
from console.services.ingest.ingest import IngestResult, ingest_file
from console.services.ingest.registry import FORMAT_NAMES, IMPORT_FORMATS, ImportFormat

#: The format names, in the order the dialog and the CLI list them (registry.IMPORT_FORMATS).
FORMATS = FORMAT_NAMES

__all__ = [
    "FORMATS",
    "IMPORT_FORMATS",
    "ImportFormat",
    "IngestCancelled",
    "IngestFileError",
    "IngestResult",
    "Record",
    "ingest_file",
]

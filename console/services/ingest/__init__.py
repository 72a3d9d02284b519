"""File intake (`grid-console ingest`): CSV / JSON lines / JSON / Open311 / GeoJSON reports,
validated row by row, inserted in one all-or-nothing batch, idempotent by external id."""

from __future__ import annotations

from console.services.ingest.formats import FORMATS, IngestCancelled, IngestFileError, Record
from console.services.ingest.ingest import IngestResult, ingest_file

__all__ = [
    "FORMATS",
    "IngestCancelled",
    "IngestFileError",
    "IngestResult",
    "Record",
    "ingest_file",
]

"""GeoJSON FeatureCollections of Point features; the properties are the row's fields.

The component register's import (console.services.components.import_read) takes lines and
polygons too: ``read_features(data, shapes=True)`` keeps any other geometry as the row's
``geometry`` (a dict) for its own checks."""

from __future__ import annotations

from console.services.ingest.formats import IngestFileError, Parsed, Record, decode
from console.services.ingest.json_reader import keys_of, located_document


def read_geojson(data: bytes) -> Parsed:
    return read_features(data)


def read_features(data: bytes, *, shapes: bool = False) -> Parsed:
    text, encoding = decode(data)
    rows, members, _ = located_document(text)
    if rows is None or members.get("type") not in (None, "FeatureCollection"):
        raise IngestFileError(
            "GeoJSON 应为含 features 数组的 FeatureCollection", code="malformed_geojson"
        )
    records: list[Record] = []
    for line, feature in rows:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            records.append(Record(line, error=("not_a_feature", "应为 GeoJSON Feature 对象")))
            continue
        geometry = feature.get("geometry")
        if shapes and not isinstance(geometry, dict):
            records.append(Record(line, error=("missing_geometry", "要素没有几何（geometry）")))
            continue
        if shapes and isinstance(geometry, dict) and geometry.get("type") != "Point":
            props = feature.get("properties")
            row = dict(props) if isinstance(props, dict) else {}
            row["geometry"] = geometry
            records.append(Record(line, row))
            continue
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else None
            records.append(
                Record(line, error=("not_a_point", f"只接受点要素（Point），却是 {kind!r}"))
            )
            continue
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            records.append(
                Record(
                    line, error=("invalid_coordinates", "Point 的 coordinates 应为 [经度, 纬度]")
                )
            )
            continue
        props = feature.get("properties")
        row = dict(props) if isinstance(props, dict) else {}
        if "id" in feature and "id" not in row:
            row["id"] = feature["id"]
        # GeoJSON is [lon, lat] by definition; the geometry wins over any property.
        row["lon"], row["lat"] = coords[0], coords[1]
        records.append(Record(line, row))
    return Parsed(records, "geojson", encoding, keys_of(records))

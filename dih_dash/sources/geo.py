"""Romania's county boundaries (GISCO NUTS 2021, 1:20M) for the offline members' map.

The file is read from disk, never from a CDN or a tile server: the dashboard must draw
its map without internet. GISCO spells Romanian names with the legacy cedilla letters
(ş ţ); the app writes comma-below (ș ț), so the names are normalised on reading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dih_dash.domain.text import comma_below
from dih_dash.settings import PROJECT_ROOT

COUNTY_GEOJSON = PROJECT_ROOT / "data" / "geo" / "ro_nuts3_2021_20m_4326.geojson"
# Required by GISCO's licence wherever its boundaries are shown (data/geo/PROVENANCE.md).
BOUNDARIES_ATTRIBUTION = "© EuroGeographics for the administrative boundaries"
_NAME_PROPERTIES = ("NAME_LATN", "NUTS_NAME")


class GeoFileError(ValueError):
    """The boundary file is not a GeoJSON FeatureCollection the map can use."""


def load_county_geojson(path: Path = COUNTY_GEOJSON) -> dict[str, Any]:
    """The county GeoJSON as a dict, with `NAME_LATN` / `NUTS_NAME` in comma-below
    spelling and stripped (GISCO ends some names with U+00A0)."""
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoFileError(f"{path.name} is not a GeoJSON FeatureCollection")
    for feature in data.get("features", []):
        properties = feature.get("properties") or {}
        if not properties.get("NUTS_ID"):
            raise GeoFileError(f"{path.name}: a feature has no properties.NUTS_ID")
        for name in _NAME_PROPERTIES:
            if isinstance(properties.get(name), str):
                properties[name] = comma_below(properties[name]).strip()
    return data

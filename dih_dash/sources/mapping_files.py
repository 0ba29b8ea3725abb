"""Saved column mappings on disk: one TOML file per mapping in the mappings folder
(setting DIH_DASH_MAPPINGS_DIR), written atomically, found by file or by name."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import tomli_w

from dih_dash.domain.survey_mapping import ColumnMapping, MappingError, check_county_values
from dih_dash.domain.text import fold_diacritics
from dih_dash.files import write_atomic
from dih_dash.sources.reference import load_counties


def mapping_filename(name: str) -> str:
    """`Chestionar Google 2025` → `chestionar-google-2025.toml`."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(name).casefold()).strip("-")
    return f"{slug or 'mapping'}.toml"


def _read(path: Path) -> ColumnMapping:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError("unreadable", file=path.name, detail=str(exc)) from None
    return check_county_values(ColumnMapping.from_dict(data), load_counties())


def save_mapping(directory: Path, mapping: ColumnMapping) -> Path:
    """Write `mapping` as `<directory>/<name slug>.toml` (replacing one of the same name)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / mapping_filename(mapping.name)
    # Atomic, so a crash never leaves half a mapping file.
    write_atomic(path, tomli_w.dumps(mapping.to_dict()).encode("utf-8"))
    return path


def list_mappings(directory: Path) -> list[ColumnMapping]:
    """The usable mappings saved in `directory`, by name. A file that cannot be read is
    left out here; `load_mapping` on it says what is wrong."""
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("*.toml")):
        try:
            found.append(_read(path))
        except MappingError:
            continue
    return sorted(found, key=lambda m: m.name.casefold())


def load_mapping(path_or_name: str | Path, directory: Path | None = None) -> ColumnMapping:
    """A mapping from a TOML file path, or by its name from the mappings `directory`."""
    path = Path(path_or_name)
    if path.is_file():
        return _read(path)
    if directory is not None:
        candidate = directory / mapping_filename(str(path_or_name))
        if candidate.is_file():
            return _read(candidate)
        wanted = str(path_or_name).strip().casefold()
        for mapping in list_mappings(directory):
            if mapping.name.strip().casefold() == wanted:
                return mapping
    raise MappingError("not_found", name=str(path_or_name))

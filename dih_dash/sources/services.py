"""The hub's services file (`config/services.toml`): which offers to suggest for a member's
weakest DMA dimensions. The hub edits the file; this module reads and checks it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dih_dash.domain.cohort import SERVICE_KINDS, Service
from dih_dash.domain.survey_schema import DMA_DIMENSIONS


class ServicesFileError(ValueError):
    """The services file cannot be used; the message names the file and the entry."""


_TEXT_FIELDS = ("name_en", "name_ro", "description_en", "description_ro")


def _service(path: Path, dimension: str, index: int, entry: object) -> Service:
    where = f"{path.name}: [[{dimension}]] entry {index + 1}"
    if not isinstance(entry, dict):
        raise ServicesFileError(f"{where} is not a table")
    unknown = sorted(set(entry) - {"kind", "url", *_TEXT_FIELDS})
    if unknown:
        raise ServicesFileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    kind = entry.get("kind")
    if kind not in SERVICE_KINDS:
        raise ServicesFileError(f"{where}: kind must be one of {', '.join(SERVICE_KINDS)}")
    texts: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ServicesFileError(f"{where}: {name} is missing or empty")
        texts[name] = value.strip()
    url = entry.get("url")
    if url is not None and not isinstance(url, str):
        raise ServicesFileError(f"{where}: url must be text")
    url = (url or "").strip() or None
    if url is not None and not url.startswith(("https://", "http://")):
        raise ServicesFileError(f"{where}: url must start with https:// or http://")
    return Service(dimension=dimension, kind=str(kind), url=url, **texts)


def load_services(path: Path) -> dict[str, tuple[Service, ...]]:
    """The hub's offers per DMA dimension from its TOML file: one array of tables per
    dimension (`[[dma_strategy]]` …), each with `kind`, `name_en`, `name_ro`,
    `description_en`, `description_ro` and an optional `url`. Every dimension is a key of
    the result, with an empty tuple when the file lists nothing for it."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ServicesFileError(f"{path.name} is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(DMA_DIMENSIONS))
    if unknown:
        raise ServicesFileError(
            f"{path.name}: {', '.join(unknown)} is not a DMA dimension "
            f"(expected {', '.join(DMA_DIMENSIONS)})"
        )
    services: dict[str, tuple[Service, ...]] = {}
    for dimension in DMA_DIMENSIONS:
        entries = data.get(dimension, [])
        if not isinstance(entries, list):
            raise ServicesFileError(f"{path.name}: write {dimension} as [[{dimension}]] tables")
        services[dimension] = tuple(
            _service(path, dimension, i, entry) for i, entry in enumerate(entries)
        )
    return services

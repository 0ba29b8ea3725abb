"""JSON-stat 2.0 datasets (what Eurostat's dissemination API returns) to observation frames.

The decoder is strict on purpose: a refresh replaces the active national data, so a body
that is not exactly what it claims to be must be refused with a message naming the fault,
never half-read into wrongly placed numbers.

Layout reminders (JSON-stat 2.0, class "dataset"): `id` lists the dimensions and `size`
their category counts; `value` holds the cells in row-major order (the last dimension
varies fastest), either densely as a list or sparsely as {"flat index": number}; `status`
holds the observation flags in the same way, or one string for every cell.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Eurostat's statistics API calls the time dimension `time`, its SDMX 3.0 API `TIME_PERIOD`;
# the observation frame always calls it `time`, which `series_from_observations` expects.
TIME_DIMENSION_IDS = ("time", "time_period")
TIME_COLUMN = "time"
_RESERVED_COLUMNS = ("value", "flag")


class JsonStatError(ValueError):
    """The payload is not a usable JSON-stat 2.0 dataset; the message says why."""


@dataclass(frozen=True)
class JsonStatMetadata:
    label: str | None
    updated: str | None
    source: str | None
    dimension_ids: tuple[str, ...]
    # Dimension id (as in the payload) -> its label.
    dimension_labels: dict[str, str] = field(default_factory=dict)
    # Dimension id -> {category code -> label}.
    category_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Flag code -> meaning, as Eurostat ships it under extension.status.label.
    status_labels: dict[str, str] = field(default_factory=dict)
    time_dimension: str | None = None
    cells: int = 0


@dataclass(frozen=True)
class JsonStatDataset:
    observations: pd.DataFrame
    metadata: JsonStatMetadata


# --- Eurostat error bodies -----------------------------------------------------------------


def eurostat_error_message(payload: object) -> str | None:
    """The readable text of a Eurostat error body, or None when `payload` is not one.

    Eurostat answers a bad query with {"error": [{"status": 400, "id": 140, "label": ...}]};
    older endpoints used a single object instead of a list, so both are accepted.
    """
    if not isinstance(payload, Mapping) or "error" not in payload:
        return None
    raw = payload["error"]
    errors = raw if isinstance(raw, list) else [raw]
    parts = []
    for err in errors:
        if isinstance(err, Mapping):
            label = str(err.get("label") or "no description").strip()
            codes = []
            if err.get("status") is not None:
                codes.append(f"HTTP {err['status']}")
            if err.get("id") is not None:
                codes.append(f"error id {err['id']}")
            parts.append(f"{label} ({', '.join(codes)})" if codes else label)
        else:
            parts.append(str(err))
    return "; ".join(parts) if parts else "an error without description"


# --- decoding --------------------------------------------------------------------------------


def loads_dataset(body: bytes | str) -> JsonStatDataset:
    """Parse a response body and decode it; invalid or truncated JSON is a JsonStatError."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        size = len(body)
        raise JsonStatError(
            f"the body is not valid JSON ({size} bytes; truncated?): {exc}"
        ) from exc
    return decode_dataset(payload)


def decode_dataset(payload: object) -> JsonStatDataset:
    """Decode a parsed JSON-stat 2.0 dataset into an observation frame and its metadata.

    The frame has one column per dimension (codes as str; the time dimension renamed to
    `time`), then `value` (float) and `flag` (str, "" when none). Cells without a value are
    left out, including those that carry only a status: Eurostat flags confidential cells
    that way, and the contract wants missing observations absent.
    """
    if not isinstance(payload, Mapping):
        raise JsonStatError(f"expected a JSON object, got {type(payload).__name__}")
    message = eurostat_error_message(payload)
    if message is not None:
        raise JsonStatError(f"Eurostat returned an error instead of data: {message}")
    klass = payload.get("class")
    if klass != "dataset":
        raise JsonStatError(f"expected JSON-stat class 'dataset', got {klass!r}")
    version = payload.get("version")
    if version is not None and not str(version).startswith("2"):
        raise JsonStatError(f"expected JSON-stat version 2.x, got {version!r}")

    ids = _dimension_ids(payload)
    sizes = _sizes(payload, ids)
    dimensions = payload.get("dimension")
    if not isinstance(dimensions, Mapping):
        raise JsonStatError("the 'dimension' object is missing")

    codes_by_dim: list[np.ndarray] = []
    dimension_labels: dict[str, str] = {}
    category_labels: dict[str, dict[str, str]] = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in dimensions:
            raise JsonStatError(
                f"dimension {dim_id!r} is listed in 'id' but has no entry in 'dimension'"
            )
        codes, labels, dim_label = _categories(dim_id, dimensions[dim_id], size)
        codes_by_dim.append(np.asarray(codes, dtype=object))
        category_labels[dim_id] = labels
        if dim_label is not None:
            dimension_labels[dim_id] = dim_label

    cells = math.prod(sizes)
    positions, values = _values(payload.get("value"), cells)
    flags_at = _status(payload.get("status"), cells)

    time_dim = _time_dimension(payload, ids)
    columns = [TIME_COLUMN if d == time_dim else d for d in ids]
    clash = [c for c in columns if c in _RESERVED_COLUMNS]
    if clash:
        raise JsonStatError(f"a dimension is named {clash[0]!r}, which clashes with a data column")
    if len(set(columns)) != len(columns):
        raise JsonStatError(f"two dimensions would both be called {TIME_COLUMN!r}: {ids}")

    order = np.argsort(positions, kind="stable")
    positions = positions[order]
    values = values[order]
    indices = np.unravel_index(positions, sizes)
    data: dict[str, object] = {
        column: [str(code) for code in codes[idx]]
        for column, codes, idx in zip(columns, codes_by_dim, indices, strict=True)
    }
    data["value"] = values
    data["flag"] = [flags_at(int(pos)) for pos in positions]
    frame = pd.DataFrame(data, columns=[*columns, "value", "flag"])
    # Codes such as "2022" must stay text: pandas would otherwise guess an object or
    # string dtype depending on emptiness, and an empty frame must look like a full one.
    for column in [*columns, "flag"]:
        frame[column] = frame[column].astype(object)
    frame["value"] = frame["value"].astype("float64")

    metadata = JsonStatMetadata(
        label=_optional_str(payload.get("label")),
        updated=_updated(payload),
        source=_optional_str(payload.get("source")),
        dimension_ids=tuple(ids),
        dimension_labels=dimension_labels,
        category_labels=category_labels,
        status_labels=_status_labels(payload),
        time_dimension=time_dim,
        cells=cells,
    )
    return JsonStatDataset(observations=frame, metadata=metadata)


def _dimension_ids(payload: Mapping) -> list[str]:
    ids = payload.get("id")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise JsonStatError("'id' is missing or is not a list of dimension names")
    if not ids:
        raise JsonStatError("'id' lists no dimensions")
    if len(set(ids)) != len(ids):
        raise JsonStatError(f"'id' names a dimension twice: {ids}")
    return ids


def _sizes(payload: Mapping, ids: Sequence[str]) -> list[int]:
    sizes = payload.get("size")
    if not isinstance(sizes, list):
        raise JsonStatError("'size' is missing or is not a list")
    if len(sizes) != len(ids):
        raise JsonStatError(f"'id' has {len(ids)} dimensions but 'size' has {len(sizes)} entries")
    for dim_id, size in zip(ids, sizes, strict=True):
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise JsonStatError(f"size of dimension {dim_id!r} is not a whole number: {size!r}")
    return sizes


def _categories(
    dim_id: str, dimension: object, size: int
) -> tuple[list[str], dict[str, str], str | None]:
    """Codes in position order, code -> label, and the dimension's label."""
    if not isinstance(dimension, Mapping):
        raise JsonStatError(f"dimension {dim_id!r} is not an object")
    category = dimension.get("category")
    if not isinstance(category, Mapping):
        raise JsonStatError(f"dimension {dim_id!r} has no 'category' object")
    labels_raw = category.get("label")
    labels = (
        {str(k): str(v) for k, v in labels_raw.items()} if isinstance(labels_raw, Mapping) else {}
    )
    index = category.get("index")
    if index is None:
        # JSON-stat lets a single-category dimension omit `index`; its one label names it.
        if size == 1 and len(labels) == 1:
            codes = list(labels)
        else:
            raise JsonStatError(
                f"dimension {dim_id!r} has no category 'index' "
                "and is not a single-category dimension"
            )
    elif isinstance(index, list):
        codes = [str(code) for code in index]
        if len(set(codes)) != len(codes):
            raise JsonStatError(f"dimension {dim_id!r}: the category index lists a code twice")
    elif isinstance(index, Mapping):
        codes_at: dict[int, str] = {}
        for code, pos in index.items():
            if isinstance(pos, bool) or not isinstance(pos, int) or not 0 <= pos < size:
                raise JsonStatError(
                    f"dimension {dim_id!r}: position {pos!r} of category {code!r} "
                    f"is out of range 0..{size - 1}"
                )
            if pos in codes_at:
                raise JsonStatError(
                    f"dimension {dim_id!r}: categories {codes_at[pos]!r} and {code!r} "
                    f"share position {pos}"
                )
            codes_at[pos] = str(code)
        codes = [codes_at[p] for p in sorted(codes_at)]
    else:
        raise JsonStatError(
            f"dimension {dim_id!r}: category 'index' is neither a list nor an object"
        )
    if len(codes) != size:
        raise JsonStatError(
            f"dimension {dim_id!r} has {len(codes)} categories but 'size' says {size}"
        )
    dim_label = dimension.get("label")
    return codes, labels, None if dim_label is None else str(dim_label)


def _values(raw: object, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions and values of the cells that have a value."""
    positions: list[int] = []
    values: list[float] = []
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            pos = _flat_index(key, cells, "value")
            if value is None:
                continue
            positions.append(pos)
            values.append(_number(value, pos))
    elif isinstance(raw, list):
        if len(raw) != cells:
            raise JsonStatError(
                f"'value' has {len(raw)} entries but the dimensions define {cells} cells"
            )
        for pos, value in enumerate(raw):
            if value is None:
                continue
            positions.append(pos)
            values.append(_number(value, pos))
    elif raw is None:
        raise JsonStatError("'value' is missing")
    else:
        raise JsonStatError(f"'value' is neither a list nor an object: {type(raw).__name__}")
    return np.asarray(positions, dtype=np.int64), np.asarray(values, dtype="float64")


def _status(raw: object, cells: int) -> Callable[[int], str]:
    if raw is None:
        return lambda _pos: ""
    if isinstance(raw, str):
        return lambda _pos: raw
    if isinstance(raw, Mapping):
        flags: dict[int, str] = {}
        for key, flag in raw.items():
            flags[_flat_index(key, cells, "status")] = "" if flag is None else str(flag)
        return lambda pos: flags.get(pos, "")
    if isinstance(raw, list):
        # JSON-stat allows one status for the whole dataset as a one-element list.
        if len(raw) == 1:
            only = "" if raw[0] is None else str(raw[0])
            return lambda _pos: only
        if len(raw) != cells:
            raise JsonStatError(
                f"'status' has {len(raw)} entries but the dimensions define {cells} cells"
            )
        listed = ["" if flag is None else str(flag) for flag in raw]
        return lambda pos: listed[pos]
    raise JsonStatError(f"'status' is neither a string, a list nor an object: {type(raw).__name__}")


def _flat_index(key: object, cells: int, where: str) -> int:
    try:
        pos = int(str(key))
    except ValueError:
        raise JsonStatError(f"'{where}' has a key that is not a cell index: {key!r}") from None
    if not 0 <= pos < cells:
        raise JsonStatError(
            f"'{where}' index {pos} is out of range: the dimensions define {cells} cells"
        )
    return pos


def _number(value: object, pos: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise JsonStatError(f"the value at cell {pos} is not a number: {value!r}")
    return float(value)


def _time_dimension(payload: Mapping, ids: Sequence[str]) -> str | None:
    role = payload.get("role")
    if isinstance(role, Mapping) and isinstance(role.get("time"), list):
        for dim_id in role["time"]:
            if dim_id in ids:
                return dim_id
    for dim_id in ids:
        if dim_id.lower() in TIME_DIMENSION_IDS:
            return dim_id
    return None


def _updated(payload: Mapping) -> str | None:
    if payload.get("updated"):
        return str(payload["updated"])
    extension = payload.get("extension")
    annotations = extension.get("annotation") if isinstance(extension, Mapping) else None
    if isinstance(annotations, list):
        for note in annotations:
            if isinstance(note, Mapping) and note.get("type") == "UPDATE_DATA" and note.get("date"):
                return str(note["date"])
    return None


def _status_labels(payload: Mapping) -> dict[str, str]:
    extension = payload.get("extension")
    status = extension.get("status") if isinstance(extension, Mapping) else None
    labels = status.get("label") if isinstance(status, Mapping) else None
    if not isinstance(labels, Mapping):
        return {}
    return {str(k): str(v) for k, v in labels.items()}


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)

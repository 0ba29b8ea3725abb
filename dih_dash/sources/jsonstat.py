"""JSON-stat 2.0 datasets (what Eurostat's dissemination API returns) to observation frames.

The decoder is strict on purpose: a refresh replaces the active national data, so a body
that is not exactly what it claims to be must be refused with a message naming the fault,
never half-read into wrongly placed numbers.

Layout reminders (JSON-stat 2.0, class "dataset"): `id` lists the dimensions and `size`
their category counts; `value` holds the cells in row-major order (the last dimension
varies fastest), either densely as a list or sparsely as {"flat index": number}; `status`
holds the observation flags in the same way, or one string for every cell.

A body comes from the network, so nothing in it is trusted: nesting, sizes and types are
checked before they are used, and every fault, however odd, is a `JsonStatError` (never a
RecursionError, an OverflowError or numpy's complaint about a cube too large to index).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Eurostat's statistics API calls the time dimension `time`, its SDMX 3.0 API `TIME_PERIOD`;
# the observation frame always calls it `time`, which `series_from_observations` expects.
TIME_DIMENSION_IDS = ("time", "time_period")
TIME_COLUMN = "time"
_RESERVED_COLUMNS = ("value", "flag")
# A JSON-stat dataset is 5 levels deep (dimension > geo > category > label > text) and
# Eurostat's extension about as much; 32 leaves room for any producer. Deeper bodies are
# refused before json.loads, whose recursion would otherwise end in a RecursionError (and
# every later walk over the parsed object too).
MAX_JSON_DEPTH = 32
# Eurostat's API itself refuses extractions of more than a few million cells; 100 million
# is far beyond any real answer yet keeps flat indices and numpy's index arithmetic exact.
MAX_CELLS = 100_000_000
# Eurostat's datasets have a dozen dimensions at most; numpy indexes no more than 64.
MAX_DIMENSIONS = 32
# Texts from the body that end up in messages, manifests and on screen.
MAX_TEXT_CHARS = 500
MAX_ID_CHARS = 100
# Eurostat's period codes: 2025, 2025-Q1, 2025Q1, 2025M01, 2025-S1, 2025-W01, 2025-01,
# 2025-01-15.
_PERIOD_CODE = re.compile(r"[0-9]{4}(?:-?[A-Z][0-9]{1,3}|-[0-9]{2}(?:-[0-9]{2})?)?")
_SHOWN_CHARS = 60


class JsonStatError(ValueError):
    """The payload is not a usable JSON-stat 2.0 dataset; the message says why."""


class JsonNestingError(JsonStatError):
    """The body nests arrays or objects deeper than any JSON-stat dataset does."""


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
    # The text goes on one line of a terminal or a page: a hostile body gets a few entries
    # of bounded length, not megabytes.
    for err in errors[:5]:
        if isinstance(err, Mapping):
            label = _one_line(err.get("label") or "no description")
            codes = []
            if err.get("status") is not None:
                codes.append(f"HTTP {_one_line(err['status'], 20)}")
            if err.get("id") is not None:
                codes.append(f"error id {_one_line(err['id'], 20)}")
            parts.append(f"{label} ({', '.join(codes)})" if codes else label)
        else:
            parts.append(_one_line(err))
    if len(errors) > 5:
        parts.append(f"… {len(errors) - 5} more")
    return "; ".join(parts) if parts else "an error without description"


def _one_line(value: object, limit: int = 300) -> str:
    """`value` as text on one line, at most `limit` characters."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, Mapping | list | int | float | None):
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (ValueError, TypeError, RecursionError):
            text = type(value).__name__
    else:
        text = str(value)
    text = " ".join(text[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- parsing ---------------------------------------------------------------------------------


_DEPTH_CHUNK = 1 << 22
_QUOTE = ord('"')
# Opening brackets step the depth up by one, closing ones down, everything else not at all.
_DEPTH_STEPS = np.zeros(256, dtype=np.int8)
_DEPTH_STEPS[[ord("["), ord("{")]] = 1
_DEPTH_STEPS[[ord("]"), ord("}")]] = -1


def json_depth(body: bytes) -> int:
    """How deeply `body` nests arrays and objects, counted without parsing it.

    A bracket inside a string (a label may hold one) does not count. Outside strings JSON
    has no backslashes, so once the escaped backslashes and then the escaped quotes are
    gone, every quote left opens or closes a string; the rest is running sums, done by
    numpy in chunks, so 200 MB cost a second or two and no recursion.
    """
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    deepest = level = 0
    in_string = False
    for start in range(0, len(plain), _DEPTH_CHUNK):
        chunk = np.frombuffer(plain, dtype=np.uint8, count=min(_DEPTH_CHUNK, len(plain) - start),
                              offset=start)  # fmt: skip
        quotes = np.cumsum(chunk == _QUOTE, dtype=np.int64)
        # Odd count of quotes so far (this chunk's plus the carried state): inside a string.
        inside = (quotes + in_string) & 1 == 1
        steps = np.where(inside, 0, _DEPTH_STEPS[chunk]).astype(np.int64)
        running = np.cumsum(steps) + level
        if len(running):
            deepest = max(deepest, int(running.max()))
            level = int(running[-1])
        in_string = bool((int(quotes[-1]) + in_string) & 1) if len(quotes) else in_string
    return deepest


def parse_json(body: bytes | str) -> object:
    """json.loads for a body from the network: a JsonStatError (JsonNestingError when
    nested beyond MAX_JSON_DEPTH) instead of any other exception."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)
    depth = json_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise JsonNestingError(
            f"the body nests arrays or objects {depth:,} levels deep, more than the "
            f"{MAX_JSON_DEPTH} any JSON-stat dataset needs"
        )
    try:
        return json.loads(raw)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise JsonNestingError("the body nests arrays or objects too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonStatError(
            f"the body is not valid JSON ({len(raw)} bytes; truncated?): {_one_line(exc)}"
        ) from None


# --- decoding --------------------------------------------------------------------------------


def loads_dataset(body: bytes | str) -> JsonStatDataset:
    """Parse a response body and decode it; invalid or truncated JSON is a JsonStatError."""
    return decode_dataset(parse_json(body))


def decode_dataset(payload: object) -> JsonStatDataset:
    """Decode a parsed JSON-stat 2.0 dataset into an observation frame and its metadata.

    The frame has one column per dimension (codes as str; the time dimension renamed to
    `time`), then `value` (float) and `flag` (str, "" when none). Cells without a value are
    left out, including those that carry only a status: Eurostat flags confidential cells
    that way, and the contract wants missing observations absent.

    Any fault is a JsonStatError, whatever the payload holds.
    """
    try:
        return _decode(payload)
    except JsonStatError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
        # The checks below are meant to catch every fault by name; this is the net under
        # them, so a payload nobody thought of is still refused rather than a crash.
        raise JsonStatError(
            f"the dataset cannot be decoded ({type(exc).__name__}: {_one_line(exc)})"
        ) from None
    except MemoryError:
        raise JsonStatError("the dataset is too large to decode in memory") from None


def _decode(payload: object) -> JsonStatDataset:
    if not isinstance(payload, Mapping):
        raise JsonStatError(f"expected a JSON object, got {type(payload).__name__}")
    message = eurostat_error_message(payload)
    if message is not None:
        raise JsonStatError(f"Eurostat returned an error instead of data: {message}")
    klass = payload.get("class")
    if klass != "dataset":
        raise JsonStatError(f"expected JSON-stat class 'dataset', got {_shown(klass)}")
    version = payload.get("version")
    if version is not None and not (isinstance(version, str) and version.startswith("2")):
        raise JsonStatError(f"expected JSON-stat version 2.x, got {_shown(version)}")
    label = _optional_text(payload, "label")
    source = _optional_text(payload, "source")
    updated = _updated(payload)

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

    cells = math.prod(sizes)  # at most MAX_CELLS: _sizes checked
    positions, values = _values(payload.get("value"), cells)
    flags_at = _status(payload.get("status"), cells)

    time_dim = _time_dimension(payload, ids)
    if time_dim is not None:
        _check_periods(time_dim, codes_by_dim[ids.index(time_dim)])
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
        label=label,
        updated=updated,
        source=source,
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
    if len(ids) > MAX_DIMENSIONS:
        raise JsonStatError(
            f"'id' lists {len(ids):,} dimensions, more than the {MAX_DIMENSIONS} a dataset may have"
        )
    for dim_id in ids:
        # Dimension ids become column names and appear in messages.
        if not dim_id or len(dim_id) > MAX_ID_CHARS or not dim_id.isprintable():
            raise JsonStatError(f"'id' holds a name that is not a dimension id: {_shown(dim_id)}")
    if len(set(ids)) != len(ids):
        raise JsonStatError(f"'id' names a dimension twice: {_shown(ids)}")
    return ids


def _sizes(payload: Mapping, ids: Sequence[str]) -> list[int]:
    sizes = payload.get("size")
    if not isinstance(sizes, list):
        raise JsonStatError("'size' is missing or is not a list")
    if len(sizes) != len(ids):
        raise JsonStatError(f"'id' has {len(ids)} dimensions but 'size' has {len(sizes)} entries")
    for dim_id, size in zip(ids, sizes, strict=True):
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise JsonStatError(
                f"size of dimension {dim_id!r} is not a whole number: {_shown(size)}"
            )
    cells = math.prod(sizes)
    if cells > MAX_CELLS or max(sizes) > MAX_CELLS:
        raise JsonStatError(
            f"the dimensions define {cells:,} cells ({' x '.join(f'{n:,}' for n in sizes)}), "
            f"more than the {MAX_CELLS:,} a dataset may have"
        )
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
    if labels_raw is not None and not isinstance(labels_raw, Mapping):
        raise JsonStatError(f"dimension {dim_id!r}: category 'label' is not an object")
    labels = {}
    for code, text in (labels_raw or {}).items():
        if not isinstance(text, str):
            raise JsonStatError(
                f"dimension {dim_id!r}: the label of category {_shown(code)} is not text: "
                f"{_shown(text)}"
            )
        labels[code] = text
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
        if not all(isinstance(code, str) for code in index):
            wrong = next(code for code in index if not isinstance(code, str))
            raise JsonStatError(
                f"dimension {dim_id!r}: the category index lists a code that is not text: "
                f"{_shown(wrong)}"
            )
        codes = list(index)
        if len(set(codes)) != len(codes):
            raise JsonStatError(f"dimension {dim_id!r}: the category index lists a code twice")
    elif isinstance(index, Mapping):
        codes_at: dict[int, str] = {}
        for code, pos in index.items():
            if isinstance(pos, bool) or not isinstance(pos, int) or not 0 <= pos < size:
                raise JsonStatError(
                    f"dimension {dim_id!r}: position {_shown(pos)} of category {_shown(code)} "
                    f"is out of range 0..{size - 1}"
                )
            if pos in codes_at:
                raise JsonStatError(
                    f"dimension {dim_id!r}: categories {_shown(codes_at[pos])} and "
                    f"{_shown(code)} share position {pos}"
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
    if dim_label is not None and not isinstance(dim_label, str):
        raise JsonStatError(f"dimension {dim_id!r}: 'label' is not text: {_shown(dim_label)}")
    return codes, labels, dim_label


def _check_periods(dim_id: str, codes: Sequence[str]) -> None:
    """Time codes become the tidy frame's `period`: one that is not a period (1e400, 2025.5)
    would be read as a wrong year, or not at all."""
    for code in codes:
        if not _PERIOD_CODE.fullmatch(code):
            raise JsonStatError(
                f"time dimension {dim_id!r}: category {_shown(code)} is not a period code"
            )


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
    if len(positions) != len(set(positions)):  # pragma: no cover - JSON objects have unique keys
        raise JsonStatError("'value' gives a cell twice")
    return np.asarray(positions, dtype=np.int64), np.asarray(values, dtype="float64")


def _status(raw: object, cells: int) -> Callable[[int], str]:
    if raw is None:
        return lambda _pos: ""
    if isinstance(raw, str):
        only = _flag(raw)
        return lambda _pos: only
    if isinstance(raw, Mapping):
        flags: dict[int, str] = {}
        for key, flag in raw.items():
            flags[_flat_index(key, cells, "status")] = _flag(flag)
        return lambda pos: flags.get(pos, "")
    if isinstance(raw, list):
        # JSON-stat allows one status for the whole dataset as a one-element list.
        if len(raw) == 1:
            first = _flag(raw[0])
            return lambda _pos: first
        if len(raw) != cells:
            raise JsonStatError(
                f"'status' has {len(raw)} entries but the dimensions define {cells} cells"
            )
        listed = [_flag(flag) for flag in raw]
        return lambda pos: listed[pos]
    raise JsonStatError(f"'status' is neither a string, a list nor an object: {type(raw).__name__}")


def _flag(flag: object) -> str:
    """An observation's status: Eurostat's are a letter or a few ("b", "ep")."""
    if flag is None:
        return ""
    if not isinstance(flag, str) or len(flag) > MAX_ID_CHARS or not flag.isprintable():
        raise JsonStatError(f"a 'status' entry is not a flag: {_shown(flag)}")
    return flag


def _flat_index(key: object, cells: int, where: str) -> int:
    try:
        pos = int(str(key))
    except ValueError:
        raise JsonStatError(
            f"'{where}' has a key that is not a cell index: {_shown(key)}"
        ) from None
    if not 0 <= pos < cells:
        raise JsonStatError(
            f"'{where}' index {pos} is out of range: the dimensions define {cells} cells"
        )
    return pos


def _number(value: object, pos: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise JsonStatError(f"the value at cell {pos} is not a number: {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    # Python's json reads NaN, Infinity and 1e999; none of them is a statistic.
    if not math.isfinite(number):
        raise JsonStatError(f"the value at cell {pos} is not a finite number: {_shown(value)}")
    return number


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
        return _stamp(payload["updated"], "'updated'")
    extension = payload.get("extension")
    annotations = extension.get("annotation") if isinstance(extension, Mapping) else None
    if isinstance(annotations, list):
        for note in annotations:
            if isinstance(note, Mapping) and note.get("type") == "UPDATE_DATA" and note.get("date"):
                return _stamp(note["date"], "the UPDATE_DATA annotation")
    return None


def _stamp(value: object, where: str) -> str:
    # The stamp is printed in the refresh summary and stored in the manifest.
    if not isinstance(value, str) or len(value) > MAX_ID_CHARS or not value.isprintable():
        raise JsonStatError(f"{where} is not a date: {_shown(value)}")
    return value


def _status_labels(payload: Mapping) -> dict[str, str]:
    extension = payload.get("extension")
    status = extension.get("status") if isinstance(extension, Mapping) else None
    labels = status.get("label") if isinstance(status, Mapping) else None
    if not isinstance(labels, Mapping):
        return {}
    return {str(k): v for k, v in labels.items() if isinstance(v, str)}


def _optional_text(payload: Mapping, key: str) -> str | None:
    value = payload.get(key)
    if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT_CHARS):
        raise JsonStatError(f"{key!r} is not a short text: {_shown(value)}")
    return value


def _shown(value: object) -> str:
    """repr of a value from the body, cut short: it goes into a one-line message."""
    text = repr(value) if isinstance(value, str | int | float | None) else type(value).__name__
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"

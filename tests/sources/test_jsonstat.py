"""JSON-stat 2.0 decoding against real recorded Eurostat responses and broken variants."""

from __future__ import annotations

import copy
import json
import math
import random
import re

import pandas as pd
import pytest
from support.replay_server import deeply_nested, fixture_bytes, huge_cube

from dih_dash.sources.jsonstat import (
    MAX_JSON_DEPTH,
    JsonNestingError,
    JsonStatError,
    decode_dataset,
    eurostat_error_message,
    json_depth,
    loads_dataset,
    parse_json,
)

DII = "jsonstat2_sdmx3_isoc_e_dii_E_DI4_HI_VHI_GE10.json"
HOUSEHOLDS = "jsonstat2_sdmx3_isoc_ci_cm_h_A1_A1DCH.json"
DIMS = ["freq", "size_emp", "nace_r2", "indic_is", "unit", "geo", "time"]


def load(name: str) -> dict:
    return json.loads(fixture_bytes(name))


def one(frame: pd.DataFrame, **codes: str) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, code in codes.items():
        mask &= frame[column] == code
    rows = frame[mask]
    assert len(rows) == 1, f"expected one row for {codes}, got {len(rows)}"
    return rows.iloc[0]


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    columns = sorted(c for c in frame.columns if c not in ("value", "flag"))
    frame = frame[[*columns, "value", "flag"]].sort_values(columns, kind="stable")
    return frame.reset_index(drop=True)


# --- the real fixtures -----------------------------------------------------------------------


def test_dii_fixture_values_match_the_published_figures() -> None:
    frame = decode_dataset(load(DII)).observations

    assert list(frame.columns) == [*DIMS, "value", "flag"]
    assert one(frame, indic_is="E_DI4_HI", geo="EU27_2020", time="2022")["value"] == 27.90
    assert one(frame, indic_is="E_DI4_VHI", geo="EU27_2020", time="2022")["value"] == 4.19
    assert one(frame, indic_is="E_DI4_HI", geo="RO", time="2022")["value"] == 18.61
    assert one(frame, indic_is="E_DI4_VHI", geo="RO", time="2022")["value"] == 0.90
    assert frame["value"].dtype == "float64"
    assert all(isinstance(code, str) for code in frame["time"])


def test_dii_fixture_keeps_flags_and_drops_status_only_cells() -> None:
    payload = load(DII)
    frame = decode_dataset(payload).observations

    # 133 numbers in `value`; cell 757 (MK, 2022, E_DI4_VHI) has the flag `u` but no value.
    assert len(frame) == len(payload["value"]) == 133
    assert "757" in payload["status"] and "757" not in payload["value"]
    mk = frame[(frame["geo"] == "MK") & (frame["time"] == "2022")]
    assert list(mk["indic_is"]) == ["E_DI4_HI"]
    assert "u" not in set(frame["flag"])
    fr = one(frame, indic_is="E_DI4_HI", geo="FR", time="2022")
    assert (fr["value"], fr["flag"]) == (19.25, "b")
    assert (frame["flag"] == "b").sum() == 4
    assert (frame["flag"] == "").sum() == 129


def test_household_fixture_keeps_u_flags_on_cells_with_values() -> None:
    payload = load(HOUSEHOLDS)
    frame = decode_dataset(payload).observations

    flagged = {k for k, v in payload["status"].items() if v == "u" and k in payload["value"]}
    assert (frame["flag"] == "u").sum() == len(flagged) > 0
    # Cell 485 of the 1x1x1x2x41x10 cube: hhtyp A1_DCH (1), geo BG (7), time 2011 (5).
    row = one(frame, hhtyp="A1_DCH", geo="BG", time="2011")
    assert (row["value"], row["flag"]) == (55.97, "u")
    # Cell 370 (A1, geo 37 = MK, 2006) has the flag `u` and no value: no row.
    assert "370" in payload["status"] and "370" not in payload["value"]
    mk = frame[(frame["hhtyp"] == "A1") & (frame["geo"] == "MK") & (frame["time"] == "2006")]
    assert mk.empty


def test_metadata_of_the_dii_fixture() -> None:
    meta = decode_dataset(load(DII)).metadata

    assert meta.label == "Digital Intensity by size class of enterprise"
    assert meta.source == "ESTAT"
    assert meta.updated == "2025-04-08T23:00:00+0200"
    assert meta.dimension_ids == tuple(DIMS)
    assert meta.dimension_labels["indic_is"] == "Information society indicator"
    assert meta.status_labels == {"b": "break in time series", "u": "low reliability"}
    assert meta.time_dimension == "time"
    assert meta.category_labels["geo"]["RO"] == "Romania"
    assert meta.cells == 2 * 39 * 10


def test_updated_falls_back_to_the_update_data_annotation() -> None:
    payload = load(DII)
    del payload["updated"]
    for note in payload["extension"]["annotation"]:
        if note["type"] == "UPDATE_DATA":
            note["date"] = "2030-01-02T23:00:00+0100"

    assert decode_dataset(payload).metadata.updated == "2030-01-02T23:00:00+0100"


def test_updated_is_none_when_the_response_has_no_stamp() -> None:
    payload = load(DII)
    del payload["updated"]
    payload["extension"]["annotation"] = []

    assert decode_dataset(payload).metadata.updated is None


# --- equivalent encodings ----------------------------------------------------------------------


def test_dense_value_list_decodes_like_the_sparse_dict() -> None:
    payload = load(DII)
    dense = copy.deepcopy(payload)
    cells = math.prod(payload["size"])
    dense["value"] = [payload["value"].get(str(i)) for i in range(cells)]
    dense["status"] = [payload["status"].get(str(i)) for i in range(cells)]

    pd.testing.assert_frame_equal(
        decode_dataset(dense).observations, decode_dataset(payload).observations
    )


def _permuted(payload: dict, order: list[str]) -> dict:
    """The same cube with its dimensions listed in `order` (cells re-indexed by hand)."""
    ids, sizes = payload["id"], payload["size"]
    new_sizes = [sizes[ids.index(d)] for d in order]

    def move(key: str) -> str:
        rest, coords = int(key), {}
        for dim, size in zip(reversed(ids), reversed(sizes), strict=True):
            rest, coords[dim] = divmod(rest, size)
        flat = 0
        for dim, size in zip(order, new_sizes, strict=True):
            flat = flat * size + coords[dim]
        return str(flat)

    out = copy.deepcopy(payload)
    out["id"], out["size"] = list(order), new_sizes
    out["value"] = {move(k): v for k, v in payload["value"].items()}
    out["status"] = {move(k): v for k, v in payload["status"].items()}
    return out


@pytest.mark.parametrize(
    "order",
    [
        list(reversed(DIMS)),
        ["geo", "time", "indic_is", "freq", "unit", "nace_r2", "size_emp"],
    ],
)
def test_dimension_order_does_not_change_the_observations(order: list[str]) -> None:
    payload = load(DII)
    permuted = decode_dataset(_permuted(payload, order)).observations

    assert list(permuted.columns) == [*order, "value", "flag"]
    pd.testing.assert_frame_equal(ordered(permuted), ordered(decode_dataset(payload).observations))


def test_category_index_as_list_and_missing_for_single_categories() -> None:
    payload = load(DII)
    variant = copy.deepcopy(payload)
    geo = variant["dimension"]["geo"]["category"]
    geo["index"] = sorted(geo["index"], key=geo["index"].get)
    for dim in ("freq", "size_emp", "nace_r2", "unit"):
        del variant["dimension"][dim]["category"]["index"]

    pd.testing.assert_frame_equal(
        decode_dataset(variant).observations, decode_dataset(payload).observations
    )


def test_status_as_one_string_applies_to_every_observation() -> None:
    payload = load(DII)
    payload["status"] = "p"

    frame = decode_dataset(payload).observations
    assert set(frame["flag"]) == {"p"}
    assert len(frame) == 133


def test_time_period_dimension_is_renamed_to_time() -> None:
    payload = load(DII)
    payload["id"][payload["id"].index("time")] = "TIME_PERIOD"
    payload["dimension"]["TIME_PERIOD"] = payload["dimension"].pop("time")

    decoded = decode_dataset(payload)
    assert "time" in decoded.observations.columns
    assert "TIME_PERIOD" not in decoded.observations.columns
    assert decoded.metadata.time_dimension == "TIME_PERIOD"
    assert one(decoded.observations, indic_is="E_DI4_HI", geo="RO", time="2022")["value"] == 18.61


def test_empty_value_gives_an_empty_frame_with_all_columns() -> None:
    payload = load(DII)
    payload["value"], payload["status"] = {}, {}

    frame = decode_dataset(payload).observations
    assert frame.empty
    assert list(frame.columns) == [*DIMS, "value", "flag"]


def test_loads_dataset_reads_bytes() -> None:
    decoded = loads_dataset(fixture_bytes(DII))
    assert len(decoded.observations) == 133


# --- refusals --------------------------------------------------------------------------------


def _broken(change: str) -> object:
    payload = load(DII)
    if change == "not a dict":
        return [payload]
    if change == "class":
        payload["class"] = "collection"
    elif change == "size length":
        payload["size"] = payload["size"][:-1]
    elif change == "value length":
        payload["value"] = [1.0, 2.0, 3.0]
    elif change == "value index":
        payload["value"]["780"] = 1.0
    elif change == "negative index":
        payload["value"]["-1"] = 1.0
    elif change == "status index":
        payload["status"]["99999"] = "b"
    elif change == "status length":
        payload["status"] = ["b", "u"]
    elif change == "category position":
        payload["dimension"]["indic_is"]["category"]["index"]["E_DI4_VHI"] = 2
    elif change == "category count":
        payload["size"][payload["id"].index("time")] = 11
    elif change == "dimension entry":
        del payload["dimension"]["geo"]
    elif change == "dimension object":
        del payload["dimension"]
    elif change == "id":
        del payload["id"]
    elif change == "value":
        del payload["value"]
    elif change == "not a number":
        payload["value"]["7"] = "27.90"
    elif change == "index missing":
        del payload["dimension"]["geo"]["category"]["index"]
    elif change == "duplicate position":
        payload["dimension"]["indic_is"]["category"]["index"]["E_DI4_VHI"] = 0
    return payload


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("not a dict", "expected a JSON object, got list"),
        ("class", "class 'dataset', got 'collection'"),
        ("size length", "'id' has 7 dimensions but 'size' has 6"),
        ("value length", "'value' has 3 entries but the dimensions define 780 cells"),
        ("value index", "'value' index 780 is out of range"),
        ("negative index", "'value' index -1 is out of range"),
        ("status index", "'status' index 99999 is out of range"),
        ("status length", "'status' has 2 entries but the dimensions define 780"),
        ("category position", "dimension 'indic_is': position 2 of category 'E_DI4_VHI'"),
        ("category count", "dimension 'time' has 10 categories but 'size' says 11"),
        ("dimension entry", "dimension 'geo' is listed in 'id' but has no entry"),
        ("dimension object", "'dimension' object is missing"),
        ("id", "'id' is missing"),
        ("value", "'value' is missing"),
        ("not a number", "value at cell 7 is not a number"),
        ("index missing", "dimension 'geo' has no category 'index'"),
        ("duplicate position", "share position 0"),
    ],
)
def test_malformed_payloads_are_refused_with_the_reason(change: str, message: str) -> None:
    with pytest.raises(JsonStatError, match=re.escape(message)):
        decode_dataset(_broken(change))


def test_structure_only_response_is_not_a_dataset_with_data() -> None:
    payload = load("jsonstat2_sdmx3_structure_dataflow_isoc_ci_cm_h.json")
    with pytest.raises(JsonStatError, match="'id' is missing"):
        decode_dataset(payload)


def test_truncated_body_is_a_jsonstat_error() -> None:
    body = fixture_bytes(DII)
    with pytest.raises(JsonStatError, match="not valid JSON"):
        loads_dataset(body[: len(body) // 2])


def test_jsonstat_error_is_a_value_error() -> None:
    assert issubclass(JsonStatError, ValueError)


# --- Eurostat error bodies ---------------------------------------------------------------------


def test_eurostat_error_bodies_become_readable_messages() -> None:
    param = eurostat_error_message(load("error400_invalid_dimension_param.json"))
    value = eurostat_error_message(load("error400_invalid_dimension_value.json"))

    assert param is not None and value is not None
    assert param.startswith("INVALID_URL_PARAMETER_DIMENSION: Invalid dimension parameter.")
    assert "GEOX is not a valid dimension" in param
    assert param.endswith("(HTTP 400, error id 140)")
    assert "GEO=EUROVISION" in value
    assert value.endswith("(HTTP 400, error id 150)")
    assert eurostat_error_message(load(DII)) is None


def test_decoding_an_error_body_names_eurostat_s_complaint() -> None:
    with pytest.raises(JsonStatError, match=r"Eurostat returned an error.*GEO=EUROVISION"):
        decode_dataset(load("error400_invalid_dimension_value.json"))


# --- hostile bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [[{}], []], "b": {"c": [1]}}', 4),
        (b'{"label": "[[[[ not nesting {{{", "x": ["]]]"]}', 2),
        (b'{"label": "a \\" quote, then [[[", "x": [[]]}', 3),
        (b"[" * 3_000_000 + b"]" * 3_000_000, 3_000_000),
    ],
    ids=["scalar", "empty", "mixed", "brackets in strings", "escaped quote", "3 million"],
)
def test_json_depth_counts_only_real_nesting(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


def _nesting(node: object) -> int:
    if isinstance(node, dict):
        return 1 + max(map(_nesting, node.values()), default=0)
    if isinstance(node, list):
        return 1 + max(map(_nesting, node), default=0)
    return 0


def _random_json(rnd: random.Random, level: int = 0) -> object:
    # Strings made of the characters that could fool a scan: brackets, quotes, backslashes.
    def text() -> str:
        return "".join(rnd.choice('[]{}"\\a \né') for _ in range(rnd.randint(0, 8)))

    roll = rnd.random()
    if level > 6 or roll < 0.3:
        return rnd.choice([1, 2.5, None, True, text()])
    if roll < 0.65:
        return [_random_json(rnd, level + 1) for _ in range(rnd.randint(0, 4))]
    return {text(): _random_json(rnd, level + 1) for _ in range(rnd.randint(0, 4))}


def test_json_depth_agrees_with_the_parsed_structure(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 7 bytes: strings and escapes straddle chunk ends all the time.
    monkeypatch.setattr("dih_dash.sources.jsonstat._DEPTH_CHUNK", 7)
    rnd = random.Random(2026)
    for _ in range(500):
        document = _random_json(rnd)
        for ascii_only in (True, False):
            body = json.dumps(document, ensure_ascii=ascii_only, indent=rnd.choice([None, 1]))
            assert json_depth(body.encode()) == _nesting(document), body


def test_the_recorded_responses_are_far_from_the_depth_limit() -> None:
    for name in (DII, HOUSEHOLDS, "error400_invalid_dimension_param.json"):
        assert json_depth(fixture_bytes(name)) <= 6 < MAX_JSON_DEPTH


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
def test_deep_nesting_is_refused_before_parsing(depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    with pytest.raises(JsonNestingError, match=f"{depth:,} levels deep, more than the 32"):
        loads_dataset(body)
    with pytest.raises(JsonNestingError):
        loads_dataset(deeply_nested(depth).decode())  # as text too


def test_nesting_up_to_the_limit_is_parsed() -> None:
    body = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json(body) is not None


def test_more_dimensions_than_any_dataset_has_are_refused() -> None:
    body = huge_cube(fixture_bytes(DII), dimensions=100, categories=1)

    with pytest.raises(JsonStatError, match="'id' lists 107 dimensions, more than the 32"):
        loads_dataset(body)


def test_a_cube_of_a_sextillion_cells_is_refused_before_anything_is_built() -> None:
    body = huge_cube(fixture_bytes(DII), dimensions=7, categories=1_000)

    with pytest.raises(JsonStatError) as caught:
        loads_dataset(body)

    assert "cells (1,000 x 1,000 x 1,000 x 1,000 x 1,000 x 1,000 x 1,000 x 1 x 1 x 1 x 2" in str(
        caught.value
    )
    assert str(caught.value).endswith("more than the 100,000,000 a dataset may have")


def _wrong(change: str) -> dict:
    payload = load(DII)
    dims = payload["dimension"]
    if change == "label":
        payload["label"] = {"en": "Digital Intensity"}
    elif change == "source":
        payload["source"] = ["ESTAT"]
    elif change == "updated":
        payload["updated"] = 20250408
    elif change == "updated line break":
        payload["updated"] = "2025-04-08\nFAKE"
    elif change == "version":
        payload["version"] = 2
    elif change == "size bool":
        payload["size"][0] = True
    elif change == "size float":
        payload["size"][0] = 1.0
    elif change == "dimension id":
        payload["id"][0] = "fr\neq"
    elif change == "dimension":
        dims["geo"] = ["RO"]
    elif change == "category":
        dims["geo"]["category"] = "RO"
    elif change == "category label":
        dims["geo"]["category"]["label"]["RO"] = {"en": "Romania"}
    elif change == "labels":
        dims["geo"]["category"]["label"] = ["Romania"]
    elif change == "index code":
        dims["indic_is"]["category"]["index"] = [1, 2]
    elif change == "index position":
        dims["indic_is"]["category"]["index"]["E_DI4_HI"] = "0"
    elif change == "index":
        dims["indic_is"]["category"]["index"] = "E_DI4_HI"
    elif change == "dimension label":
        dims["geo"]["label"] = ["geo"]
    elif change == "value":
        payload["value"] = "28.72"
    elif change == "NaN":
        payload["value"]["247"] = math.nan
    elif change == "Infinity":
        payload["value"]["247"] = math.inf
    elif change == "huge integer":
        payload["value"]["247"] = 10**400
    elif change == "value key":
        payload["value"]["x1"] = 1.0
    elif change == "status":
        payload["status"] = 7
    elif change == "status entry":
        payload["status"]["147"] = ["b"]
    elif change == "time code":
        dims["time"]["category"]["index"] = {
            "1e400": 0,
            **{str(y): y - 2015 for y in range(2016, 2025)},
        }
    elif change == "half year":
        dims["time"]["category"]["index"] = {
            "2015.5": 0,
            **{str(y): y - 2015 for y in range(2016, 2025)},
        }
    return payload


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("label", "'label' is not a short text: dict"),
        ("source", "'source' is not a short text: list"),
        ("updated", "'updated' is not a date: 20250408"),
        ("updated line break", "'updated' is not a date: '2025-04-08\\nFAKE'"),
        ("version", "expected JSON-stat version 2.x, got 2"),
        ("size bool", "size of dimension 'freq' is not a whole number: True"),
        ("size float", "size of dimension 'freq' is not a whole number: 1.0"),
        ("dimension id", "'id' holds a name that is not a dimension id: 'fr\\neq'"),
        ("dimension", "dimension 'geo' is not an object"),
        ("category", "dimension 'geo' has no 'category' object"),
        ("category label", "dimension 'geo': the label of category 'RO' is not text: dict"),
        ("labels", "dimension 'geo': category 'label' is not an object"),
        ("index code", "dimension 'indic_is': the category index lists a code that is not text: 1"),
        ("index position", "position '0' of category 'E_DI4_HI' is out of range"),
        ("index", "category 'index' is neither a list nor an object"),
        ("dimension label", "dimension 'geo': 'label' is not text: list"),
        ("value", "'value' is neither a list nor an object: str"),
        ("NaN", "the value at cell 247 is not a finite number: nan"),
        ("Infinity", "the value at cell 247 is not a finite number: inf"),
        ("huge integer", "the value at cell 247 is not a finite number: 1000000"),
        ("value key", "'value' has a key that is not a cell index: 'x1'"),
        ("status", "'status' is neither a string, a list nor an object: int"),
        ("status entry", "a 'status' entry is not a flag: list"),
        ("time code", "time dimension 'time': category '1e400' is not a period code"),
        ("half year", "time dimension 'time': category '2015.5' is not a period code"),
    ],
)
def test_wrong_types_are_refused_with_the_reason(change: str, message: str) -> None:
    with pytest.raises(JsonStatError, match=re.escape(message)):
        decode_dataset(_wrong(change))


@pytest.mark.parametrize(
    ("code", "accepted"),
    [
        *[(code, True) for code in ("2025", "2025-Q1", "2025Q1", "2025M01", "2025-S1",
                                    "2025-W52", "2025-01", "2025-01-15")],
        *[(code, False) for code in ("1e400", "2015.5", "2025999999", "2025-2026", "25",
                                     "2025-Q1\n", "")],
    ],
)  # fmt: skip
def test_time_codes_must_be_periods(code: str, accepted: bool) -> None:
    payload = load(DII)
    index = payload["dimension"]["time"]["category"]["index"]
    # Position 9 (2024) is one of the two years with values in the recorded answer.
    payload["dimension"]["time"]["category"]["index"] = {
        (code if position == 9 else period): position for period, position in index.items()
    }
    if accepted:
        assert code in set(decode_dataset(payload).observations["time"])
    else:
        with pytest.raises(JsonStatError, match="is not a period code"):
            decode_dataset(payload)


def test_nan_and_infinity_literals_in_the_body_are_refused() -> None:
    body = (
        fixture_bytes(DII)
        .replace(b'"247":28.72', b'"247":NaN')
        .replace(b'"249":28.24', b'"249":Infinity')
    )
    assert body != fixture_bytes(DII)
    with pytest.raises(JsonStatError, match="not a finite number"):
        loads_dataset(body)


def test_messages_quote_hostile_values_short_and_on_one_line() -> None:
    payload = load(DII)
    payload["value"]["247"] = "x\n" * 100_000

    with pytest.raises(JsonStatError) as caught:
        decode_dataset(payload)

    assert len(str(caught.value)) < 150
    assert "\n" not in str(caught.value)


def test_eurostat_error_messages_are_one_bounded_line() -> None:
    payload = {"error": [{"label": "first\nsecond " + "y" * 10_000, "status": 400}] * 50}

    message = eurostat_error_message(payload)

    assert message is not None
    assert "\n" not in message
    assert message.startswith("first second yyy")
    assert message.endswith("… 45 more")
    assert len(message) < 2_000


_SUBSTITUTES: list[object] = [None, True, -1, 10**30, 1.5, "", "x", [], [None], {}, {"0": {}}]


def _paths(node: object, path: tuple = ()) -> list[tuple]:
    """Every key/index path into `node`; of long objects and lists (a dimension's 41 geo
    labels, the values) only the first three and the last item count."""
    found = [path] if path else []
    if isinstance(node, dict):
        keys = list(node)
        if len(keys) > 12:
            keys = keys[:3] + keys[-1:]
        for key in keys:
            found += _paths(node[key], (*path, key))
    elif isinstance(node, list):
        for index in sorted({*range(min(3, len(node))), len(node) - 1} - {-1}):
            found += _paths(node[index], (*path, index))
    return found


def test_any_field_of_any_type_gives_a_frame_or_a_jsonstat_error() -> None:
    # Every place of the recorded payload, in turn, gets each kind of JSON value: the
    # decoder must either decode or refuse by name, never let another exception out.
    original = load("jsonstat2_sdmx3_isoc_ci_cm_h_A2.json")
    paths = _paths(original)
    assert len(paths) > 80
    refused = 0
    for path in paths:
        for substitute in _SUBSTITUTES:
            payload = copy.deepcopy(original)
            parent = payload
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = substitute
            try:
                decode_dataset(payload)
            except JsonStatError:
                refused += 1
    assert refused > len(paths)  # the substitutes do break things, and are caught

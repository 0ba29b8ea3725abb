"""Reading what an AppTest run shows: text and Plotly figures."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


def texts(at: AppTest) -> str:
    """Everything a reader sees as text on the page, joined."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "html",
    ):
        parts += [str(e.value) for e in at.get(kind)]
    for metric in at.metric:
        parts += [metric.label, str(metric.value), str(metric.delta or "")]
    return "\n".join(parts)


def _decode(node: object) -> object:
    """Plotly ships numeric arrays base64-encoded ({"dtype", "bdata"}); turn them into lists."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                values = values.reshape([int(n) for n in str(node["shape"]).split(",")])
            return values.tolist()
        return {k: _decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decode(v) for v in node]
    return node


def chart_specs(at: AppTest) -> list[dict]:
    """The Plotly figures of the page as plain JSON, numbers decoded."""
    return [_decode(json.loads(e.proto.spec)) for e in at.get("plotly_chart")]

"""The tables a page shows (`widgets.table`'s HTML), read back into frames for AppTest:
numbers from their `data-value` (what the cell holds), everything else as shown."""

from __future__ import annotations

import math
from html.parser import HTMLParser

import pandas as pd


class _TableReader(HTMLParser):
    def __init__(self, as_shown: bool) -> None:
        super().__init__()
        self.as_shown = as_shown
        self.header: list[str] = []
        self.rows: list[list[object]] = []
        self._cell: list[str] | None = None
        self._raw: str | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []
            self._raw = dict(attrs).get("data-value")

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            if tag == "th":
                self.header.append(text)
            else:
                keep_text = self._raw is None or self.as_shown
                self.rows[-1].append(text if keep_text else _number(self._raw))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _number(raw: str) -> float | int:
    if raw == "":
        return math.nan
    return int(raw) if raw.lstrip("-").isdigit() else float(raw)


def read_table(markup: str, as_shown: bool = False) -> pd.DataFrame:
    """`as_shown`: every cell as the text on screen (`44,34`), numbers too."""
    reader = _TableReader(as_shown)
    reader.feed(markup)
    return pd.DataFrame(reader.rows, columns=reader.header)


def shown_tables(at: object, as_shown: bool = False) -> list[pd.DataFrame]:
    """Every table on the page, in page order."""
    bodies = [element.proto.body for element in at.get("html")]  # type: ignore[attr-defined]
    return [read_table(body, as_shown) for body in bodies if 'class="data-table"' in body]

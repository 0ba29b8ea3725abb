"""The hub's own targets, read from config/kpis.toml (setting DIH_DASH_KPIS_FILE).

The file is written by hub staff, not programmers, so every mistake is refused with a
message that names the file, the line and the key to fix (TOML itself gives no line for a
key, so the line is found in the text: the `[[target]]` table and the key within it).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

from dih_dash.domain.cohort import wave_sort_key
from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.domain.services_summary import KINDS, METRICS, KpiTarget

PROGRAMME_KEYS = ("start", "end")
TARGET_KEYS = (
    "id",
    "metric",
    "target",
    "label_en",
    "label_ro",
    "kind",
    "category",
    "wave",
    "start",
    "end",
)
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?")


class KpiFileError(ValueError):
    """The targets file cannot be used; the message names the file, line and key."""


def load_kpi_targets(path: Path | str) -> list[KpiTarget]:
    """The targets of `path`, in the file's order; `KpiFileError` naming the file, line and
    key for a TOML error, an unknown metric or key, a target ≤ 0 or a date that is not one."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KpiFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise KpiFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)".
        raise KpiFileError(f"{path}: not valid TOML: {exc}") from None
    return _Reader(path, text).targets(data)


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    # --- where in the file --------------------------------------------------------------

    def _table_lines(self, table: str, index: int | None) -> range:
        """The lines (0-based) of `[table]`, or of the `index`-th `[[table]]`."""
        starts = []
        for number, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if match:
                starts.append((number, match.group(1)))
        seen = 0
        for position, (number, name) in enumerate(starts):
            if name != table:
                continue
            if index is None or seen == index:
                stop = starts[position + 1][0] if position + 1 < len(starts) else len(self.lines)
                return range(number, stop)
            seen += 1
        return range(0)

    def _line(self, table: str, index: int | None, key: str | None) -> int | None:
        lines = self._table_lines(table, index)
        if not lines:
            return None
        if key is not None:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            for number in lines:
                if pattern.match(self.lines[number]):
                    return number + 1
        return lines.start + 1

    def error(self, table: str, index: int | None, key: str | None, message: str) -> KpiFileError:
        line = self._line(table, index, key)
        where = f"{self.path}, line {line}" if line else str(self.path)
        name = table if index is None else f"{table} #{index + 1}"
        if key:
            name += f", key {key!r}"
        return KpiFileError(f"{where} ([{name}]): {message}")

    # --- reading ------------------------------------------------------------------------

    def _date(self, table: str, index: int | None, key: str, value: object) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(table, index, key, f"expected a date such as 2027-12-31, got {value!r}")

    def _text(self, index: int, key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error("target", index, key, f"expected some text, got {value!r}")
        return value.strip()

    def targets(self, data: dict) -> list[KpiTarget]:
        unknown = sorted(set(data) - {"programme", "target"})
        if unknown:
            raise self.error(
                unknown[0], None, None, "unknown table; the file has [programme] and [[target]]"
            )
        programme = data.get("programme", {})
        if not isinstance(programme, dict):
            raise self.error("programme", None, None, "expected a table [programme]")
        for key in programme:
            if key not in PROGRAMME_KEYS:
                raise self.error("programme", None, key, "unknown key; known: start, end")
        start = (
            self._date("programme", None, "start", programme["start"])
            if "start" in programme
            else None
        )
        end = self._date("programme", None, "end", programme["end"]) if "end" in programme else None
        if start is not None and end is not None and start >= end:
            raise self.error("programme", None, "end", "the programme must end after it starts")
        raw = data.get("target", [])
        if not isinstance(raw, list):
            raise self.error("target", None, None, "write each target as a [[target]] table")
        found: list[KpiTarget] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            target = self._target(index, entry, start, end)
            if target.kpi in seen:
                raise self.error("target", index, "id", f"id {target.kpi!r} is used twice")
            seen.add(target.kpi)
            found.append(target)
        return found

    def _target(
        self, index: int, entry: dict, start: dt.date | None, end: dt.date | None
    ) -> KpiTarget:
        for key in entry:
            if key not in TARGET_KEYS:
                raise self.error(
                    "target", index, key, f"unknown key; known: {', '.join(TARGET_KEYS)}"
                )
        for key in ("id", "metric", "target", "label_en", "label_ro"):
            if key not in entry:
                raise self.error("target", index, None, f"the key {key!r} is missing")
        metric = entry["metric"]
        if metric not in METRICS:
            raise self.error(
                "target", index, "metric", f"unknown metric {metric!r}; known: {', '.join(METRICS)}"
            )
        amount = entry["target"]
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise self.error("target", index, "target", f"expected a number, got {amount!r}")
        if not amount > 0:
            raise self.error("target", index, "target", f"must be greater than 0, got {amount}")
        kind = entry.get("kind")
        if kind is not None and kind not in KINDS:
            raise self.error(
                "target", index, "kind", f"unknown kind {kind!r}; known: {', '.join(KINDS)}"
            )
        category = entry.get("category")
        if category is not None:
            matched = [c for c in CATEGORIES if str(category).strip().lower() == c.lower()]
            if not matched:
                raise self.error(
                    "target",
                    index,
                    "category",
                    f"unknown category {category!r}; known: {', '.join(CATEGORIES)}",
                )
            category = matched[0]
        wave = entry.get("wave")
        if metric == "assessments":
            if wave is None:
                raise self.error("target", index, None, "an assessments target needs a wave")
            wave = str(wave).strip().upper()
            if wave_sort_key(wave)[0] != 0:
                raise self.error(
                    "target", index, "wave", f"expected a round such as T0 or T1, got {wave!r}"
                )
            if category is not None:
                raise self.error(
                    "target", index, "category", "assessments are not counted by category"
                )
        elif wave is not None:
            raise self.error("target", index, "wave", f"only assessments have a wave ({metric})")
        own_start = (
            self._date("target", index, "start", entry["start"]) if "start" in entry else start
        )
        own_end = self._date("target", index, "end", entry["end"]) if "end" in entry else end
        if own_end is None:
            raise self.error(
                "target", index, None, "no end date: set end in [programme] or in the target"
            )
        if own_start is not None and own_start >= own_end:
            raise self.error("target", index, "end", "the end date must come after the start")
        return KpiTarget(
            kpi=self._text(index, "id", entry["id"]),
            metric=metric,
            target=float(amount),
            end_date=own_end,
            label_en=self._text(index, "label_en", entry["label_en"]),
            label_ro=self._text(index, "label_ro", entry["label_ro"]),
            start_date=own_start,
            kind=kind,
            category=category,
            wave=wave,
        )

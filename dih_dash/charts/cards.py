"""Indicator cards as one block of HTML: value, its change against a reference, a few
lines of detail and the source line.

Why not `st.metric` and `st.markdown` per card: Streamlit draws every element as its own
React component with its own styles. The Romania vs EU page had ~20 cards of five elements
each, and on the 2-core workshop laptop the browser spent ~0.8 s on them before it drew the
page's chart (bench/pages.py). One block per group of cards costs a few milliseconds.
Pure: text in, HTML out; every text is escaped, and only `**bold**` (the locale files'
emphasis) becomes markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Tone = Literal["good", "bad", "neutral"]
Direction = Literal["up", "down"]

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ARROWS = {"up": "↑", "down": "↓"}

# Streamlit's light theme: the same border, radius and greys as `st.container(border=True)`
# and `st.metric`. Every text is dark enough to read on a projector: the change, the "?" and
# the source line (#595959, 7:1 on white; Streamlit's 60 % grey was 3.9:1) pass WCAG AA.
CARD_STYLE = """<style>
.kpi-grid{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:1rem;margin:0 0 1rem}
@media (max-width:900px){.kpi-grid{grid-template-columns:minmax(0,1fr)}}
.kpi-card{border:1px solid rgba(49,51,63,.2);border-radius:.5rem;padding:1rem;line-height:1.5}
.kpi-card .kpi-title{font-weight:600;margin:0 0 .5rem}
.kpi-card .kpi-help{cursor:help;color:#595959;margin-left:.35rem;display:inline-block;
  width:1.1rem;height:1.1rem;line-height:1rem;border:1px solid rgba(49,51,63,.4);border-radius:50%;
  text-align:center;font-size:.75rem;font-weight:400;vertical-align:middle}
.kpi-card .kpi-label{font-size:.875rem;margin:0}
.kpi-card .kpi-value{font-size:2.25rem;line-height:1.3;margin:0}
.kpi-card .kpi-delta{display:inline-block;border-radius:.75rem;padding:0 .5rem;margin:.25rem 0;
  font-size:.875rem}
.kpi-card .kpi-good{color:#17662f;background:rgba(33,195,84,.12)}
.kpi-card .kpi-bad{color:#a51d1d;background:rgba(255,43,43,.1)}
.kpi-card .kpi-neutral{color:#31333f;background:rgba(49,51,63,.1)}
.kpi-card .kpi-lines{margin:.5rem 0}
.kpi-card .kpi-source{color:#595959;font-size:.875rem;margin:0}
</style>"""


@dataclass(frozen=True)
class Card:
    """One indicator's card. `value` empty: no value to show, `lines` say why."""

    title: str
    definition: str = ""
    label: str = ""
    value: str = ""
    change: str = ""
    direction: Direction | None = None
    tone: Tone = "neutral"
    lines: Sequence[str] = field(default_factory=tuple)
    source: str = ""


def inline_text(text: str) -> str:
    """Escaped text, with the locale files' `**bold**` as <strong>."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text))


def card_html(card: Card) -> str:
    parts = [f'<div class="kpi-card"><p class="kpi-title">{inline_text(card.title)}']
    if card.definition:
        definition = html.escape(card.definition)
        parts.append(
            f'<span class="kpi-help" title="{definition}" aria-label="{definition}"'
            ' tabindex="0">?</span>'
        )
    parts.append("</p>")
    if card.value:
        parts.append(f'<p class="kpi-label">{inline_text(card.label)}</p>')
        parts.append(f'<p class="kpi-value">{inline_text(card.value)}</p>')
    if card.change:
        arrow = f"{_ARROWS[card.direction]} " if card.direction else ""
        parts.append(
            f'<span class="kpi-delta kpi-{card.tone}">{arrow}{inline_text(card.change)}</span>'
        )
    if card.lines:
        parts.append(
            '<p class="kpi-lines">' + "<br>".join(inline_text(line) for line in card.lines) + "</p>"
        )
    if card.source:
        parts.append(f'<p class="kpi-source">{inline_text(card.source)}</p>')
    parts.append("</div>")
    return "".join(parts)


def cards_html(cards: Sequence[Card]) -> str:
    """A grid of cards, three to a row (one on a narrow screen), with its own style."""
    return CARD_STYLE + '<div class="kpi-grid">' + "".join(map(card_html, cards)) + "</div>"

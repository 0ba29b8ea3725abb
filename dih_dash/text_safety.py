"""Text from files, shown where markup is read: Streamlit markdown and Plotly labels.

Company names, member ids, clusters, sectors, column headers and mapping names are typed by
people into spreadsheets. Streamlit renders markdown (links, emphasis, `:red[…]`, `$…$`)
in every title, caption, message and widget label; Plotly renders a subset of HTML
(`<a href>`, `<b>`, `<span style>`, `<br>`) in titles, axis ticks, legends, hover labels and
what a hovertemplate inserts. A cell reading `<a href="…">Evil</a>` must show as those
characters, never as a link. Only values from files go through these functions: the
interface's own texts keep their markup.
"""

from __future__ import annotations

import html
import string
from collections.abc import Callable

# CommonMark lets a backslash escape any ASCII punctuation character; escaping them all
# also covers Streamlit's extensions (`:color[…]` directives, `$` maths, `~` strike-through)
# and HTML (`<`), which a shorter list would have to track.
_MARKDOWN_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
# A line break inside a value would end the markdown paragraph or start a list item.
_MARKDOWN_ESCAPES |= {ord("\r"): " ", ord("\n"): " ", ord("\t"): " "}


def markdown_text(value: object) -> str:
    """`value` as literal text inside Streamlit markdown (st.markdown, st.caption, st.error,
    titles and widget labels): every markdown and HTML character backslash-escaped, line
    breaks as spaces."""
    return str(value).translate(_MARKDOWN_ESCAPES)


def plotly_text(value: object) -> str:
    """`value` as literal text in a Plotly title, label, legend entry, hover text or a
    value a hovertemplate inserts: `&`, `<` and `>` as the entities Plotly decodes back to
    characters (`&quot;` is not among them, so quotes stay as they are)."""
    return html.escape(str(value), quote=False)


# Stand-ins of one character each for the characters `plotly_text` turns into entities of
# four or five: a wrapping function then measures the text as the reader sees it and never
# cuts an entity in two. Private-use code points, which no survey text holds.
_STAND_INS = {"&": "\ue000", "<": "\ue001", ">": "\ue002"}
_ENTITIES = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"}


def plotly_laid_out(value: object, layout: Callable[[str], str]) -> str:
    """`plotly_text(value)`, broken into lines (or shortened) by `layout`, a function that
    adds Plotly's `<br>` and `…` to plain text, measuring and cutting the text as shown."""
    text = str(value)
    if any(c in text for c in _ENTITIES):
        return layout(plotly_text(text))
    shaped = layout(text.translate(str.maketrans(_STAND_INS)))
    return shaped.translate(str.maketrans(_ENTITIES))

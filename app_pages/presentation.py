"""Presentation mode: the workshop deck one slide at a time, full width, large type, in the
order of the slides file; previous/next (buttons, PageUp/PageDown, a clicker), `?slide=N`
links, `?embed=true`; public figures only, never a company name; no network needed."""

from __future__ import annotations

import streamlit as st

from app_pages.kit import context, widgets, workshop
from app_pages.kit.workshop import scaled
from dih_dash.exports.deck import slide_legend

# The slides need the whole width; the menu stays one click away.
st.set_page_config(initial_sidebar_state="collapsed")
tr = context.translator()
slides, figures = workshop.workshop_deck(tr.lang, headed=False)
total = len(slides)

number = int(context.query_value("slide", lambda v: v.isdigit() and 1 <= int(v) <= total, "1"))
if st.session_state.get("slide_number") != number and "slide" in st.query_params:
    st.session_state["slide_number"] = number
number = min(max(int(st.session_state.get("slide_number", number)), 1), total)


# The presentation's charts draw no toolbar: nothing to tab through or to catch a pointer
# in front of a room (the slide's data is behind the Data button, its image on Exports).
SLIDE_CHART_CONFIG = {**widgets.CHART_CONFIG, "displayModeBar": False, "responsive": True}


def go_to(target: int) -> None:
    st.session_state["slide_number"] = min(max(target, 1), total)
    st.query_params["slide"] = str(st.session_state["slide_number"])


slide = slides[number - 1]
figure = figures[number - 1]
context.set_query(slide=str(number))
legend = slide_legend(slide, tr)
layout = workshop.fit_slide(
    slide.title, slide.subtitle, slide.source, slide.bullets, figure is not None,
    [name for name, _, _ in legend],
)  # fmt: skip

# Large type for a projector, on this page only, growing with the screen (`scaled`); the
# chart gets the height the text and the controls leave at 1280×720 (`fit_slide`), so
# nothing scrolls there or on any larger 16:9 screen.
st.html(
    f"""<style>
    [data-testid="stMainBlockContainer"] {{ max-width: 100%;
      padding: {workshop.TOP_PX}px 2rem 4px; }}
    /* The collapsed menu is only moved off screen: hidden, its links leave the Tab order. */
    [data-testid="stSidebar"][data-collapsed="true"] {{ visibility: hidden; }}
    [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{
      gap: {workshop.GAP_PX}px; }}
    .dih-slide h1 {{ font-size: {scaled(workshop.TITLE_PX)}; line-height: 1.15; margin: 0;
      padding: 0; }}
    .dih-slide .subtitle {{ font-size: {scaled(workshop.SUBTITLE_PX)}; line-height: 1.3;
      color: #444; }}
    .dih-slide ul {{ font-size: {scaled(layout.bullet_px)}; line-height: 1.35; margin: 0;
      padding-left: 1.4em; }}
    .dih-slide li {{ margin-bottom: .3em; }}
    .dih-slide .source {{ font-size: {scaled(workshop.SOURCE_PX)}; line-height: 1.3;
      color: #555; }}
    .dih-slide .legend {{ font-size: {scaled(workshop.LEGEND_PX)}; line-height: 1.3;
      display: flex; flex-wrap: wrap; column-gap: 1.5em; }}
    .dih-slide .key {{ display: inline-block; width: 1.6em; height: .7em;
      margin-right: .4em; vertical-align: middle; }}
    .st-key-slide_chart {{ height: {scaled(layout.chart_px)}; flex: none; }}
    </style>"""
)

bullets = "".join(f"<li>{context.escape(b)}</li>" for b in slide.bullets)
header = (
    f'<div class="dih-slide"><h1>{context.escape(slide.title)}</h1>'
    f'<div class="subtitle">{context.escape(slide.subtitle)}</div></div>'
)
# The chart's legend as text, one row above the chart (`slide_legend`): a square for a
# series of bars, a thick upright stroke for a target's marks, a dashed line for a target.
KEYS = {
    "bar": "background:{colour}; width:.8em; height:.8em",
    "mark": "border-left:.3em solid {colour}; width:0; height:1.1em",
    "line": "border-top:.2em dashed {colour}; height:0",
}
if legend:
    entries = "".join(
        f'<span><span class="key" style="{KEYS[kind].format(colour=colour)}"></span>'
        f"{context.escape(name)}</span>"
        for name, colour, kind in legend
    )
    header = header[: -len("</div>")] + f'<div class="legend">{entries}</div></div>'
st.html(header)
if figure is not None:
    share = layout.bullet_share
    left, right = st.columns([1 - share, share], vertical_alignment="center")
    # The chart fills a box as tall as the screen leaves it (`chart_px` at 1280×720, more
    # on a larger screen); `flex: none`, or Streamlit's column shrinks the box to 450 px.
    with left, st.container(key="slide_chart"):
        st.plotly_chart(
            figure, theme=None, config=SLIDE_CHART_CONFIG, key=f"slide-{number}",
            height="stretch",
        )  # fmt: skip
    with right:
        # The chart's text alternative, off screen: in the bullets' element, so the slide
        # gains no element (and no gap) for it.
        text = widgets.chart_text(figure, tr, on_screen=False)
        st.html(f'<div class="dih-slide"><ul>{bullets}</ul></div>{text}')
else:
    st.html(f'<div class="dih-slide"><ul>{bullets}</ul></div>')

# One row under the chart: the source, the slide's data and the controls, so the controls
# stay on screen however long the slide's text is.
source_column, data_column, previous_column, position_column, next_column = st.columns(
    workshop.CONTROL_COLUMNS, vertical_alignment="center"
)
source_column.html(
    f'<div class="dih-slide"><div class="source">{context.escape(slide.source)}</div></div>'
)
if slide.chart is not None:
    with data_column.popover(tr("presentation.data"), icon=":material/table_view:"):
        widgets.downloads(
            lambda: widgets.readers_table(slide.data(), tr), f"slide-{number}-{tr.lang}", tr,
            notes={tr("common.source"): slide.source}, key="slide",
        )  # fmt: skip
previous_column.button(
    tr("deck.previous"), icon=":material/arrow_back:", key="slide_previous", disabled=number == 1,
    on_click=go_to, args=(number - 1,), shortcut="PageUp", width="stretch",
)  # fmt: skip
position_column.markdown(
    f"<div style='text-align:center'>{tr('deck.slide_of', number=number, total=total)}</div>",
    unsafe_allow_html=True,
)
next_column.button(
    tr("deck.next"), icon=":material/arrow_forward:", icon_position="right", key="slide_next",
    disabled=number == total, on_click=go_to, args=(number + 1,), shortcut="PageDown",
    width="stretch",
)  # fmt: skip

"""Presentation mode: the workshop deck one slide at a time, full width, large type, in the
order of the slides file; previous/next (buttons, PageUp/PageDown, a clicker), `?slide=N`
links, `?embed=true`; public figures only, never a company name; no network needed."""

from __future__ import annotations

import streamlit as st

from app_pages.kit import context, widgets, workshop

# The slides need the whole width; the menu stays one click away.
st.set_page_config(initial_sidebar_state="collapsed")
tr = context.translator()
slides, figures = workshop.workshop_deck(tr.lang, headed=False)
total = len(slides)

number = int(context.query_value("slide", lambda v: v.isdigit() and 1 <= int(v) <= total, "1"))
if st.session_state.get("slide_number") != number and "slide" in st.query_params:
    st.session_state["slide_number"] = number
number = min(max(int(st.session_state.get("slide_number", number)), 1), total)


def go_to(target: int) -> None:
    st.session_state["slide_number"] = min(max(target, 1), total)
    st.query_params["slide"] = str(st.session_state["slide_number"])


# Large type for a projector, on this page only.
st.html(
    """<style>
    [data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 1.5rem; }
    .dih-slide h1 { font-size: 2.6rem; line-height: 1.15; margin-bottom: .2rem; }
    .dih-slide .subtitle { font-size: 1.35rem; color: #444; }
    .dih-slide ul { font-size: 1.45rem; line-height: 1.45; }
    .dih-slide .source { font-size: 1rem; color: #555; }
    </style>"""
)

slide = slides[number - 1]
figure = figures[number - 1]
context.set_query(slide=str(number))

bullets = "".join(f"<li>{context.escape(b)}</li>" for b in slide.bullets)
# The bullets beside a chart shrink with their length (never below 1 rem), so a slide
# with long service descriptions still fits a 1280×720 projector beside its chart.
bullet_chars = sum(len(b) for b in slide.bullets)
bullet_rem = (
    1.45 if figure is None else max(1.0, min(1.45, 1.45 * (260 / max(bullet_chars, 1)) ** 0.5))
)
header = (
    f'<div class="dih-slide"><h1>{context.escape(slide.title)}</h1>'
    f'<div class="subtitle">{context.escape(slide.subtitle)}</div></div>'
)
st.html(header)
if figure is not None:
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.plotly_chart(figure, theme=None, config=widgets.CHART_CONFIG, key=f"slide-{number}")
    with right:
        st.html(
            f'<div class="dih-slide"><ul style="font-size:{bullet_rem:.2f}rem">{bullets}</ul></div>'
        )
else:
    st.html(f'<div class="dih-slide"><ul>{bullets}</ul></div>')
st.html(f'<div class="dih-slide"><div class="source">{context.escape(slide.source)}</div></div>')

previous_column, position_column, next_column = st.columns([1, 2, 1], vertical_alignment="center")
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
if slide.chart is not None:
    with st.expander(tr("presentation.data"), icon=":material/table_view:"):
        widgets.downloads(
            slide.data(), f"slide-{number}-{tr.lang}", tr,
            notes={tr("common.source"): slide.source}, key="slide",
        )  # fmt: skip

"""Workshop exports: the deck as PowerPoint (native, editable charts), one self-contained
HTML report to e-mail, and PNG/SVG images of the slides' charts."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.kit import context, workshop
from dih_dash.exports.html_report import deck_html
from dih_dash.exports.images import chart_image, image_export_available
from dih_dash.exports.pptx_deck import deck_pptx
from dih_dash.text_safety import markdown_text

tr = context.translator()

st.title(tr("exports.title"))
st.caption(tr("exports.intro"))

lang = (
    st.segmented_control(
        tr("exports.language"),
        options=["ro", "en"],
        format_func=lambda code: {"ro": "Română", "en": "English"}[code],
        default=tr.lang,
        key="export_lang",
    )
    or tr.lang
)
slides, figures = workshop.workshop_deck(lang)
stamp = dt.date.today().isoformat()

left, right = st.columns(2)
with left, st.container(border=True):
    st.markdown(f"**{tr('exports.pptx_heading')}**")
    st.caption(tr("exports.pptx_help", slides=len(slides)))
    st.download_button(
        tr("exports.pptx_button"),
        data=lambda: deck_pptx(slides, lang),
        file_name=f"dih-dash-workshop-{lang}-{stamp}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="download_pptx",
        on_click="ignore",
        icon=":material/slideshow:",
    )
with right, st.container(border=True):
    st.markdown(f"**{tr('exports.html_heading')}**")
    st.caption(tr("exports.html_help"))
    st.download_button(
        tr("exports.html_button"),
        data=lambda: deck_html(slides, lang).encode("utf-8"),
        file_name=f"dih-dash-report-{lang}-{stamp}.html",
        mime="text/html",
        key="download_html",
        on_click="ignore",
        icon=":material/html:",
    )

st.subheader(tr("exports.images_heading"))
available, reason = image_export_available()
if not available:
    st.warning(tr("exports.images_unavailable", reason=reason), icon=":material/hide_image:")
for number, (slide, figure) in enumerate(zip(slides, figures, strict=True), start=1):
    if figure is None:
        continue
    columns = st.columns([3, 1, 1], vertical_alignment="center")
    columns[0].markdown(f"{number}. {markdown_text(slide.title)}")
    for column, fmt in zip(columns[1:], ("png", "svg"), strict=True):
        column.download_button(
            fmt.upper(),
            data=(lambda f=figure, k=fmt: chart_image(f, k)) if available else b"",
            file_name=f"slide-{number}-{lang}.{fmt}",
            mime="image/png" if fmt == "png" else "image/svg+xml",
            key=f"image-{number}-{fmt}",
            on_click="ignore",
            disabled=not available,
            help=None if available else reason,
        )

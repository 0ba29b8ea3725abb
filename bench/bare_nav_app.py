"""A second floor for bench/pages.py: the bare one-chart page behind `st.navigation` with a
sidebar, as dih-dash's pages are. The difference to bare_app.py is what the framework's
navigation costs before any dih-dash code runs."""

from pathlib import Path

import streamlit as st


def other_page() -> None:
    st.write("Another page, so that the navigation has something to list.")


page = st.navigation(
    {
        "Charts": [
            st.Page(str(Path(__file__).with_name("bare_app.py")), url_path="chart", default=True)
        ],
        "Other": [st.Page(other_page, title="Other", url_path="other")],
    },
    expanded=True,
)
st.sidebar.caption("A sidebar, as dih-dash has.")
page.run()

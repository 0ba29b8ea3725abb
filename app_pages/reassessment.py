"""Placeholder until the page is built."""

import streamlit as st

from app_pages.kit import context

st.title(context.translator()("nav.reassessment"))

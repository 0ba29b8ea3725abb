"""The page kit: what every page shares, in place of one module that did everything.

- `context`: settings, language, translator, URL state;
- `access`: who is looking (public or admin), the actor, the sign-in gate, the throttle;
- `data`: the caching edge — national data, the member store, analyses, the deck;
- `widgets`: tables, downloads and charts with their source line;
- `member`: `member_page()`, the member pages' preamble and privacy gate.

Only the pages, this kit and app.py import Streamlit.
"""

"""Who is looking: the public or a signed-in admin (password or OIDC), the actor the store
records, the sign-in gate of the hub staff pages and the login throttle.
"""

from __future__ import annotations

import uuid

import streamlit as st

from app_pages.kit.context import settings, translator
from dih_dash.auth import LoginThrottle, oidc_admin
from dih_dash.domain.disclosure import DisclosureRule
from dih_dash.store import Actor

ADMIN_KEY = "admin_name"


def auth_mode() -> str:
    """`oidc` when Streamlit's login is configured ([auth] in secrets.toml), `password` when
    an admin password hash is set, else `none` (no one can sign in; the CLI still works)."""
    try:
        if "auth" in st.secrets:
            return "oidc"
    except FileNotFoundError:
        pass
    return "password" if settings().admin_password_hash else "none"


def is_admin() -> bool:
    if auth_mode() == "oidc":
        # Deny by default: anyone can have an account with the identity provider, so only
        # the addresses listed in DIH_DASH_ADMIN_EMAILS administer, and only when the
        # provider has not marked them unverified.
        return oidc_admin(st.user, settings().admin_emails)
    return bool(st.session_state.get(ADMIN_KEY))


def actor() -> Actor:
    """The store's view of who acts: admins by name, everyone else as the public."""
    if is_admin():
        name = st.session_state.get(ADMIN_KEY) or st.user.get("email") or "admin"
        return Actor(name=str(name), is_admin=True)
    return Actor(name="public", is_admin=False)


def require_admin() -> bool:
    """True for a signed-in admin; otherwise says the page is for hub staff and links sign-in."""
    if is_admin():
        return True
    st.info(translator()("auth.admin_only"), icon=":material/lock:")
    st.page_link(
        "app_pages/sign_in.py", label=translator()("auth.sign_in_link"), icon=":material/login:"
    )
    return False


@st.cache_resource
def login_throttle() -> LoginThrottle:
    # One per server process: failed attempts from every session count together.
    return LoginThrottle()


def login_client() -> str:
    """Whose failed attempts are counted together: the browser's address when Streamlit
    knows it (a new session does not reset it), else this session."""
    address = getattr(st.context, "ip_address", None)
    if address:
        return f"ip:{address}"
    return "session:" + st.session_state.setdefault("login_client", uuid.uuid4().hex)


def disclosure_rule() -> DisclosureRule:
    """What the person looking may see of the members (domain.disclosure): the public rule
    with the configured minimum group, or the admin rule for a signed-in admin."""
    return DisclosureRule.for_audience(settings().min_group_size, admin=is_admin())


def staff_view_banner(key: str = "member_pages.staff_view_groups") -> None:
    """Signed in, a page shows what the public does not (small groups, names): said on
    screen, so a rehearsal signed in is not projected to a room by mistake."""
    if is_admin():
        st.warning(translator()(key), icon=":material/visibility:")
